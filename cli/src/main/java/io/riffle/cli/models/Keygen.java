package io.riffle.cli.models;

import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riffle models keygen}: make the Ed25519 key pair that signs model versions. */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = {
            "Make an Ed25519 key pair for signing model versions: PATH.key (private, PEM PKCS#8, readable by"
                    + " you only) and PATH.pub (public, PEM X.509). Existing files are never overwritten.",
            "Sign with 'riffle models publish --signing-key PATH.key' (or the pipeline file's trainer.signing-key);"
                    + " scorers whose pipeline file lists PATH.pub under scoring.trusted-keys then serve only"
                    + " versions signed with it."
        })
public final class Keygen implements Callable<Integer> {

    static final int EXIT_REFUSED = 1;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "Where to write the pair: PATH.key and PATH.pub, e.g. keys/riffle.")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KeyPair pair = SigningKeys.generate();
        try {
            SigningKeys.write(pair, out);
        } catch (KeyFileException e) {
            err.printf("no key written: %s%n", e.getMessage());
            return EXIT_REFUSED;
        }
        stdout.printf("wrote %s (private: keep it secret, give it to whoever publishes models)%n",
                SigningKeys.privateFile(out));
        stdout.printf("wrote %s (public, fingerprint %s: list it under scoring.trusted-keys)%n",
                SigningKeys.publicFile(out), SigningKeys.fingerprint(pair.getPublic()));
        return 0;
    }
}
