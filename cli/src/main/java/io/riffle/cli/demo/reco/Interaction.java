package io.riffle.cli.demo.reco;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * One shopper's view or purchase of a catalogue item: the event of the recommendations demo, with
 * the fields of {@code pipelines/recommendations.avsc}. A plain record rather than a generated Avro
 * class because the schema is the pipeline file's (users bring their own), not one of Riffle's
 * contracts in {@code schemas/}.
 */
public record Interaction(String eventId, String userId, long eventTime, String itemId, String category,
                          String action, double price) {

    public static final String VIEW = "view";
    public static final String PURCHASE = "purchase";

    public Interaction {
        if (eventId == null || userId == null || itemId == null || category == null) {
            throw new IllegalArgumentException("eventId, userId, itemId and category are required");
        }
        if (!VIEW.equals(action) && !PURCHASE.equals(action)) {
            throw new IllegalArgumentException("action must be view or purchase, got " + action);
        }
    }

    public boolean purchase() {
        return PURCHASE.equals(action);
    }

    /**
     * This interaction as a record of {@code schema} (the Interaction record of
     * {@code pipelines/recommendations.avsc}), for a generic Avro encoder.
     *
     * @throws IllegalArgumentException naming the field when the schema lacks one of this record's fields
     */
    public GenericData.Record toRecord(Schema schema) {
        GenericData.Record record = new GenericData.Record(schema);
        put(record, "eventId", eventId);
        put(record, "userId", userId);
        put(record, "eventTime", eventTime);
        put(record, "itemId", itemId);
        put(record, "category", category);
        put(record, "action", action);
        put(record, "price", price);
        return record;
    }

    private static void put(GenericData.Record record, String field, Object value) {
        if (record.getSchema().getField(field) == null) {
            throw new IllegalArgumentException("schema " + record.getSchema().getFullName() + " has no field " + field);
        }
        record.put(field, value);
    }
}
