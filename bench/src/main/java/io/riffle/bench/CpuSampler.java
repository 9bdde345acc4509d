package io.riffle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Samples this process's CPU time every {@value #PERIOD_MS} ms, so the CPU spent between two
 * wall-clock instants known only afterwards (first and last output) can be interpolated. On Linux
 * it also samples the JVM's own JIT compiler threads and garbage collector threads (their CPU
 * time is part of the process's): a phase measured while the JIT still compiles the stack runs
 * slower than it will, and shows it here. And it sums the CPU time of the process's Java threads by
 * what they are there for ({@link Group}: Flink's task threads, its asynchronous checkpoint
 * threads, the embedded Kafka broker, Kafka's clients), so a phase shows where its cores went.
 */
final class CpuSampler implements AutoCloseable {
    static final long PERIOD_MS = 50;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final JvmThreads jvm = JvmThreads.ofThisProcess();
    private final JavaThreads javaThreads = JavaThreads.ofThisJvm();
    private long[] wall = new long[1 << 12];
    private long[] cpu = new long[1 << 12];
    private long[] jit = new long[1 << 12];
    private long[] gc = new long[1 << 12];
    private long[] snapshotWait = new long[1 << 12];
    private long[][] groups = new long[Group.values().length][1 << 12];
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
            jit = java.util.Arrays.copyOf(jit, n * 2);
            gc = java.util.Arrays.copyOf(gc, n * 2);
            snapshotWait = java.util.Arrays.copyOf(snapshotWait, n * 2);
            for (int g = 0; g < groups.length; g++) {
                groups[g] = java.util.Arrays.copyOf(groups[g], n * 2);
            }
        }
        wall[n] = System.currentTimeMillis();
        cpu[n] = now();
        if (jvm != null) {
            jvm.sample();
            jit[n] = jvm.jitNanos;
            gc[n] = jvm.gcNanos;
            snapshotWait[n] = jvm.snapshotWaitNanos;
        }
        if (javaThreads != null) {
            if (n % JavaThreads.EVERY_SAMPLES == 0) {
                javaThreads.sample();
            }
            for (int g = 0; g < groups.length; g++) {
                groups[g][n] = javaThreads.nanos[g];
            }
        }
        n++;
    }

    /** CPU nanoseconds spent between two epoch-millisecond instants (linear between samples). */
    synchronized long cpuNanosBetween(long fromMs, long toMs) {
        return at(cpu, toMs) - at(cpu, fromMs);
    }

    /**
     * Whether {@link #jitNanosBetween} and {@link #gcNanosBetween} are known: on Linux, and while no
     * other process's CPU counts (a standalone cluster's JVMs compile and collect on their own).
     */
    boolean knowsJvmThreads() {
        return jvm != null && extra == null;
    }

    /** CPU nanoseconds the JIT compiler threads spent between two instants; 0 unless {@link #knowsJvmThreads()}. */
    synchronized long jitNanosBetween(long fromMs, long toMs) {
        return at(jit, toMs) - at(jit, fromMs);
    }

    /** CPU nanoseconds the garbage collector's threads spent between two instants; 0 unless {@link #knowsJvmThreads()}. */
    synchronized long gcNanosBetween(long fromMs, long toMs) {
        return at(gc, toMs) - at(gc, fromMs);
    }

    /**
     * Whether {@link #snapshotWaitNanosBetween} is known: where the kernel reports each thread's
     * time runnable but waiting for a CPU ({@code /proc/<pid>/task/<tid>/schedstat}), and while no
     * other process's CPU counts.
     */
    boolean knowsSnapshotWait() {
        return jvm != null && jvm.schedstat && extra == null;
    }

    /**
     * Nanoseconds Flink's asynchronous snapshot threads ("AsyncOperations-thread-N") spent between
     * two instants runnable but waiting for a CPU: how much of a checkpoint's duration is its
     * snapshot queueing for a core rather than working. 0 unless {@link #knowsSnapshotWait()}.
     */
    synchronized long snapshotWaitNanosBetween(long fromMs, long toMs) {
        return at(snapshotWait, toMs) - at(snapshotWait, fromMs);
    }

    /**
     * Whether {@link #groupNanosBetween} is known: where the JVM measures its threads' CPU time,
     * and while no other process's CPU counts (a standalone cluster's task threads are not ours).
     */
    boolean knowsThreadGroups() {
        return javaThreads != null && extra == null;
    }

    /** CPU nanoseconds the Java threads of {@code group} spent between two instants; 0 unless {@link #knowsThreadGroups()}. */
    synchronized long groupNanosBetween(Group group, long fromMs, long toMs) {
        long[] series = groups[group.ordinal()];
        return at(series, toMs) - at(series, fromMs);
    }

    private long at(long[] series, long t) {
        if (n == 0) {
            return 0;
        }
        if (t <= wall[0]) {
            return series[0];
        }
        for (int i = 1; i < n; i++) {
            if (wall[i] >= t) {
                long dw = wall[i] - wall[i - 1];
                return dw == 0 ? series[i]
                        : series[i - 1] + (series[i] - series[i - 1]) * (t - wall[i - 1]) / dw;
            }
        }
        return series[n - 1];
    }

    /** What a Java thread of the bench's process is there for, told by its name. */
    enum Group {
        /** Flink's task threads, which run the operators: "features-and-scorer -> ... (1/2)#0". */
        TASKS("tasks"),
        /** Flink's asynchronous part of checkpoints (the heap backend's snapshots): "AsyncOperations-thread-1". */
        CHECKPOINTS("checkpoints"),
        /** The embedded Kafka broker and its KRaft controller. */
        KAFKA_BROKER("kafka_broker"),
        /** Kafka's clients: producers' network threads, the Kafka source's fetchers, admin clients. */
        KAFKA_CLIENTS("kafka_clients");

        final String key;

        Group(String key) {
            this.key = key;
        }

        /** A task thread's name ends with its subtask and attempt, "(1/2)#0". */
        private static final Pattern SUBTASK = Pattern.compile(".*\\(\\d+/\\d+\\)#\\d+");
        /** Threads Flink names after a task that only wake it or watch it (its timers run in the task thread). */
        private static final List<String> TASK_HELPERS = List.of("Time Trigger for ", "System Time Trigger for ",
                "OutputFlusher for ", "Cancellation Watchdog for ", "Canceler", "Source Data Fetcher for ");
        private static final List<String> CLIENTS = List.of("kafka-producer-network-thread", "Source Data Fetcher for ",
                "kafka-admin-client-thread", "kafka-coordinator-heartbeat-thread", "kafka-consumer-");
        private static final List<String> BROKER = List.of("data-plane-kafka", "kafka-", "ExpirationReaper",
                "broker-", "controller-", "quorum-controller", "group-coordinator", "share-", "raft-",
                "transaction-log", "TxnMarkerSender", "AddPartitionsToTxnSender", "ReplicaFetcher",
                "ReplicaAlterLogDirs", "LogDirFailureHandler", "client-metrics-reaper", "PersisterStateManager",
                "persister-", "network-partition-metadata", "SensorExpiryThread", "executor-");

        /** The group of a Java thread named {@code name}, or null for the rest (Flink's RPC, the bench's own, ...). */
        static Group of(String name) {
            if (CLIENTS.stream().anyMatch(name::startsWith)) {
                return KAFKA_CLIENTS;
            }
            if (name.startsWith("AsyncOperations")) {
                return CHECKPOINTS;
            }
            if (SUBTASK.matcher(name).matches() && TASK_HELPERS.stream().noneMatch(name::startsWith)) {
                return TASKS;
            }
            if (BROKER.stream().anyMatch(name::startsWith)) {
                return KAFKA_BROKER;
            }
            return null;
        }
    }

    /**
     * The CPU time of this JVM's Java threads by {@link Group}, from its {@code ThreadMXBean}: what
     * threads had used before the first sample does not count, a thread born later counts from its
     * start, and what a thread uses after the last sample before it ends is left to the rest (at
     * most one period's, {@value #EVERY_SAMPLES} of the sampler's).
     */
    static final class JavaThreads {
        /** Sampled every this many of the sampler's periods: a few hundred threads, one clock read each. */
        static final int EVERY_SAMPLES = 2;

        private final com.sun.management.ThreadMXBean mx;
        private final Map<Long, Group> groupOf = new HashMap<>();
        private final Set<Long> ungrouped = new HashSet<>();
        private final Map<Long, Long> last = new HashMap<>();
        final long[] nanos = new long[Group.values().length];
        private boolean baselined;

        private JavaThreads(com.sun.management.ThreadMXBean mx) {
            this.mx = mx;
        }

        /** Null where the JVM does not measure its threads' CPU time. */
        static JavaThreads ofThisJvm() {
            if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                    || !mx.isThreadCpuTimeSupported() || !mx.isThreadCpuTimeEnabled()) {
                return null;
            }
            return new JavaThreads(mx);
        }

        void sample() {
            long[] ids = mx.getAllThreadIds();
            long[] cpu = mx.getThreadCpuTime(ids);
            Set<Long> alive = new HashSet<>(ids.length * 2);
            for (int i = 0; i < ids.length; i++) {
                long id = ids[i];
                alive.add(id);
                if (cpu[i] < 0 || ungrouped.contains(id)) {
                    continue;
                }
                Group g = groupOf.get(id);
                if (g == null) {
                    ThreadInfo info = mx.getThreadInfo(id);
                    if (info == null) {
                        continue; // ended meanwhile
                    }
                    g = Group.of(info.getThreadName());
                    if (g == null) {
                        ungrouped.add(id);
                        continue;
                    }
                    groupOf.put(id, g);
                }
                Long before = last.put(id, cpu[i]);
                // a thread first seen after the first sample was born since the one before: all of its time counts
                long from = before != null ? before : baselined ? 0 : cpu[i];
                if (cpu[i] > from) {
                    nanos[g.ordinal()] += cpu[i] - from;
                }
            }
            baselined = true;
            groupOf.keySet().retainAll(alive);
            ungrouped.retainAll(alive);
            last.keySet().retainAll(alive);
        }
    }

    /**
     * The JVM's compiler and collector threads of this process, from {@code /proc/self/task}: their
     * names ({@code comm}) are HotSpot's ("C2 CompilerThread0", "GC Thread#1", "G1 Conc#0", ...), their
     * CPU time is fields 14 and 15 (utime, stime) of each thread's {@code stat}, in clock ticks.
     * The thread list is read again every {@value #RESCAN_SAMPLES} samples (HotSpot starts and stops
     * compiler and collector threads as it needs them); a thread's time counts once it is seen,
     * and what exited threads had used is kept.
     */
    static final class JvmThreads {
        static final int RESCAN_SAMPLES = 20;
        /** Linux's USER_HZ, the unit of a thread's utime and stime: 100 on every architecture's ABI. */
        private static final long NANOS_PER_TICK = 10_000_000L;

        private final Path tasks;
        private final List<Path> jitStats = new ArrayList<>();
        private final List<Path> gcStats = new ArrayList<>();
        private final List<Path> snapshotSchedstats = new ArrayList<>();
        private final java.util.Map<Path, Long> last = new java.util.HashMap<>();
        private int sinceScan = RESCAN_SAMPLES;
        long jitNanos;
        long gcNanos;
        /** Runnable-but-waiting nanoseconds of Flink's snapshot threads, where {@link #schedstat}. */
        long snapshotWaitNanos;
        /** Whether the kernel reports threads' scheduling statistics (CONFIG_SCHED_INFO). */
        final boolean schedstat;

        private JvmThreads(Path tasks) {
            this.tasks = tasks;
            this.schedstat = Files.isReadable(Path.of("/proc/self/schedstat"));
        }

        /** Null where there is no {@code /proc/self/task} (not Linux). */
        static JvmThreads ofThisProcess() {
            Path tasks = Path.of("/proc/self/task");
            return Files.isDirectory(tasks) ? new JvmThreads(tasks) : null;
        }

        /** HotSpot's compiler threads (the kernel keeps 15 characters of a name). */
        private static final List<String> JIT = List.of("C1 CompilerThre", "C2 CompilerThre", "JVMCI");
        /** G1's, Parallel's, ZGC's and Shenandoah's collector threads. */
        private static final List<String> GC =
                List.of("GC Thread", "G1 ", "ZWorker", "ZDriver", "ZDirector", "Shenandoah");

        static boolean isJit(String name) {
            return JIT.stream().anyMatch(name::startsWith);
        }

        static boolean isGc(String name) {
            return GC.stream().anyMatch(name::startsWith);
        }

        /** Flink's asynchronous snapshot threads, by their kernel name ("AsyncOperations", 15 characters kept). */
        static boolean isSnapshot(String name) {
            return Group.of(name) == Group.CHECKPOINTS;
        }

        /** Compiler threads found by the last scan. */
        int jitThreads() {
            return jitStats.size();
        }

        /** Collector threads found by the last scan. */
        int gcThreads() {
            return gcStats.size();
        }

        void sample() {
            if (++sinceScan >= RESCAN_SAMPLES) {
                sinceScan = 0;
                scan();
            }
            jitNanos += growth(jitStats, JvmThreads::cpuNanos);
            gcNanos += growth(gcStats, JvmThreads::cpuNanos);
            if (schedstat) {
                snapshotWaitNanos += growth(snapshotSchedstats, JvmThreads::waitedNanos);
            }
        }

        private void scan() {
            jitStats.clear();
            gcStats.clear();
            snapshotSchedstats.clear();
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path t : threads) {
                    String name;
                    try {
                        name = Files.readString(t.resolve("comm")).strip();
                    } catch (IOException e) {
                        continue; // ended meanwhile
                    }
                    if (isJit(name)) {
                        jitStats.add(t.resolve("stat"));
                    } else if (isGc(name)) {
                        gcStats.add(t.resolve("stat"));
                    } else if (schedstat && isSnapshot(name)) {
                        snapshotSchedstats.add(t.resolve("schedstat"));
                    }
                }
            } catch (IOException e) {
                // the list stays as it is until the next scan
            }
            List<Path> seen = new ArrayList<>(jitStats);
            seen.addAll(gcStats);
            seen.addAll(snapshotSchedstats);
            last.keySet().retainAll(seen);
        }

        /**
         * How much what {@code read} reads from each of these files (a thread's growing total, in
         * nanoseconds, or -1 once it has ended) grew since the last sample; a thread seen for the
         * first time counts from now.
         */
        private long growth(List<Path> files, java.util.function.ToLongFunction<Path> read) {
            long sum = 0;
            for (Path file : files) {
                long total = read.applyAsLong(file);
                if (total < 0) {
                    continue;
                }
                Long before = last.put(file, total);
                if (before != null && total > before) {
                    sum += total - before;
                }
            }
            return sum;
        }

        /** A thread's CPU nanoseconds from its {@code stat}, or -1 when it has ended. */
        private static long cpuNanos(Path stat) {
            long ticks = ticks(stat);
            return ticks < 0 ? -1 : ticks * NANOS_PER_TICK;
        }

        /** A thread's runnable-but-waiting nanoseconds from its {@code schedstat}, or -1 when it has ended. */
        private static long waitedNanos(Path schedstat) {
            try {
                return waitedOf(Files.readString(schedstat));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** From a {@code schedstat} line ("on-CPU ns, runnable-waiting ns, timeslices"): the waiting nanoseconds. */
        static long waitedOf(String schedstat) {
            return Long.parseLong(schedstat.strip().split(" ")[1]);
        }

        /** utime + stime of one thread, or -1 when it has ended. */
        static long ticks(Path stat) {
            try {
                return ticksOf(Files.readString(stat));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** utime + stime from a {@code stat} line; the name in parentheses may hold spaces and parentheses. */
        static long ticksOf(String stat) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
