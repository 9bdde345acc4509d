/** End-to-end suites: a real KRaft broker and a real Flink MiniCluster, nothing mocked. */
package io.riffle.tests;
