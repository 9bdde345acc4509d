package io.riffle.cli.replay;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The replay as a picture: prequential accuracy and ROC-AUC per window against the position in
 * the events file, a red line at the drift (when given) and a grey dashed line where each new
 * model version scored its first event.
 */
public final class ReplayPlot {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 650;

    private ReplayPlot() {}

    public static void write(Path png, String title, List<Prequential.Window> windows, Long driftAt,
                             List<ReplayReport.Version> versions) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries accuracy = new XYSeries("accuracy");
        XYSeries auc = new XYSeries("ROC-AUC");
        double low = 1.0;
        for (Prequential.Window w : windows) {
            double x = (w.firstEvent() + w.lastEvent() + 1) / 2.0;
            MetricSet m = w.metrics();
            if (m.accuracy() != null) {
                accuracy.add(x, m.accuracy());
                low = Math.min(low, m.accuracy());
            }
            if (m.rocAuc() != null) {
                auc.add(x, m.rocAuc());
                low = Math.min(low, m.rocAuc());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(accuracy);
        data.addSeries(auc);

        NumberAxis events = new NumberAxis("event (position in the events file)");
        events.setAutoRangeIncludesZero(true);
        NumberAxis value = new NumberAxis("prequential metric per window");
        value.setRange(Math.max(0, Math.min(0.5, Math.floor(low * 20) / 20)), 1.0);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        lines.setSeriesPaint(0, new Color(0x1f77b4));
        lines.setSeriesPaint(1, new Color(0xff7f0e));
        lines.setSeriesStroke(0, new BasicStroke(2f));
        lines.setSeriesStroke(1, new BasicStroke(2f));
        XYPlot plot = new XYPlot(data, events, value, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));

        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        BasicStroke dashed = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f);
        for (int k = 0; k < versions.size(); k++) {
            ReplayReport.Version v = versions.get(k);
            ValueMarker m = new ValueMarker(v.firstEvent(), new Color(0x888888), dashed);
            m.setLabel("v" + v.version());
            m.setLabelFont(small);
            // alternate heights so labels of close versions do not overlap
            m.setLabelAnchor(k % 2 == 0 ? RectangleAnchor.TOP_RIGHT : RectangleAnchor.BOTTOM_RIGHT);
            m.setLabelTextAnchor(k % 2 == 0 ? TextAnchor.TOP_LEFT : TextAnchor.BOTTOM_LEFT);
            plot.addDomainMarker(m);
        }
        if (driftAt != null) {
            ValueMarker drift = new ValueMarker(driftAt, Color.RED, new BasicStroke(2f));
            drift.setLabel("drift");
            drift.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            drift.setLabelPaint(Color.RED);
            // half-way up: the versions' labels are at the top and bottom
            drift.setLabelAnchor(RectangleAnchor.LEFT);
            drift.setLabelTextAnchor(TextAnchor.CENTER_RIGHT);
            plot.addDomainMarker(drift);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
