/**
 * The live ops page: {@link io.riffle.dashboard.DashboardFeed} reads the pipeline's topics (and
 * {@link io.riffle.dashboard.MetricsScrape} its Prometheus endpoints) into
 * {@link io.riffle.dashboard.LiveStats}, whose snapshot {@link io.riffle.dashboard.DashboardServer}
 * pushes to the page every second over server-sent events. No Flink here: the dashboard runs
 * beside any deployment of the jobs.
 */
package io.riffle.dashboard;
