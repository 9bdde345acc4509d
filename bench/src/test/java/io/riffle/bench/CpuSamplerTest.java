package io.riffle.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

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
}
