package io.riffle.modelops.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files: PEM both ways, an owner-only private key, no overwriting, one-line errors. */
class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void writtenKeysReadBackAndSignAndVerify() throws Exception {
        Path out = dir.resolve("keys/riffle");
        SigningKeys.write(SigningKeys.generate(), out);
        Path key = dir.resolve("keys/riffle.key");
        Path pub = dir.resolve("keys/riffle.pub");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        if (Files.getFileStore(key).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        ModelVersion signed = ModelSigner.fromFile(key).sign(TestModels.binaryMlp("fraud", 1, 4, 1L));
        assertThat(ModelVerifier.fromFiles(List.of(pub)).verify(signed)).isEqualTo(ModelVerifier.Verdict.VERIFIED);
        assertThat(ModelVerifier.fromFiles(List.of(pub)).sources()).containsExactly("riffle.pub");
    }

    @Test
    void opensslStylePemWithCrLfAndNoTrailingNewlineIsRead() throws Exception {
        KeyPair pair = SigningKeys.generate();
        String b64 = java.util.Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        Path pub = dir.resolve("openssl.pub");
        Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\r\n" + b64 + "\r\n-----END PUBLIC KEY-----");
        assertThat(SigningKeys.readPublic(pub)).isEqualTo(pair.getPublic());
    }

    @Test
    void existingFilesAreNeverOverwritten() throws Exception {
        Path out = dir.resolve("riffle");
        SigningKeys.write(SigningKeys.generate(), out);
        byte[] before = Files.readAllBytes(dir.resolve("riffle.key"));
        assertThatThrownBy(() -> SigningKeys.write(SigningKeys.generate(), out))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("not overwriting " + dir.resolve("riffle.key"));
        assertThat(Files.readAllBytes(dir.resolve("riffle.key"))).isEqualTo(before);
        // Only the public half present: still refused, and no private key is written beside it.
        Path lonely = dir.resolve("lonely");
        Files.writeString(dir.resolve("lonely.pub"), "x");
        assertThatThrownBy(() -> SigningKeys.write(SigningKeys.generate(), lonely))
                .hasMessageContaining("not overwriting " + dir.resolve("lonely.pub"));
        assertThat(dir.resolve("lonely.key")).doesNotExist();
    }

    @Test
    void wrongFilesGiveOneLineSayingWhatToDo() throws Exception {
        SigningKeys.write(SigningKeys.generate(), dir.resolve("riffle"));
        Path missing = dir.resolve("missing.key");
        assertThatThrownBy(() -> SigningKeys.readPrivate(missing))
                .hasMessage("cannot read signing key " + missing + ": no such file (make one with 'riffle models keygen"
                        + " --out NAME')");
        assertThatThrownBy(() -> SigningKeys.readPrivate(dir.resolve("riffle.pub")))
                .hasMessageContaining("not a PKCS#8 Ed25519 private key in PEM form")
                .hasMessageContaining("it holds a public key; give the .key file");
        assertThatThrownBy(() -> SigningKeys.readPublic(dir.resolve("riffle.key")))
                .hasMessageContaining("cannot read trusted key " + dir.resolve("riffle.key"))
                .hasMessageContaining("give the .pub file");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        Path rsaKey = dir.resolve("rsa.key");
        Files.writeString(rsaKey, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SigningKeys.readPrivate(rsaKey))
                .hasMessage("cannot read signing key " + rsaKey + ": not a PKCS#8 Ed25519 private key (make one with"
                        + " 'riffle models keygen --out NAME')");
        Path garbage = dir.resolve("garbage.pub");
        Files.writeString(garbage, "-----BEGIN PUBLIC KEY-----\n!!!not base64!!!\n-----END PUBLIC KEY-----\n",
                StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ModelVerifier.fromFiles(List.of(garbage)))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("cannot read trusted key " + garbage);
        assertThat(new KeyFileException("x").getMessage()).doesNotContain("\n");
    }
}
