package io.riffle.bench;

import java.lang.management.ManagementFactory;

/**
 * Samples this process's CPU time every {@value #PERIOD_MS} ms, so the CPU spent between two
 * wall-clock instants known only afterwards (first and last output) can be interpolated.
 */
final class CpuSampler implements AutoCloseable {
    static final long PERIOD_MS = 50;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long[] wall = new long[1 << 12];
    private long[] cpu = new long[1 << 12];
    private int n;
    private long offset;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile java.util.function.LongSupplier extra;

    CpuSampler() {
        thread = new Thread(this::run, "riffle-bench-cpu-sampler");
        thread.setDaemon(true);
        sample();
        thread.start();
    }

    /** Process CPU time now, nanoseconds (all threads, including the broker's and Flink's). */
    long processCpuNanos() {
        return os.getProcessCpuTime();
    }

    /**
     * Counts the CPU time {@code source} reports (other processes', e.g. a Flink cluster's; it must
     * only grow) on top of this process's from now on; null stops counting it. The samples stay
     * continuous across the change.
     */
    synchronized void addSource(java.util.function.LongSupplier source) {
        long before = now();
        extra = source;
        offset += before - now();
    }

    private long now() {
        java.util.function.LongSupplier e = extra;
        return os.getProcessCpuTime() + (e == null ? 0 : e.getAsLong()) + offset;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private synchronized void sample() {
        if (n == wall.length) {
            wall = java.util.Arrays.copyOf(wall, n * 2);
            cpu = java.util.Arrays.copyOf(cpu, n * 2);
        }
        wall[n] = System.currentTimeMillis();
        cpu[n] = now();
        n++;
    }

    /** CPU nanoseconds spent between two epoch-millisecond instants (linear between samples). */
    synchronized long cpuNanosBetween(long fromMs, long toMs) {
        return at(toMs) - at(fromMs);
    }

    private long at(long t) {
        if (n == 0) {
            return 0;
        }
        if (t <= wall[0]) {
            return cpu[0];
        }
        for (int i = 1; i < n; i++) {
            if (wall[i] >= t) {
                long dw = wall[i] - wall[i - 1];
                return dw == 0 ? cpu[i] : cpu[i - 1] + (cpu[i] - cpu[i - 1]) * (t - wall[i - 1]) / dw;
            }
        }
        return cpu[n - 1];
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
