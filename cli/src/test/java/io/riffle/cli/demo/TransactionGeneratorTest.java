package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.Transaction;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TransactionGeneratorTest {

    private static final long START = 1_767_225_600_000L;
    /** One call every 10 ms: 100 events per second. */
    private static final long STEP_MS = 10;

    private static List<GeneratedEvent> generate(TransactionGenerator generator, int count) {
        List<GeneratedEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(generator.next(START + i * STEP_MS));
        }
        return events;
    }

    @Test
    void sameSeedGivesSameStreamAndOtherSeedsDiffer() {
        List<GeneratedEvent> a = generate(new TransactionGenerator(42, 500), 20_000);
        List<GeneratedEvent> b = generate(new TransactionGenerator(42, 500), 20_000);
        List<GeneratedEvent> c = generate(new TransactionGenerator(43, 500), 20_000);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void eventsAreWellFormedAndIdsUnique() {
        List<GeneratedEvent> events = generate(new TransactionGenerator(1, 1_000), 50_000);
        Set<String> ids = new HashSet<>();
        Map<String, Set<String>> currenciesByCountry = new HashMap<>();
        Set<String> channels = new HashSet<>();
        long previousTime = Long.MIN_VALUE;
        for (GeneratedEvent e : events) {
            Transaction t = e.transaction();
            assertThat(ids.add(t.getEventId())).as("unique id %s", t.getEventId()).isTrue();
            assertThat(t.getAmount()).isPositive();
            assertThat(t.getEventTime()).isGreaterThanOrEqualTo(previousTime);
            previousTime = t.getEventTime();
            currenciesByCountry.computeIfAbsent(t.getCountry(), k -> new HashSet<>()).add(t.getCurrency());
            channels.add(t.getChannel());
        }
        assertThat(currenciesByCountry.values()).allSatisfy(currencies -> assertThat(currencies).hasSize(1));
        assertThat(currenciesByCountry.get("US")).containsExactly("USD");
        assertThat(currenciesByCountry.get("DE")).containsExactly("EUR");
        assertThat(channels).containsExactlyInAnyOrder("POS", "ONLINE", "ATM");
    }

    @Test
    void genuinePaymentsLookLikeTheirCard() {
        TransactionGenerator generator = new TransactionGenerator(5, 300);
        generator.setFraudRate(0);
        List<GeneratedEvent> events = generate(generator, 60_000);
        assertThat(events).noneMatch(GeneratedEvent::fraud);
        long home = events.stream()
                .filter(e -> generator.homeCountry(e.transaction().getCardId()).equals(e.transaction().getCountry()))
                .count();
        assertThat((double) home / events.size()).isGreaterThan(0.95);
        assertThat(events).allMatch(e -> generator.isUsualCountry(e.transaction().getCardId(), e.transaction().getCountry()));
        // Amounts: tens of dollars, with a long tail.
        double[] amounts = events.stream().filter(e -> !e.transaction().getChannel().equals("ATM"))
                .mapToDouble(e -> e.transaction().getAmount()).sorted().toArray();
        assertThat(amounts[amounts.length / 2]).isBetween(10.0, 60.0);
        assertThat(amounts[(int) (amounts.length * 0.99)]).isGreaterThan(3 * amounts[amounts.length / 2]);
    }

    @Test
    void fraudRateIsWithinTolerance() {
        TransactionGenerator generator = new TransactionGenerator(7, 2_000);
        List<GeneratedEvent> events = generate(generator, 200_000);
        double rate = events.stream().filter(GeneratedEvent::fraud).count() / (double) events.size();
        assertThat(rate).isCloseTo(TransactionGenerator.DEFAULT_FRAUD_RATE, org.assertj.core.data.Offset.offset(0.003));

        TransactionGenerator higher = new TransactionGenerator(7, 2_000);
        higher.setFraudRate(0.05);
        List<GeneratedEvent> more = generate(higher, 100_000);
        double higherRate = more.stream().filter(GeneratedEvent::fraud).count() / (double) more.size();
        assertThat(higherRate).isCloseTo(0.05, org.assertj.core.data.Offset.offset(0.006));
    }

    @Test
    void patternMixShiftsWhichFraudHappens() {
        TransactionGenerator generator = new TransactionGenerator(9, 1_000);
        generator.setPatternMix(0, 0, 1);
        Map<FraudPattern, Long> counts = countPatterns(generate(generator, 100_000));
        assertThat(counts.get(FraudPattern.UNUSUAL_COUNTRY)).isGreaterThan(1_000);
        assertThat(counts.get(FraudPattern.CARD_TESTING)).isZero();
        assertThat(counts.get(FraudPattern.AMOUNT_SPIKE)).isZero();

        TransactionGenerator defaults = new TransactionGenerator(9, 1_000);
        Map<FraudPattern, Long> mixed = countPatterns(generate(defaults, 200_000));
        long fraud = mixed.get(FraudPattern.CARD_TESTING) + mixed.get(FraudPattern.AMOUNT_SPIKE)
                + mixed.get(FraudPattern.UNUSUAL_COUNTRY);
        // Default shares of fraud events: 40% card testing, 30% each for the others.
        assertThat(mixed.get(FraudPattern.CARD_TESTING) / (double) fraud).isBetween(0.3, 0.5);
        assertThat(mixed.get(FraudPattern.AMOUNT_SPIKE) / (double) fraud).isBetween(0.22, 0.38);
        assertThat(mixed.get(FraudPattern.UNUSUAL_COUNTRY) / (double) fraud).isBetween(0.22, 0.38);
    }

    @Test
    void cardTestingIsABurstOfSmallOnlinePaymentsAtDifferentMerchants() {
        TransactionGenerator generator = new TransactionGenerator(11, 1_000);
        generator.setPatternMix(1, 0, 0);
        int count = 100_000;
        List<GeneratedEvent> events = generate(generator, count);
        long end = START + (count - 1) * STEP_MS;

        // Split each card's card-testing events into bursts at gaps over 3 s.
        Map<String, List<List<Transaction>>> bursts = new HashMap<>();
        for (GeneratedEvent e : events) {
            if (e.pattern() != FraudPattern.CARD_TESTING) {
                continue;
            }
            Transaction t = e.transaction();
            assertThat(t.getChannel()).isEqualTo("ONLINE");
            assertThat(t.getAmount()).isBetween(0.5, 3.0);
            List<List<Transaction>> cardBursts = bursts.computeIfAbsent(t.getCardId(), k -> new ArrayList<>());
            List<Transaction> last = cardBursts.isEmpty() ? null : cardBursts.get(cardBursts.size() - 1);
            if (last == null || t.getEventTime() - last.get(last.size() - 1).getEventTime() > 3_000) {
                last = new ArrayList<>();
                cardBursts.add(last);
            }
            last.add(t);
        }
        List<List<Transaction>> complete = bursts.values().stream().flatMap(List::stream)
                .filter(b -> b.get(b.size() - 1).getEventTime() < end - 20_000)
                .toList();
        assertThat(complete).hasSizeGreaterThan(50);
        for (List<Transaction> burst : complete) {
            assertThat(burst).hasSizeBetween(5, 15);
            assertThat(burst.stream().map(Transaction::getMerchantId).distinct().count()).isEqualTo(burst.size());
            for (int i = 1; i < burst.size(); i++) {
                long gap = burst.get(i).getEventTime() - burst.get(i - 1).getEventTime();
                assertThat(gap).isBetween(1_000L, 2_000L + STEP_MS);
            }
            long duration = burst.get(burst.size() - 1).getEventTime() - burst.get(0).getEventTime();
            assertThat(duration).isLessThanOrEqualTo(15 * (2_000L + STEP_MS));
        }
    }

    @Test
    void amountSpikeIsAtLeastTenTimesTheCardsTypicalSpend() {
        TransactionGenerator generator = new TransactionGenerator(13, 1_000);
        generator.setPatternMix(0, 1, 0);
        List<GeneratedEvent> spikes = generate(generator, 60_000).stream()
                .filter(e -> e.pattern() == FraudPattern.AMOUNT_SPIKE).toList();
        assertThat(spikes).hasSizeGreaterThan(500);
        for (GeneratedEvent e : spikes) {
            Transaction t = e.transaction();
            double typical = generator.typicalAmount(t.getCardId());
            assertThat(t.getAmount()).isGreaterThanOrEqualTo(10 * typical - 0.01).isLessThanOrEqualTo(50 * typical + 0.01);
            assertThat(t.getCountry()).isEqualTo(generator.homeCountry(t.getCardId()));
        }
        long luxury = spikes.stream()
                .filter(e -> Set.of("electronics", "jewelry").contains(e.transaction().getMerchantCategory())).count();
        assertThat(luxury / (double) spikes.size()).isGreaterThan(0.6);
    }

    @Test
    void unusualCountryIsACountryTheCardNeverUses() {
        TransactionGenerator generator = new TransactionGenerator(17, 1_000);
        generator.setPatternMix(0, 0, 1);
        List<GeneratedEvent> events = generate(generator, 60_000);
        List<GeneratedEvent> foreign = events.stream().filter(e -> e.pattern() == FraudPattern.UNUSUAL_COUNTRY).toList();
        assertThat(foreign).hasSizeGreaterThan(500);
        Set<String> genuineCountries = new HashSet<>();
        events.stream().filter(e -> !e.fraud()).forEach(e -> genuineCountries.add(e.transaction().getCountry()));
        for (GeneratedEvent e : foreign) {
            Transaction t = e.transaction();
            assertThat(generator.isUsualCountry(t.getCardId(), t.getCountry())).isFalse();
            assertThat(genuineCountries).doesNotContain(t.getCountry());
        }
        assertThat(foreign.stream().map(e -> e.transaction().getCountry()).distinct().count()).isGreaterThan(3);
    }

    @Test
    void introducingTheNewFraudLeavesTheStreamBeforeItUntouched() {
        List<GeneratedEvent> plain = generate(new TransactionGenerator(21, 2_000), 60_000);
        TransactionGenerator drifting = new TransactionGenerator(21, 2_000);
        assertThat(drifting.newFraudIntroduced()).isFalse();
        List<GeneratedEvent> events = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            if (i == 30_000) {
                drifting.introduceNewFraud();
            }
            events.add(drifting.next(START + i * STEP_MS));
        }
        assertThat(drifting.newFraudIntroduced()).isTrue();
        assertThat(drifting.newFraudShare()).isEqualTo(TransactionGenerator.DEFAULT_NEW_FRAUD_SHARE);
        assertThat(events.subList(0, 30_000)).isEqualTo(plain.subList(0, 30_000));
        assertThat(plain).noneMatch(e -> e.pattern() == FraudPattern.ACCOUNT_TAKEOVER);
        assertThat(events.subList(30_000, 60_000)).isNotEqualTo(plain.subList(30_000, 60_000))
                .anyMatch(e -> e.pattern() == FraudPattern.ACCOUNT_TAKEOVER);
    }

    @Test
    void afterTheDriftHalfTheFraudIsAccountTakeoverAtTheSameFraudRate() {
        TransactionGenerator generator = new TransactionGenerator(23, 5_000);
        generator.introduceNewFraud();
        List<GeneratedEvent> events = generate(generator, 300_000);
        Map<FraudPattern, Long> counts = countPatterns(events);
        long fraud = events.size() - counts.get(FraudPattern.NONE);
        assertThat(fraud / (double) events.size())
                .isCloseTo(TransactionGenerator.DEFAULT_FRAUD_RATE, org.assertj.core.data.Offset.offset(0.003));
        assertThat(counts.get(FraudPattern.ACCOUNT_TAKEOVER) / (double) fraud).isBetween(0.42, 0.58);
        // The old kinds keep their relative shares (40 / 30 / 30) in the other half.
        assertThat(counts.get(FraudPattern.CARD_TESTING) / (double) fraud).isBetween(0.12, 0.28);
        assertThat(counts.get(FraudPattern.AMOUNT_SPIKE) / (double) fraud).isBetween(0.1, 0.2);
        assertThat(counts.get(FraudPattern.UNUSUAL_COUNTRY) / (double) fraud).isBetween(0.1, 0.2);

        TransactionGenerator all = new TransactionGenerator(23, 5_000);
        all.setNewFraudShare(1);
        Map<FraudPattern, Long> only = countPatterns(generate(all, 100_000));
        assertThat(only.get(FraudPattern.ACCOUNT_TAKEOVER)).isGreaterThan(1_000);
        assertThat(only.get(FraudPattern.CARD_TESTING) + only.get(FraudPattern.AMOUNT_SPIKE)
                + only.get(FraudPattern.UNUSUAL_COUNTRY)).isZero();
    }

    @Test
    void accountTakeoverIsASpreeOfOrdinaryMobileWalletPaymentsAtHome() {
        TransactionGenerator generator = new TransactionGenerator(25, 5_000);
        generator.setNewFraudShare(1);
        int count = 200_000;
        List<GeneratedEvent> events = generate(generator, count);
        long end = START + (count - 1) * STEP_MS;
        Map<String, List<List<Transaction>>> sprees = new HashMap<>();
        for (GeneratedEvent e : events) {
            Transaction t = e.transaction();
            if (e.pattern() != FraudPattern.ACCOUNT_TAKEOVER) {
                assertThat(t.getChannel()).isNotEqualTo(TransactionGenerator.MOBILE);
                continue;
            }
            assertThat(t.getChannel()).isEqualTo(TransactionGenerator.MOBILE);
            assertThat(TransactionGenerator.TAKEOVER_CATEGORIES).contains(t.getMerchantCategory());
            assertThat(t.getCountry()).isEqualTo(generator.homeCountry(t.getCardId()));
            double typical = generator.typicalAmount(t.getCardId());
            assertThat(t.getAmount()).isBetween(typical - 0.01, 3 * typical + 0.01);
            List<List<Transaction>> cardSprees = sprees.computeIfAbsent(t.getCardId(), k -> new ArrayList<>());
            List<Transaction> last = cardSprees.isEmpty() ? null : cardSprees.get(cardSprees.size() - 1);
            if (last == null || t.getEventTime() - last.get(last.size() - 1).getEventTime()
                    > TransactionGenerator.TAKEOVER_MAX_GAP_MS + STEP_MS) {
                last = new ArrayList<>();
                cardSprees.add(last);
            }
            last.add(t);
        }
        List<List<Transaction>> complete = sprees.values().stream().flatMap(List::stream)
                .filter(s -> s.get(s.size() - 1).getEventTime()
                        < end - TransactionGenerator.TAKEOVER_MAX_PAYMENTS * TransactionGenerator.TAKEOVER_MAX_GAP_MS)
                .toList();
        assertThat(complete).hasSizeGreaterThan(300);
        for (List<Transaction> spree : complete) {
            assertThat(spree).hasSizeBetween(TransactionGenerator.TAKEOVER_MIN_PAYMENTS,
                    TransactionGenerator.TAKEOVER_MAX_PAYMENTS);
            for (int i = 1; i < spree.size(); i++) {
                long gap = spree.get(i).getEventTime() - spree.get(i - 1).getEventTime();
                assertThat(gap).isBetween(TransactionGenerator.TAKEOVER_MIN_GAP_MS,
                        TransactionGenerator.TAKEOVER_MAX_GAP_MS + STEP_MS);
            }
        }
        assertThat(complete.stream().mapToInt(List::size).average().orElseThrow()).isBetween(2.7, 3.3);
    }

    /**
     * What makes the new kind learnable from {@code pipelines/demo.yaml}'s features: only account
     * takeover sets {@code channel_MOBILE}; its other features look like a genuine payment's.
     */
    @Test
    void accountTakeoverIsTheOnlyMobileWalletPaymentInThePipelinesFeatures() {
        PipelineSpec pipeline = DemoPipeline.loadDefault();
        FeatureExtractor features = FeatureExtractor.of(pipeline);
        int mobile = pipeline.features().names().indexOf("channel_MOBILE");
        int other = pipeline.features().names().indexOf("channel_other");
        TransactionGenerator generator = new TransactionGenerator(27, 2_000);
        generator.introduceNewFraud();
        Map<String, EntityFeatureState> states = new HashMap<>();
        long takeovers = 0;
        for (GeneratedEvent e : generate(generator, 100_000)) {
            float[] x = features.extract(e.transaction(),
                    states.computeIfAbsent(e.transaction().getCardId(), k -> features.newState()));
            assertThat(x[other]).isZero();
            if (e.pattern() == FraudPattern.ACCOUNT_TAKEOVER) {
                takeovers++;
                assertThat(x[mobile]).isEqualTo(1f);
            } else {
                assertThat(x[mobile]).as("%s", e.transaction()).isZero();
            }
        }
        assertThat(takeovers).isGreaterThan(300);
    }

    private static Map<FraudPattern, Long> countPatterns(List<GeneratedEvent> events) {
        Map<FraudPattern, Long> counts = new EnumMap<>(FraudPattern.class);
        for (FraudPattern p : FraudPattern.values()) {
            counts.put(p, 0L);
        }
        events.forEach(e -> counts.merge(e.pattern(), 1L, Long::sum));
        return counts;
    }
}
