package io.riffle.cli.demo.reco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class InteractionGeneratorTest {

    private static final long START = 1_767_225_600_000L;
    private static final double RATE = 1_000;
    /** One call per millisecond: the configured 1,000 events per second. */
    private static final long STEP_MS = 1;
    private static final int SHOPPERS = 5_000;
    private static final int ITEMS = 1_200;

    private static List<Interaction> generate(InteractionGenerator generator, int count) {
        List<Interaction> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(generator.next(START + i * STEP_MS));
        }
        return events;
    }

    @Test
    void catalogueHasOverAThousandItemsInThirtyCategories() {
        Catalogue catalogue = new InteractionGenerator(7, SHOPPERS, ITEMS, RATE).catalogue();
        assertThat(catalogue.size()).isEqualTo(ITEMS);
        assertThat(catalogue.categoryCount()).isEqualTo(30);
        assertThat(new HashSet<>(catalogue.itemIds())).hasSize(ITEMS);
        int total = 0;
        for (int c = 0; c < catalogue.categoryCount(); c++) {
            assertThat(catalogue.categorySize(c)).isEqualTo(40);
            int[] items = catalogue.itemsByPopularity(c);
            for (int item : items) {
                assertThat(catalogue.categoryOf(item)).isEqualTo(c);
                assertThat(catalogue.price(item)).isPositive();
            }
            total += items.length;
        }
        assertThat(total).isEqualTo(ITEMS);
        assertThatThrownBy(() -> new Catalogue(1, 29)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameSeedGivesSameStreamAndOtherSeedsDiffer() {
        List<Interaction> a = generate(new InteractionGenerator(42, SHOPPERS, ITEMS, RATE), 20_000);
        List<Interaction> b = generate(new InteractionGenerator(42, SHOPPERS, ITEMS, RATE), 20_000);
        List<Interaction> c = generate(new InteractionGenerator(43, SHOPPERS, ITEMS, RATE), 20_000);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
        assertThat(a.stream().map(Interaction::eventId).distinct().count()).isEqualTo(a.size());
    }

    @Test
    void eventsCarryTheCallersTimesAndTheirItemsCategory() {
        InteractionGenerator generator = new InteractionGenerator(5, SHOPPERS, ITEMS, RATE);
        Catalogue catalogue = generator.catalogue();
        Map<String, Integer> itemIndex = new HashMap<>();
        for (int i = 0; i < catalogue.size(); i++) {
            itemIndex.put(catalogue.itemId(i), i);
        }
        List<Interaction> events = generate(generator, 10_000);
        for (int i = 0; i < events.size(); i++) {
            Interaction e = events.get(i);
            assertThat(e.eventTime()).isEqualTo(START + i * STEP_MS);
            int item = itemIndex.get(e.itemId());
            assertThat(e.category()).isEqualTo(catalogue.categoryName(catalogue.categoryOf(item)));
            assertThat(e.price()).isEqualTo(catalogue.price(item));
        }
    }

    @Test
    void sessionsAreRunsOfViewsMostlyInOneCategoryWithPurchasesOfViewedItems() {
        InteractionGenerator generator = new InteractionGenerator(11, SHOPPERS, ITEMS, RATE);
        List<Interaction> events = generate(generator, 100_000);
        // 1,000 events/s x 15 s between a session's events: 15,000 sessions wanted, an eighth of the shoppers allowed.
        assertThat(generator.openSessionTarget()).isEqualTo(SHOPPERS / 8);
        // A shopper's sessions are 5,000 x 6 / 1,000 = 30 s apart on average; a quarter of that is the rest.
        assertThat(generator.restMs()).isEqualTo(7_500);

        double eventsPerSession = (double) events.size() / generator.sessionsStarted();
        assertThat(eventsPerSession).isBetween(5.0, 10.0);
        long purchases = events.stream().filter(Interaction::purchase).count();
        assertThat(purchases).isEqualTo(generator.purchases());
        assertThat((double) purchases / events.size()).isBetween(0.03, 0.12);

        // A shopper's events since the last pause of at least the rest are one session (a session's own
        // gaps average 625 ms: 625 open sessions share 1,000 events a second).
        Map<String, Interaction> previous = new HashMap<>();
        Map<String, Set<String>> viewedInSession = new HashMap<>();
        long follows = 0;
        long sameCategory = 0;
        long purchasesOfViewed = 0;
        for (Interaction e : events) {
            Interaction p = previous.put(e.userId(), e);
            if (p == null || e.eventTime() - p.eventTime() >= generator.restMs()) {
                viewedInSession.put(e.userId(), new HashSet<>());
            } else {
                follows++;
                if (p.category().equals(e.category())) {
                    sameCategory++;
                }
            }
            if (e.purchase()) {
                if (viewedInSession.get(e.userId()).contains(e.itemId())) {
                    purchasesOfViewed++;
                }
            } else {
                viewedInSession.get(e.userId()).add(e.itemId());
            }
        }
        assertThat((double) sameCategory / follows).isGreaterThan(0.5);
        // Nearly all: a session's pause can exceed the rest now and then, which splits it here.
        assertThat((double) purchasesOfViewed / purchases).isGreaterThan(0.97);
    }

    @Test
    void theShiftMakesItsCategoryPopularAndLeavesTheStreamBeforeItAlone() {
        int n = 200_000;
        long shiftAt = START + n / 2 * STEP_MS;
        InteractionGenerator shifting = new InteractionGenerator(3, SHOPPERS, ITEMS, RATE);
        shifting.shiftAt(shiftAt);
        List<Interaction> withShift = generate(shifting, n);
        List<Interaction> without = generate(new InteractionGenerator(3, SHOPPERS, ITEMS, RATE), n);
        assertThat(withShift.subList(0, n / 2)).isEqualTo(without.subList(0, n / 2));

        String category = shifting.shiftCategory();
        int[] ranking = shifting.catalogue().categoryRanking();
        assertThat(shifting.catalogue().categoryName(ranking[InteractionGenerator.SHIFT_CATEGORY_RANK])).isEqualTo(category);
        double before = share(withShift.subList(0, n / 2), category);
        // Sessions opened before the shift finish first: measure once they have.
        double after = share(withShift.subList(n * 3 / 4, n), category);
        assertThat(before).isLessThan(0.05);
        assertThat(after).isGreaterThan(0.25);
    }

    /**
     * The point of the scenario: a predictor that knows only the shopper's last category beats
     * the shop's global top-10 by far. Both are prequential (each event is predicted from counts
     * of the events before it) over a 1,200-item catalogue.
     */
    @Test
    void aShoppersRecentCategoryPredictsTheNextItemFarBetterThanTheGlobalTopTen() {
        InteractionGenerator generator = new InteractionGenerator(21, SHOPPERS, ITEMS, RATE);
        int n = 300_000;
        long shiftAt = START + n / 2 * STEP_MS;
        generator.shiftAt(shiftAt);
        List<Interaction> events = generate(generator, n);
        double[] recall = NextItemBaselines.recallAt10(events, generator.catalogue(), shiftAt);
        LoggerFactory.getLogger(InteractionGeneratorTest.class).info(
                "recall@10 over {} events: last-category top-10 {}, global top-10 {}; after the shift {} and {}",
                n, recall[0], recall[1], recall[2], recall[3]);
        assertThat(recall[0]).isGreaterThan(0.3);
        assertThat(recall[0]).isGreaterThan(3 * recall[1]);
        // The shift lifts the global list (the new favourite's items top it) but the personal one stays ahead.
        assertThat(recall[2]).isGreaterThan(2 * recall[3]);
    }

    @Test
    void interactionsEncodeWithThePipelinesSchema() throws Exception {
        Schema schema = new Schema.Parser().parse(Path.of("../pipelines/recommendations.avsc").toFile());
        InteractionGenerator generator = new InteractionGenerator(9, SHOPPERS, ITEMS, RATE);
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
        BinaryMessageDecoder<GenericRecord> decoder = new BinaryMessageDecoder<>(GenericData.get(), schema);
        for (int i = 0; i < 100; i++) {
            Interaction e = generator.next(START + i);
            GenericRecord record = e.toRecord(schema);
            assertThat(GenericData.get().validate(schema, record)).isTrue();
            GenericRecord back = decoder.decode(encoder.encode(record));
            assertThat(back.get("itemId").toString()).isEqualTo(e.itemId());
            assertThat(back.get("eventTime")).isEqualTo(e.eventTime());
            assertThat(back.get("action").toString()).isEqualTo(e.action());
        }
        assertThat(schema.getFields()).hasSize(7);
    }

    private static double share(List<Interaction> events, String category) {
        return (double) events.stream().filter(e -> e.category().equals(category)).count() / events.size();
    }
}
