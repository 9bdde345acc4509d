package io.riffle.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for commands that run until stopped. The JVM halts as soon as its shutdown hooks return,
 * so the hook waits (up to {@link #CLEANUP_LIMIT}) until the command has closed what it started
 * ({@link #close()}), instead of only waking the command up.
 */
final class StopSignal implements AutoCloseable {
    static final Duration CLEANUP_LIMIT = Duration.ofSeconds(40);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    StopSignal(String name) {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                cleanedUp.await(CLEANUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits for Ctrl-C, or at most {@code limit} (null: no limit). */
    void await(Duration limit) throws InterruptedException {
        if (limit != null) {
            stop.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            stop.await();
        }
    }

    /** Waits for Ctrl-C at most {@code limit}; whether it came. */
    boolean stoppedWithin(Duration limit) throws InterruptedException {
        return stop.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The command has cleaned up: a pending Ctrl-C may let the JVM go. */
    @Override
    public void close() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what is running
        }
    }
}
