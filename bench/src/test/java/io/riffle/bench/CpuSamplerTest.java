package io.riffle.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuSamplerTest {

    /** A thread's stat line as Linux writes it: pid, (comm), state, then 49 numbers; utime and stime are fields 14 and 15. */
    private static String stat(String comm, long utime, long stime) {
        StringBuilder s = new StringBuilder("4242 (" + comm + ") S 1 4242 4242 0 -1 4194368 120 0 0 0 ");
        s.append(utime).append(' ').append(stime);
        s.append(String.join("", Collections.nCopies(37, " 7")));
        return s.append('\n').toString();
    }

    @Test
    void readsUserAndSystemTimeEvenWhenTheNameHoldsSpacesAndParentheses() {
        assertThat(CpuSampler.JvmThreads.ticksOf(stat("C2 CompilerThre", 310, 12))).isEqualTo(322);
        assertThat(CpuSampler.JvmThreads.ticksOf(stat("a (b) c", 5, 0))).isEqualTo(5);
    }

    @Test
    void tellsHotSpotsCompilerAndCollectorThreadsFromTheRest() {
        assertThat(CpuSampler.JvmThreads.isJit("C2 CompilerThre")).isTrue();
        assertThat(CpuSampler.JvmThreads.isJit("C1 CompilerThre")).isTrue();
        assertThat(CpuSampler.JvmThreads.isGc("GC Thread#1")).isTrue();
        assertThat(CpuSampler.JvmThreads.isGc("G1 Conc#0")).isTrue();
        assertThat(CpuSampler.JvmThreads.isGc("G1 Refine#0")).isTrue();
        for (String other : new String[] {"main", "VM Thread", "Source: events", "features-and-sc", "kafka-producer-"}) {
            assertThat(CpuSampler.JvmThreads.isJit(other)).as(other).isFalse();
            assertThat(CpuSampler.JvmThreads.isGc(other)).as(other).isFalse();
        }
    }

    @Test
    void readsTheTimeAThreadWaitedForACpuAndKnowsFlinksSnapshotThreads() {
        // /proc/<pid>/task/<tid>/schedstat: on-CPU ns, runnable-but-waiting ns, timeslices
        assertThat(CpuSampler.JvmThreads.waitedOf("52000000 7890 12\n")).isEqualTo(7890);
        assertThat(CpuSampler.JvmThreads.isSnapshot("AsyncOperations")).isTrue();
        for (String other : new String[] {"main", "features-and-sc", "Source: events", "GC Thread#1"}) {
            assertThat(CpuSampler.JvmThreads.isSnapshot(other)).as(other).isFalse();
        }
    }

    @Test
    void countsTheTimeSnapshotThreadsWaitForACoreWhenThereAreMoreThanCores() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/schedstat")), "Linux with scheduling statistics");
        try (CpuSampler sampler = new CpuSampler()) {
            assertThat(sampler.knowsSnapshotWait()).isTrue();
            long from = System.currentTimeMillis();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            // one busy thread more than there are processors, named as Flink names its snapshot threads:
            // at least one of them is runnable without a core at any moment
            List<Thread> busy = new java.util.ArrayList<>();
            for (int i = 0; i <= Runtime.getRuntime().availableProcessors(); i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (!stop.get()) {
                        x += System.nanoTime() & 1;
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                }, "AsyncOperations-thread-" + (i + 1));
                t.start();
                busy.add(t);
            }
            long waited = 0;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline && waited <= 0) {
                    Thread.sleep(CpuSampler.PERIOD_MS);
                    waited = sampler.snapshotWaitNanosBetween(from, System.currentTimeMillis());
                }
            } finally {
                stop.set(true);
                for (Thread t : busy) {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                }
            }
            assertThat(waited).as("nanoseconds the snapshot threads waited for a core").isPositive();
            sampler.addSource(() -> 0L);
            assertThat(sampler.knowsSnapshotWait()).as("with another process's CPU counted").isFalse();
        }
    }

    @Test
    void findsThisJvmsCompilerAndCollectorThreadsOnLinux() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        CpuSampler.JvmThreads threads = CpuSampler.JvmThreads.ofThisProcess();
        assertThat(threads).isNotNull();
        threads.sample();
        // HotSpot's default tiered compilation and G1 (the test JVM's flags do not change either)
        assertThat(threads.jitThreads()).isPositive();
        assertThat(threads.gcThreads()).isPositive();
        threads.sample();
        assertThat(threads.jitNanos).isNotNegative();
        assertThat(threads.gcNanos).isNotNegative();
        try (CpuSampler sampler = new CpuSampler()) {
            assertThat(sampler.knowsJvmThreads()).isTrue();
            sampler.addSource(() -> 0L);
            assertThat(sampler.knowsJvmThreads()).as("with another process's CPU counted").isFalse();
        }
    }

    @Test
    void groupsJavaThreadsByWhatTheirNamesSayTheyAreFor() {
        assertThat(CpuSampler.Group.of("features-and-scorer -> (scores-sink: Writer -> scores-sink: Committer) (1/2)#0"))
                .isEqualTo(CpuSampler.Group.TASKS);
        assertThat(CpuSampler.Group.of("Source: events -> dead-letter-router (2/2)#3")).isEqualTo(CpuSampler.Group.TASKS);
        assertThat(CpuSampler.Group.of("AsyncOperations-thread-1")).isEqualTo(CpuSampler.Group.CHECKPOINTS);
        assertThat(CpuSampler.Group.of("Source Data Fetcher for Source: events -> dead-letter-router (1/2)#0"))
                .isEqualTo(CpuSampler.Group.KAFKA_CLIENTS);
        assertThat(CpuSampler.Group.of("kafka-producer-network-thread | producer-11")).isEqualTo(CpuSampler.Group.KAFKA_CLIENTS);
        assertThat(CpuSampler.Group.of("kafka-admin-client-thread | riffle-embedded-kafka-admin"))
                .isEqualTo(CpuSampler.Group.KAFKA_CLIENTS);
        for (String broker : new String[] {"data-plane-kafka-request-handler-0", "kafka-1-raft-io-thread",
                "ExpirationReaper-1-Produce", "quorum-controller-1-event-handler", "group-coordinator-event-processor-0",
                "broker-1-lifecycle-manager-event-handler", "kafka-log-cleaner-thread-0"}) {
            assertThat(CpuSampler.Group.of(broker)).as(broker).isEqualTo(CpuSampler.Group.KAFKA_BROKER);
        }
        for (String other : new String[] {"main", "flink-pekko.actor.default-dispatcher-5", "Checkpoint Timer",
                "Time Trigger for Source: events -> dead-letter-router (1/2)#0",
                "OutputFlusher for Source: events -> dead-letter-router (1/2)#0", "riffle-bench-cpu-sampler"}) {
            assertThat(CpuSampler.Group.of(other)).as(other).isNull();
        }
    }

    @Test
    void countsTheCpuOfAThreadNamedLikeAFlinkTaskAsTasks() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "thread CPU time measured");
        try (CpuSampler sampler = new CpuSampler()) {
            assertThat(sampler.knowsThreadGroups()).isTrue();
            long from = System.currentTimeMillis();
            long spent = TimeUnit.MILLISECONDS.toNanos(300);
            CountDownLatch done = new CountDownLatch(1);
            CountDownLatch counted = new CountDownLatch(1);
            // spins for 300 ms of CPU, then stays (idle) until the test has read the count: what a
            // thread uses after the last sample before it ends is not counted
            Thread busy = new Thread(() -> {
                long until = mx.getCurrentThreadCpuTime() + spent;
                long x = 0;
                while (mx.getCurrentThreadCpuTime() < until) {
                    x += System.nanoTime() & 1;
                }
                done.countDown();
                try {
                    counted.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "busy-operator (1/1)#0");
            busy.start();
            long tasks = 0;
            try {
                assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                    tasks = sampler.groupNanosBetween(CpuSampler.Group.TASKS, from, System.currentTimeMillis());
                    if (tasks >= spent) {
                        break;
                    }
                    Thread.sleep(CpuSampler.PERIOD_MS);
                }
            } finally {
                counted.countDown();
                busy.join(TimeUnit.SECONDS.toMillis(60));
            }
            // all of it, from the thread's start (its last loop's overshoot and the wait are small)
            assertThat(tasks).isBetween(spent, spent + TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(sampler.groupNanosBetween(CpuSampler.Group.CHECKPOINTS, from, System.currentTimeMillis())).isZero();
            sampler.addSource(() -> 0L);
            assertThat(sampler.knowsThreadGroups()).as("with another process's CPU counted").isFalse();
        }
    }
}
