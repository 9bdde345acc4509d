package io.riffle.cli.streams;

import java.util.List;

/** An endless, seeded stream of labeled records: the same seed and options give the same records. */
public interface LabeledStream {

    /** Names of the attributes every record carries, in order. */
    List<String> attributeNames();

    /** The next record; the concept it follows depends on how many records came before. */
    LabeledRecord next();
}
