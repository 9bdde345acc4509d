package io.riffle.modelops.spec;

import io.riffle.modelops.trust.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code scoring.trusted-keys}, {@code scoring.require-spec-hash} and {@code trainer.signing-key}. */
class TrustSettingsSpecTest {

    @TempDir
    Path dir;

    private static final String BASE = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
              fields: [{numeric: amount}]
            models:
              - {name: fraud, task: binary, trainer: {kind: logistic}}
            """;

    @Test
    void keysAreResolvedBesideTheFileAndRead() throws Exception {
        SigningKeys.write(SigningKeys.generate(), dir.resolve("keys/riffle"));
        SigningKeys.write(SigningKeys.generate(), dir.resolve("keys/backup"));
        PipelineSpec p = SpecFixtures.load(dir, BASE + """
                trainer: {signing-key: keys/riffle.key}
                scoring: {trusted-keys: [keys/riffle.pub, keys/backup.pub], require-spec-hash: false}
                """);
        assertThat(p.scoring().trustedKeys()).containsExactly(dir.resolve("keys/riffle.pub").toAbsolutePath().normalize(),
                dir.resolve("keys/backup.pub").toAbsolutePath().normalize());
        assertThat(p.scoring().requireSpecHash()).isFalse();
        assertThat(p.trainer().signingKey()).isEqualTo(dir.resolve("keys/riffle.key").toAbsolutePath().normalize());
    }

    @Test
    void withoutThemNothingIsSignedOrChecked() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, BASE);
        assertThat(p.scoring().trustedKeys()).isEmpty();
        assertThat(p.scoring().requireSpecHash()).isTrue();
        assertThat(p.trainer().signingKey()).isNull();
    }

    @Test
    void wrongKeyFilesAreReportedWhereTheyAreNamed() throws Exception {
        SigningKeys.write(SigningKeys.generate(), dir.resolve("riffle"));
        Files.writeString(dir.resolve("empty.pub"), "");
        List<SpecError> errors = errors(BASE + """
                trainer:
                  signing-key: riffle.pub
                scoring:
                  trusted-keys:
                    - missing.pub
                    - riffle.key
                    - {file: x}
                    - empty.pub
                  require-spec-hash: maybe
                """);
        assertThat(errors).extracting(SpecError::path).containsExactly("trainer.signing-key",
                "scoring.trusted-keys[0]", "scoring.trusted-keys[1]", "scoring.trusted-keys[2]",
                "scoring.trusted-keys[3]", "scoring.require-spec-hash");
        assertThat(errors.get(0).line()).isEqualTo(11);
        assertThat(errors.get(0).column()).isEqualTo(16);
        assertThat(errors.get(0).message()).contains("cannot read signing key " + dir.resolve("riffle.pub"),
                "it holds a public key; give the .key file");
        assertThat(errors.get(1).line()).isEqualTo(14);
        assertThat(errors.get(1).message()).contains("cannot read trusted key " + dir.resolve("missing.pub"),
                "no such file", "riffle models keygen");
        assertThat(errors.get(2).message()).contains("it holds a private key; give the .pub file");
        assertThat(errors.get(3).message()).contains("expected the path of a public key file");
        assertThat(errors.get(4).message()).contains("not an X.509 Ed25519 public key in PEM form");
        assertThat(errors.get(5).message()).contains("expected true or false");
        assertThat(errors.get(1).toString()).startsWith(errors.get(1).file() + ":14:");
    }

    @Test
    void anEmptyOrSingleValueKeyListIsRefused() throws Exception {
        assertThat(errors(BASE + "scoring: {trusted-keys: []}\n")).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("scoring.trusted-keys");
            assertThat(e.message()).contains("the list is empty");
        });
        assertThat(errors(BASE + "scoring: {trusted-keys: riffle.pub}\n")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("expected a list"));
    }

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = SpecFixtures.write(dir, yaml);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.errors();
    }
}
