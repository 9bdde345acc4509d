package io.riffle.modelops.trust;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Ed25519 key pairs and their files: {@code NAME.key} holds the private key as PEM PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}), readable by its owner only; {@code NAME.pub} the public
 * key as PEM X.509 ({@code -----BEGIN PUBLIC KEY-----}), the form {@code openssl pkey -pubout}
 * writes, so keys made with {@code openssl genpkey -algorithm ed25519} work too.
 */
public final class SigningKeys {

    public static final String ALGORITHM = "Ed25519";
    public static final String PRIVATE_SUFFIX = ".key";
    public static final String PUBLIC_SUFFIX = ".pub";

    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final String KEYGEN_HINT = "make one with 'riffle models keygen --out NAME'";

    private SigningKeys() {}

    /** A fresh key pair from the JDK's Ed25519 provider. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            // Every Java 15+ runtime has it; a JVM without it cannot take part in signing at all.
            throw new IllegalStateException("this Java runtime has no " + ALGORITHM + " provider", e);
        }
    }

    /** The private key file of the pair named {@code out}: {@code out.key}. */
    public static Path privateFile(Path out) {
        return out.resolveSibling(out.getFileName() + PRIVATE_SUFFIX);
    }

    /** The public key file of the pair named {@code out}: {@code out.pub}. */
    public static Path publicFile(Path out) {
        return out.resolveSibling(out.getFileName() + PUBLIC_SUFFIX);
    }

    /**
     * Writes {@code pair} to {@code out.key} (owner read/write only where the file system has POSIX
     * permissions) and {@code out.pub}. Refuses, writing nothing, when either file exists.
     */
    public static void write(KeyPair pair, Path out) throws KeyFileException {
        Path key = privateFile(out);
        Path pub = publicFile(out);
        for (Path p : new Path[] {key, pub}) {
            if (Files.exists(p)) {
                throw new KeyFileException("not overwriting " + p + ": it exists; choose another --out or move it away"
                        + " (versions signed with the old key verify only with the old public key)");
            }
        }
        Path dir = key.toAbsolutePath().getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            // Created with its permissions in one step: the key is never readable by others, not even briefly.
            createOwnerOnly(key);
            Files.writeString(key, pem(PRIVATE_LABEL, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(pub, pem(PUBLIC_LABEL, pair.getPublic().getEncoded()), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException("not overwriting " + e.getFile() + ": it exists; choose another --out", e);
        } catch (IOException e) {
            throw new KeyFileException("cannot write the key pair " + key + " / " + pub + ": " + e, e);
        }
    }

    private static void createOwnerOnly(Path key) throws IOException {
        if (key.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(ownerOnly);
            Files.createFile(key, attr);
            return;
        }
        // No POSIX permissions (Windows): restrict what java.io.File can, before the key is written.
        Files.createFile(key);
        java.io.File f = key.toFile();
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
    }

    /** The private key in {@code file}; the exception's message names the file and how to make one. */
    public static PrivateKey readPrivate(Path file) throws KeyFileException {
        byte[] der = read(file, PRIVATE_LABEL, "signing key", "a PKCS#8 " + ALGORITHM + " private key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeyFileException("cannot read signing key " + file + ": not a PKCS#8 " + ALGORITHM
                    + " private key (" + KEYGEN_HINT + ")", e);
        }
    }

    /** The public key in {@code file}; the exception's message names the file and how to make one. */
    public static PublicKey readPublic(Path file) throws KeyFileException {
        return decodePublic(read(file, PUBLIC_LABEL, "trusted key", "an X.509 " + ALGORITHM + " public key"),
                file.toString());
    }

    /** A public key from its X.509 encoding ({@link PublicKey#getEncoded()}); {@code source} names it in errors. */
    static PublicKey decodePublic(byte[] x509, String source) throws KeyFileException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeyFileException("cannot read trusted key " + source + ": not an X.509 " + ALGORITHM
                    + " public key (use the .pub file 'riffle models keygen' writes)", e);
        }
    }

    private static byte[] read(Path file, String label, String role, String expected) throws KeyFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("cannot read " + role + " " + file + ": no such file (" + KEYGEN_HINT + ")", e);
        } catch (IOException e) {
            throw new KeyFileException("cannot read " + role + " " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from + begin.length());
        if (from < 0 || to < 0) {
            String other = label.equals(PRIVATE_LABEL) ? PUBLIC_LABEL : PRIVATE_LABEL;
            String hint = text.contains("-----BEGIN " + other + "-----")
                    ? " (it holds a " + other.toLowerCase(java.util.Locale.ROOT) + "; give the ."
                            + (label.equals(PRIVATE_LABEL) ? "key" : "pub") + " file)"
                    : " (" + KEYGEN_HINT + ")";
            throw new KeyFileException("cannot read " + role + " " + file + ": not " + expected + " in PEM form, no '"
                    + begin + "' block" + hint);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("cannot read " + role + " " + file + ": the PEM block is not valid base64 ("
                    + KEYGEN_HINT + ")", e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** A short fingerprint of a public key for messages and logs: the first 16 hex digits of its encoding's SHA-256. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
