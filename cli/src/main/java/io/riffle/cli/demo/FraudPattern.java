package io.riffle.cli.demo;

/** The kinds of fraud the demo's {@link TransactionGenerator} injects; {@link #NONE} is a genuine payment. */
public enum FraudPattern {
    /** A genuine payment by the card holder. */
    NONE,
    /** A stolen card checked with a burst of 5-15 tiny online payments at different merchants within seconds. */
    CARD_TESTING,
    /** One payment 10-50 times the card's typical spend, often for electronics or jewelry. */
    AMOUNT_SPIKE,
    /** A payment in a country the card has never been used in (in that country's currency). */
    UNUSUAL_COUNTRY,
    /**
     * The kind that appears when the demo drifts ({@link TransactionGenerator#introduceNewFraud()}):
     * a fraudster in control of the card holder's online banking enrols the card in a mobile wallet
     * on their own phone and spends with it: 2-4 ordinary-sized {@code MOBILE} payments 10-40 s
     * apart in the home country, for goods that resell or at gambling sites that pay out.
     */
    ACCOUNT_TAKEOVER
}
