package io.riffle.cli.demo;

import io.riffle.schemas.Transaction;

/**
 * One synthetic payment and the ground truth behind it: which fraud pattern (if any) produced
 * it. The pattern is what the demo later publishes as a delayed label.
 */
public record GeneratedEvent(Transaction transaction, FraudPattern pattern) {

    public GeneratedEvent {
        if (transaction == null || pattern == null) {
            throw new IllegalArgumentException("transaction and pattern are required");
        }
    }

    /** True when a fraud pattern, not the card holder, produced the payment. */
    public boolean fraud() {
        return pattern != FraudPattern.NONE;
    }
}
