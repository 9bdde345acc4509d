package io.riffle.modelops.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Each class of mistake gives an error naming the file, the line, the field path and what is allowed. */
class PipelineSpecErrorsTest {

    @TempDir
    Path dir;

    private static final String EVENTS = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            """;

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = SpecFixtures.write(dir, yaml);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        assertThat(e.getMessage()).contains("pipeline.yaml");
        return e.errors();
    }

    private static SpecError only(List<SpecError> errors) {
        assertThat(errors).as(errors.toString()).hasSize(1);
        return errors.get(0);
    }

    @Test
    void unknownKeySuggestsTheNearMiss() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields:
                    - numeric: amount
                      log1q: true
                """));
        assertThat(e.line()).isEqualTo(9);
        assertThat(e.path()).isEqualTo("features.fields[0].log1q");
        assertThat(e.message()).contains("unknown key 'log1q'", "did you mean 'log1p'", "allowed here: numeric, clip, log1p, missing");
        assertThat(e.file()).endsWith("pipeline.yaml");
        assertThat(e.toString()).startsWith(e.file() + ":9:7: features.fields[0].log1q: ");
    }

    @Test
    void unknownTopLevelSection() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                feature:
                  fields: [{numeric: amount}]
                """);
        // the misspelt section also leaves 'features' missing: both are reported
        assertThat(all).extracting(SpecError::path).containsExactly("features", "feature");
        SpecError e = all.get(1);
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.message()).contains("did you mean 'features'");
    }

    @Test
    void unknownFeatureFunction() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  aggregates:
                    windows: [1h]
                    functions:
                      - count
                      - avg: amount
                """));
        assertThat(e.line()).isEqualTo(11);
        assertThat(e.path()).isEqualTo("features.aggregates.functions[1].avg");
        assertThat(e.message()).contains("unknown feature function 'avg'",
                "allowed: count, sum, mean, std, min, max, distinct, time_since_previous, count_by, session_events, session_duration");
    }

    @Test
    void unknownFunctionInARatioExpression() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                  ratios:
                    - of: amount
                      to: meen(amount, 1h)
                """));
        assertThat(e.line()).isEqualTo(10);
        assertThat(e.path()).isEqualTo("features.ratios[0].to");
        assertThat(e.message()).contains("unknown feature function 'meen'", "did you mean 'mean'");
    }

    @Test
    void windowThatIsNotADuration() throws Exception {
        // both bad windows are reported, on the same line
        List<SpecError> all = errors(EVENTS + """
                features:
                  aggregates:
                    windows: [1m, 60, 1 hour]
                    functions: [count]
                """);
        assertThat(all).hasSize(2);
        assertThat(all.get(0).line()).isEqualTo(8);
        assertThat(all.get(0).path()).isEqualTo("features.aggregates.windows[1]");
        assertThat(all.get(0).message()).contains("'60' is not a duration", "ms, s, m, h or d");
        assertThat(all.get(0).column()).isEqualTo(19);
        assertThat(all.get(1).path()).isEqualTo("features.aggregates.windows[2]");
    }

    @Test
    void fieldNotInSchemaNamesTheSchemaFields() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields:
                    - numeric: amout
                """));
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.column()).isEqualTo(16);
        assertThat(e.path()).isEqualTo("features.fields[0].numeric");
        assertThat(e.message()).contains("field 'amout' is not in the event schema ShopEvent", "did you mean 'amount'",
                "its fields are: eventId, userId, amount, quantity, country, online, kind, ts, tsIso");
    }

    @Test
    void numericFunctionOnAStringField() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                features:
                  fields:
                    - numeric: country
                  aggregates:
                    windows: [1h]
                    functions:
                      - sum: country
                """);
        assertThat(all).hasSize(2);
        assertThat(all.get(0).line()).isEqualTo(8);
        assertThat(all.get(0).message()).contains("needs a field of type int, long, float, double", "'country' is string",
                "use a categorical feature");
        assertThat(all.get(1).line()).isEqualTo(12);
        assertThat(all.get(1).path()).isEqualTo("features.aggregates.functions[0].sum");
        assertThat(all.get(1).message()).contains("'sum' needs a field of type int, long, float, double");
    }

    @Test
    void missingRequiredKeys() throws Exception {
        List<SpecError> all = errors("""
                events:
                  schema: events.avsc
                  time: {unit: epoch-millis}
                """);
        assertThat(all).extracting(SpecError::path)
                .containsExactlyInAnyOrder("events.key", "events.id", "events.time.field", "features");
        SpecError key = all.stream().filter(e -> e.path().equals("events.key")).findFirst().orElseThrow();
        assertThat(key.line()).isEqualTo(1);
        assertThat(key.message()).contains("missing required key 'key'");
        SpecError timeField = all.stream().filter(e -> e.path().equals("events.time.field")).findFirst().orElseThrow();
        assertThat(timeField.line()).isEqualTo(3);
    }

    @Test
    void badEnumValueListsTheAllowedOnes() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                models:
                  - name: m
                    task: binary
                    trainer: {kind: xgboost}
                """));
        assertThat(e.line()).isEqualTo(11);
        assertThat(e.path()).isEqualTo("models[0].trainer.kind");
        assertThat(e.message()).contains("'xgboost' is not allowed", "allowed: logistic, mlp, autoencoder, gbdt");
    }

    @Test
    void topKIsForMulticlassModelsAndBounded() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                models:
                  - name: fraud
                    task: binary
                    trainer: {kind: logistic}
                    top-k: 5
                  - name: recs
                    task: multiclass
                    trainer: {kind: mlp}
                    top-k: 0
                """);
        assertThat(all).extracting(SpecError::path).containsExactly("models[0].top-k", "models[1].top-k");
        assertThat(all.get(0).line()).isEqualTo(12);
        assertThat(all.get(0).message()).contains("top-k applies to task multiclass only", "remove top-k");
        assertThat(all.get(1).line()).isEqualTo(16);
    }

    @Test
    void hyperParametersAreTypedForTheirKind() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                models:
                  - name: m
                    task: binary
                    trainer: {kind: mlp, params: {max-epochs: many, hidden-layers: [8, 0], trees: 10}}
                  - name: g
                    task: binary
                    trainer: {kind: gbdt, params: {eta: -1}}
                """);
        assertThat(all).extracting(SpecError::path).containsExactlyInAnyOrder("models[0].trainer.params.max-epochs",
                "models[0].trainer.params.hidden-layers[1]", "models[0].trainer.params.trees",
                "models[1].trainer.params.eta");
        assertThat(all).allSatisfy(e -> assertThat(e.line()).isIn(11, 14));
        assertThat(all).extracting(SpecError::message).anySatisfy(m -> assertThat(m).contains("unknown key 'trees'",
                "allowed here: hidden-layers, max-epochs"));
    }

    @Test
    void trainerOptionsAreTypedAndRangeChecked() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                trainer:
                  max-examples: 100
                  min-examples: 500
                  min-positives: -1
                  holdout-fraction: 0.7
                  validation-fraction: none
                  drift: {detector: adwn, delta: 2}
                """);
        assertThat(all).extracting(SpecError::path).containsExactlyInAnyOrder("trainer.min-examples",
                "trainer.min-positives", "trainer.holdout-fraction", "trainer.validation-fraction",
                "trainer.drift.detector", "trainer.drift.delta");
        assertThat(all).filteredOn(e -> e.path().equals("trainer.min-examples")).singleElement()
                .satisfies(e -> {
                    assertThat(e.line()).isEqualTo(10);
                    assertThat(e.message()).contains("min-examples 500 is above max-examples 100");
                });
        assertThat(all).filteredOn(e -> e.path().equals("trainer.holdout-fraction")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("expected a number from 0.01 to 0.49, or 0 for no holdout"));
        assertThat(all).filteredOn(e -> e.path().equals("trainer.drift.detector")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("did you mean 'adwin'"));
    }

    @Test
    void aHoldoutBelowTheLeastShareIsAnErrorUnlessItIsZero() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                trainer:
                  holdout-fraction: 0.005
                """));
        assertThat(e.path()).isEqualTo("trainer.holdout-fraction");
        assertThat(e.message()).contains("expected a number from 0.01 to 0.49, or 0 for no holdout, found '0.005'");
    }

    @Test
    void anIgnoredFeatureMustBeOneOfThePipelinesFeatures() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields: [{numeric: amount}, {categorical: country, hash: 2}]
                models:
                  - name: fraud
                    task: binary
                    trainer:
                      kind: mlp
                      ignore: [country_hash_1, amout]
                """));
        assertThat(e.line()).isEqualTo(13);
        assertThat(e.path()).isEqualTo("models[0].trainer.ignore[1]");
        assertThat(e.message()).contains("model 'fraud' ignores 'amout'", "not one of the pipeline's 3 features",
                "did you mean 'amount'");
    }

    @Test
    void timeUnitMustMatchTheFieldType() throws Exception {
        SpecError e = only(errors("""
                events:
                  schema: events.avsc
                  key: userId
                  id: eventId
                  time: {field: tsIso, unit: epoch-millis}
                features:
                  fields: [{numeric: amount}]
                """));
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.path()).isEqualTo("events.time.field");
        assertThat(e.message()).contains("'tsIso' is string");
    }

    @Test
    void allErrorsAreReportedTogetherInFileOrder() throws Exception {
        Path file = SpecFixtures.write(dir, EVENTS + """
                features:
                  fields:
                    - numeric: nope
                    - {categorical: country}
                  time: [hour_of_dya]
                scoring:
                  delivery: twice
                  batch-size: -1
                """);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e.errors()).extracting(SpecError::line).containsExactly(8, 9, 10, 12, 13);
        assertThat(e.getMessage()).startsWith("5 errors in pipeline file").contains(
                "pipeline.yaml:10:10: features.time[0]: unknown time feature 'hour_of_dya' (did you mean 'hour_of_day'?)",
                "exactly one of 'hash: <buckets>' or 'one_hot: [values...]'",
                "'twice' is not allowed; allowed: exactly-once, at-least-once",
                "expected a whole number from 1 to 1048576, found '-1'");
    }

    @Test
    void schemaProblemsPointAtTheSchemaKey() throws Exception {
        SpecError e = only(errors("""
                events:
                  schema: missing.avsc
                  key: userId
                  id: eventId
                  time: {field: ts}
                features:
                  fields: [{numeric: amount}]
                """));
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.path()).isEqualTo("events.schema");
        assertThat(e.message()).contains("cannot read the schema file");
    }

    @Test
    void yamlSyntaxErrorHasItsLine() throws Exception {
        SpecError e = only(errors(EVENTS + """
                features:
                  fields: [{numeric: amount}
                """));
        assertThat(e.line()).isGreaterThanOrEqualTo(7);
        assertThat(e.message()).startsWith("not valid YAML");
    }

    @Test
    void duplicateFeatureNamesAndDuplicateKeys() throws Exception {
        List<SpecError> all = errors(EVENTS + """
                features:
                  fields:
                    - numeric: amount
                    - numeric: amount
                """);
        assertThat(only(all).message()).contains("feature name 'amount' is produced twice");
        List<SpecError> dup = errors(EVENTS + """
                features:
                  fields: [{numeric: amount}]
                events: {}
                """);
        assertThat(dup).anySatisfy(err -> {
            assertThat(err.line()).isEqualTo(8);
            assertThat(err.message()).contains("appears twice");
        });
    }

    private static final String FEATURES = """
            features:
              fields: [{numeric: amount}]
            """;

    @Test
    void guardsOfTheEventsAreTypedAndValidated() throws Exception {
        List<SpecError> all = errors("""
                events:
                  schema: events.avsc
                  key: userId
                  id: eventId
                  time: {field: ts, unit: epoch-millis, max-future: soon}
                  max-record-size: 12 parsecs
                  duplicates: {within: 10m, then: ignore}
                """ + FEATURES);
        assertThat(all).extracting(SpecError::path)
                .containsExactly("events.time.max-future", "events.max-record-size", "events.duplicates.then");
        assertThat(all.get(1).message()).contains("256KiB");
        assertThat(all.get(2).message()).contains("dead-letter, score");
    }

    @Test
    void guardsAndOutputSettingsAreRead() throws Exception {
        Path file = SpecFixtures.write(dir, """
                events:
                  schema: events.avsc
                  key: userId
                  id: eventId
                  time: {field: ts, unit: epoch-millis, max-future: 5m, max-age: 30d}
                  max-record-size: 1MiB
                  duplicates: {within: off}
                """ + FEATURES + """
                scoring: {output-timestamp: event-time, on-model-failure: block}
                """);
        PipelineSpec spec = PipelineSpec.load(file);
        assertThat(spec.events().maxFuture()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(spec.events().maxAge()).isEqualTo(java.time.Duration.ofDays(30));
        assertThat(spec.events().maxRecordBytes()).isEqualTo(1 << 20);
        assertThat(spec.events().duplicates().checked()).isFalse();
        assertThat(spec.scoring().outputTimestamp()).isEqualTo(OutputTimestamp.EVENT_TIME);
        assertThat(spec.scoring().onModelFailure()).isEqualTo(io.riffle.schemas.Decision.BLOCK);

        PipelineSpec defaults = PipelineSpec.load(SpecFixtures.write(dir, EVENTS + FEATURES));
        assertThat(defaults.events().maxRecordBytes()).isEqualTo(256 * 1024);
        assertThat(defaults.events().maxFuture()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(defaults.events().maxAge()).isZero();
        assertThat(defaults.events().duplicates().checked()).isTrue();
        assertThat(defaults.scoring().outputTimestamp()).isEqualTo(OutputTimestamp.WRITE_TIME);
        assertThat(defaults.scoring().onModelFailure()).isEqualTo(io.riffle.schemas.Decision.REVIEW);
    }

    @Test
    void kafkaPropertiesMayNotWeakenReadCommittedAndMayComeFromTheEnvironment() throws Exception {
        SpecError e = only(errors("""
                kafka:
                  properties: {isolation.level: read_uncommitted}
                """ + EVENTS + FEATURES));
        assertThat(e.path()).isEqualTo("kafka.properties.isolation.level");
        assertThat(e.message()).contains("read_committed");

        SpecError unset = only(errors("""
                kafka:
                  properties: {sasl.jaas.config: "${env:RIFFLE_TEST_UNSET_SECRET}"}
                """ + EVENTS + FEATURES));
        assertThat(unset.path()).isEqualTo("kafka.properties.sasl.jaas.config");
        assertThat(unset.message()).contains("environment variable RIFFLE_TEST_UNSET_SECRET is not set");

        String home = System.getenv("PATH");
        PipelineSpec spec = PipelineSpec.load(SpecFixtures.write(dir, """
                kafka:
                  properties: {ssl.truststore.location: "${env:PATH}/x"}
                """ + EVENTS + FEATURES));
        assertThat(spec.kafka().properties()).containsEntry("ssl.truststore.location", home + "/x");
    }
}
