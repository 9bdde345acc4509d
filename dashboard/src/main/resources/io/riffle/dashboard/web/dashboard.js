// Riffle's live page: one snapshot per second from /api/stream (server-sent events), drawn with uPlot.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const histCharts = {};

  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    if (typeof v !== 'number') return String(v);
    if (digits === undefined) digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }
  function time(ms) {
    if (!ms) return '—';
    return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
  }
  function text(id, v) { const e = $(id); if (e) e.textContent = v; }
  function cell(tr, v, cls) {
    const td = document.createElement('td');
    let shown = v === null || v === undefined ? '—' : String(v);
    if (shown.length > 240) {   // long reasons (a trainer's round report) in full on hover
      td.title = shown;
      shown = shown.substring(0, 239) + '…';
    }
    td.textContent = shown;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(tableId, rows, build) {
    const body = $(tableId).tBodies[0];
    const next = document.createElement('tbody');
    rows.forEach((r) => next.appendChild(build(r)));
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell(tr, 'none yet', 'empty');
      td.colSpan = $(tableId).tHead.rows[0].cells.length;
      next.appendChild(tr);
    }
    body.replaceWith(next);
  }

  function chart(id, series, data, opts) {
    const el = $(id);
    const width = Math.max(300, el.clientWidth || 600);
    if (!charts[id]) {
      charts[id] = new uPlot(Object.assign({
        width: width, height: 200,
        scales: { x: { time: true } },
        series: [{}].concat(series),
        axes: [{}, { size: 64 }],
        legend: { live: false },
      }, opts || {}), data, el);
    } else {
      if (Math.abs(charts[id].width - width) > 20) charts[id].setSize({ width: width, height: 200 });
      charts[id].setData(data);
    }
  }

  function histogram(container, h, threshold) {
    const key = h.model;
    let box = document.getElementById('hist-' + key);
    if (!box) {
      box = document.createElement('div');
      box.className = 'histogram';
      box.id = 'hist-' + key;
      box.dataset.model = h.model;
      const title = document.createElement('h3');
      box.appendChild(title);
      const plot = document.createElement('div');
      box.appendChild(plot);
      container.appendChild(box);
    }
    const flagged = h.flagged === true;
    box.classList.toggle('flagged', flagged);
    box.dataset.psi = h.psi === undefined ? '' : h.psi;
    box.querySelector('h3').textContent = h.model + ' v' + h.version + ' · ' + fmt(h.n, 0) + ' live scores · PSI '
      + (h.psi === undefined ? '— (needs 200 scores and a training histogram)' : fmt(h.psi, 3))
      + (flagged ? ' · DRIFT (above ' + threshold + ')' : '');
    const bins = (h.live && h.live.length) || (h.reference && h.reference.length) || 20;
    const x = [];
    for (let i = 0; i < bins; i++) x.push((i + 0.5) / bins);
    const live = h.live && h.live.length ? h.live : x.map(() => null);
    const ref = h.reference && h.reference.length ? h.reference : x.map(() => null);
    const data = [x, live, ref];
    const plotEl = box.querySelector('div');
    const width = Math.max(300, plotEl.clientWidth || 400);
    if (!histCharts[key]) {
      const bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.45, 40], align: 0 }) : undefined;
      histCharts[key] = new uPlot({
        width: width, height: 160,
        scales: { x: { time: false, range: [0, 1] }, y: { range: (u, min, max) => [0, Math.max(0.05, max * 1.1)] } },
        series: [{ label: 'score' },
          { label: 'live', stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.35)', paths: bars },
          { label: 'training', stroke: '#718096', fill: 'rgba(113,128,150,0.15)', width: 2 }],
        axes: [{}, { size: 56 }],
        legend: { live: false },
      }, data, plotEl);
    } else {
      histCharts[key].setData(data);
    }
  }

  function render(s) {
    const h = s.health || {};
    const status = h.status || 'starting';
    $('health').dataset.status = status;
    text('health-status', status.toUpperCase());
    text('health-text', (h.messages && h.messages.length ? h.messages.join(' · ') : 'scoring normally'));
    text('updated', time(s.now));
    const r = s.rates || {}, t = s.totals || {}, l = s.latencyMs || {};
    text('events-rate', fmt(r.eventsPerSecond, 0));
    text('scores-rate', fmt(r.scoresPerSecond, 0));
    text('alerts-rate', fmt(r.alertsPerSecond, 1));
    text('dead-rate', fmt(r.deadLettersPerSecond, 1));
    text('events-total', fmt(t.events, 0));
    text('scores-total', fmt(t.scores, 0));
    text('alerts-total', fmt(t.alerts, 0));
    text('dead-total', fmt(t.deadLetters, 0));
    text('labels-total', fmt(t.labels, 0));
    text('p50', fmt(l.p50, 0)); text('p95', fmt(l.p95, 0)); text('p99', fmt(l.p99, 0));
    const c = s.cost || {};
    text('cost', fmt(c.cpuSecondsPerMillionEvents, 1));
    text('cpu-cores', fmt(c.cpuCores, 2));
    text('cost-source', c.source || 'no CPU source');
    text('restarts', h.restarts === undefined ? '—' : fmt(h.restarts, 0));

    const ser = s.series || { t: [] };
    chart('chart-throughput', [
      { label: 'events in', stroke: '#2b6cb0', width: 2 },
      { label: 'scores out', stroke: '#38a169', width: 2 },
      { label: 'dead letters', stroke: '#c53030', width: 1 }], [ser.t, ser.events, ser.scores, ser.deadLetters]);
    chart('chart-latency', [
      { label: 'p50', stroke: '#2b6cb0', width: 2, spanGaps: false },
      { label: 'p99', stroke: '#c05621', width: 2, spanGaps: false }], [ser.t, ser.p50, ser.p99]);
    chart('chart-decisions', [
      { label: 'ALLOW', stroke: '#38a169', width: 1 },
      { label: 'REVIEW', stroke: '#d69e2e', width: 2 },
      { label: 'BLOCK', stroke: '#e53e3e', width: 2 }], [ser.t, ser.allow, ser.review, ser.block]);

    const d = s.decisions || {};
    const total = (d.ALLOW || 0) + (d.REVIEW || 0) + (d.BLOCK || 0);
    const mix = $('decision-mix');
    mix.replaceChildren();
    ['ALLOW', 'REVIEW', 'BLOCK'].forEach((k) => {
      const row = document.createElement('div');
      row.className = 'bar ' + k;
      row.id = 'mix-' + k;
      const name = document.createElement('span'); name.className = 'name'; name.textContent = k;
      const share = total ? (d[k] || 0) / total : 0;
      const bar = document.createElement('div'); bar.className = 'fill'; bar.style.width = Math.max(1, share * 200) + 'px';
      const val = document.createElement('span'); val.textContent = fmt(d[k] || 0, 0) + ' (' + fmt(share * 100, 2) + ' %)';
      row.append(name, bar, val);
      mix.appendChild(row);
    });

    text('psi-threshold', s.psiThreshold);
    const hs = $('histograms');
    if ((s.histograms || []).length) {
      const empty = hs.querySelector('.empty'); if (empty) empty.remove();
      s.histograms.forEach((x) => histogram(hs, x, s.psiThreshold));
    }

    fill('versions', s.versions || [], (v) => {
      const tr = document.createElement('tr');
      tr.dataset.model = v.model; tr.dataset.version = v.version;
      if (v.rejected) tr.className = 'rejected'; else if (v.serving) tr.className = 'serving';
      cell(tr, v.model); cell(tr, v.version); cell(tr, v.servingRole || v.role);
      cell(tr, v.serving ? 'yes' : 'no');
      cell(tr, fmt(v.holdoutAuc, 3)); cell(tr, fmt(v.liveAuc, 3)); cell(tr, fmt(v.labelled, 0));
      cell(tr, fmt(v.threshold, 3));
      cell(tr, fmt(v.tp, 0)); cell(tr, fmt(v.fp, 0)); cell(tr, fmt(v.tn, 0)); cell(tr, fmt(v.fn, 0));
      cell(tr, fmt(v.precision, 3)); cell(tr, fmt(v.recall, 3)); cell(tr, fmt(v.f1, 3));
      cell(tr, (v.recallAtK === undefined ? '—' : fmt(v.recallAtK, 3) + ' @' + v.k)
        + (v.holdoutRecallAtK === undefined ? '' : ' (holdout ' + fmt(v.holdoutRecallAtK, 3) + ')'));
      cell(tr, v.rejected ? 'REJECTED: ' + v.rejected : v.driftDetected ? 'drift detected' : v.published ? 'published' : '', 'reason');
      return tr;
    });
    fill('timeline', s.timeline || [], (e) => {
      const tr = document.createElement('tr');
      tr.dataset.model = e.model; tr.dataset.version = e.version; tr.dataset.kind = e.kind;
      if (e.kind === 'REJECTED') tr.className = 'rejected';
      cell(tr, time(e.time)); cell(tr, e.model); cell(tr, e.version); cell(tr, e.kind);
      cell(tr, e.reason, 'reason'); cell(tr, e.device); cell(tr, e.source);
      return tr;
    });
    const seg = s.segments || { rows: [] };
    text('segment-field', seg.field || 'no segment field (set dashboard.segment-by in the pipeline file)');
    fill('segments', seg.rows || [], (x) => {
      const tr = document.createElement('tr');
      tr.dataset.segment = x.value;
      cell(tr, x.value); cell(tr, fmt(x.scored, 0)); cell(tr, fmt(x.flagRate * 100, 2) + ' %');
      cell(tr, fmt(x.positives, 0)); cell(tr, x.recall === undefined ? '—' : fmt(x.recall * 100, 1) + ' %');
      return tr;
    });
    fill('alerts', s.alerts || [], (a) => {
      const tr = document.createElement('tr');
      cell(tr, time(a.time)); cell(tr, a.entity); cell(tr, a.decision); cell(tr, (a.reasons || []).join(', '), 'reason');
      cell(tr, (a.models || []).map((m) => m.model + ' v' + m.version + ' ' + fmt(m.value, 3)).join(', '));
      return tr;
    });
    fill('dead-letters', s.deadLetterSamples || [], (x) => {
      const tr = document.createElement('tr');
      cell(tr, time(x.time)); cell(tr, x.source); cell(tr, x.error); cell(tr, x.message, 'reason');
      return tr;
    });
    if (s.jobs) {
      $('jobs-card').hidden = false;
      fill('jobs', s.jobs, (j) => { const tr = document.createElement('tr'); cell(tr, j.name); cell(tr, j.state); return tr; });
    }
  }

  function safeRender(s) {
    try { render(s); } catch (e) { console.error('render failed', e); text('health-text', 'page error: ' + e.message); }
  }

  function connect() {
    const conn = $('connection');
    const es = new EventSource('/api/stream');
    let lastMessage = Date.now();
    es.onopen = () => { conn.dataset.state = 'live'; conn.textContent = 'live'; };
    es.onmessage = (m) => {
      lastMessage = Date.now();
      conn.dataset.state = 'live'; conn.textContent = 'live';
      safeRender(JSON.parse(m.data));
    };
    // The browser reconnects by itself; say so only when no snapshot has come for a few seconds.
    es.onerror = () => setTimeout(() => {
      if (Date.now() - lastMessage >= 3000) { conn.dataset.state = 'lost'; conn.textContent = 'reconnecting…'; }
    }, 3000);
  }

  fetch('/api/snapshot').then((r) => r.json()).then(safeRender).catch(() => {}).finally(connect);
})();
