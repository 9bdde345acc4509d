package io.riffle.cli;

import org.apache.flink.configuration.CoreOptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The jars a job built in this JVM needs on a Flink cluster that has nothing but Flink: the class
 * path entries that hold the job's classes and, following the references in their class files
 * (and {@code META-INF/services}), every entry they use that the cluster does not provide.
 *
 * <p>The cluster provides Flink's distribution — Flink's artifacts, except the connectors and
 * formats it does not bundle (Kafka connector, Avro format, ...) — and the libraries that Flink's
 * user-code class loader always takes from its lib/ (logging, Kryo, ...). That class loader also
 * asks its parent first for {@code org.apache.flink.} classes, so a shipped connector is used only
 * where the cluster has none. Jar granularity: one referenced class ships its whole jar. Classes
 * directories (an IDE's class path) are packed into temporary jars.
 */
final class JobJars {
    private static final Pattern VERSIONED = Pattern.compile("^META-INF/versions/\\d+/");
    /**
     * Packages that Flink's user-code class loader takes from its parent first
     * ({@code classloader.parent-first-patterns.default}: the JDK's XML, SLF4J and Log4j, Kryo, ...)
     * and that Flink's lib/ has: a job must not bring its own. The parent-first packages that a
     * plain Flink distribution lacks (Scala, Hadoop, Commons Logging, Logback) ship when referenced.
     */
    private static final List<String> PROVIDED_PARENT_FIRST = CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS
            .defaultValue().stream()
            .filter(p -> !List.of("scala.", "org.apache.hadoop.", "org.apache.commons.logging", "ch.qos.logback")
                    .contains(p))
            .map(p -> p.replace('.', '/'))
            .toList();
    private static final Pattern ARTIFACT = Pattern.compile("^(.+?)-\\d.*$");
    /** Flink connectors that Flink's distribution bundles; every other flink-connector-* is the job's. */
    private static final Set<String> BUNDLED_CONNECTORS = Set.of("flink-connector-base", "flink-connector-files",
            "flink-connector-datagen");
    private static final List<String> UNBUNDLED_PREFIXES = List.of("flink-connector-", "flink-sql-", "flink-avro",
            "flink-parquet", "flink-orc", "flink-protobuf");

    private final List<Path> jars;

    private JobJars(List<Path> jars) {
        this.jars = List.copyOf(jars);
    }

    /** The jars to ship for a job whose code is (and references from) the entries holding {@code roots}. */
    static JobJars forJobClasses(Class<?>... roots) throws IOException {
        List<Path> classPath = classPath();
        Set<Path> rootEntries = new LinkedHashSet<>();
        for (Class<?> root : roots) {
            rootEntries.add(entryOf(root));
        }
        List<Path> shipped = new ArrayList<>();
        for (Path entry : reachable(classPath, rootEntries, JobJars::providedByFlinkCluster)) {
            shipped.add(Files.isDirectory(entry) ? packDirectory(entry) : entry);
        }
        return new JobJars(shipped);
    }

    /**
     * Without the jars of {@code artifacts} (e.g. "onnxruntime"), which the cluster has in lib/;
     * an artifact that is not among the jars is an error whose message lists them.
     */
    JobJars without(Collection<String> artifacts) {
        List<Path> kept = new ArrayList<>(jars);
        for (String artifact : artifacts) {
            if (!kept.removeIf(jar -> artifactName(jar).equals(artifact))) {
                throw new IllegalArgumentException("--provided " + artifact + " is not among the jars the job needs: "
                        + names());
            }
        }
        return new JobJars(kept);
    }

    /** Jar files to ship, in class path order. */
    List<Path> jars() {
        return jars;
    }

    long totalBytes() throws IOException {
        long total = 0;
        for (Path jar : jars) {
            total += Files.size(jar);
        }
        return total;
    }

    /** Artifact names of the jars, e.g. "riffle-stream-jobs, kafka-clients, avro". */
    String names() {
        List<String> names = new ArrayList<>();
        for (Path jar : jars) {
            names.add(artifactName(jar));
        }
        return String.join(", ", names);
    }

    /** This JVM's class path (the launcher's {@code -cp}; Surefire and Failsafe set it too). */
    static List<Path> classPath() {
        List<Path> entries = new ArrayList<>();
        for (String s : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!s.isBlank() && Files.exists(Path.of(s))) {
                entries.add(Path.of(s).toAbsolutePath().normalize());
            }
        }
        return entries;
    }

    static Path entryOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell which class path entry holds " + c.getName(), e);
        }
    }

    /**
     * The entries of {@code classPath} that {@code roots} need: the roots, and every entry that
     * holds a class referenced from an entry already needed, unless {@code provided} says the
     * referenced class (internal name, e.g. {@code org/slf4j/Logger}) in that entry is provided
     * by whoever runs the code. In class path order.
     */
    static List<Path> reachable(List<Path> classPath, Collection<Path> roots, BiPredicate<String, Path> provided)
            throws IOException {
        Map<String, Path> owners = new HashMap<>();
        for (Path entry : classPath) {
            for (String name : classNames(entry)) {
                owners.putIfAbsent(name, entry);
            }
        }
        Set<Path> needed = new HashSet<>(roots);
        Deque<Path> pending = new ArrayDeque<>(roots);
        while (!pending.isEmpty()) {
            for (String referenced : references(pending.pop())) {
                Path owner = owners.get(referenced);
                if (owner != null && !needed.contains(owner) && !provided.test(referenced, owner)) {
                    needed.add(owner);
                    pending.add(owner);
                }
            }
        }
        List<Path> ordered = new ArrayList<>();
        for (Path entry : classPath) {
            if (needed.remove(entry)) {
                ordered.add(entry);
            }
        }
        ordered.addAll(needed);   // roots that are not on the class path
        return ordered;
    }

    /** What a Flink cluster with Flink's distribution in lib/ gives every job (see the class comment). */
    static boolean providedByFlinkCluster(String internalClassName, Path entry) {
        String artifact = artifactName(entry);
        if (artifact.startsWith("flink-")) {
            return !isUnbundledFlinkArtifact(artifact);
        }
        return PROVIDED_PARENT_FIRST.stream().anyMatch(internalClassName::startsWith);
    }

    /** A Flink artifact that Flink's distribution does not bundle: jobs ship it. */
    static boolean isUnbundledFlinkArtifact(String artifact) {
        if (BUNDLED_CONNECTORS.contains(artifact)) {
            return false;
        }
        return UNBUNDLED_PREFIXES.stream().anyMatch(artifact::startsWith);
    }

    /** "kafka-clients" for {@code .../kafka-clients-4.2.2.jar}; a directory's own name for a classes directory. */
    static String artifactName(Path entry) {
        String file = entry.getFileName().toString();
        if (file.endsWith(".jar")) {
            file = file.substring(0, file.length() - 4);
        }
        if (file.equals("classes") && entry.getParent() != null && entry.getParent().getParent() != null) {
            return entry.getParent().getParent().getFileName().toString();   // <module>/target/classes
        }
        Matcher m = ARTIFACT.matcher(file);
        return m.matches() ? m.group(1) : file;
    }

    private static List<String> classNames(Path entry) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.walk(entry)) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(f -> names.add(
                        className(entry.relativize(f).toString().replace(File.separatorChar, '/'))));
            }
        } else {
            try (ZipFile zip = new ZipFile(entry.toFile())) {
                zip.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> names.add(className(e.getName())));
            }
        }
        return names;
    }

    private static String className(String path) {
        String name = VERSIONED.matcher(path).replaceFirst("");
        return name.substring(0, name.length() - ".class".length());
    }

    /** Classes that the class files and service files of {@code entry} name. */
    private static Set<String> references(Path entry) throws IOException {
        Set<String> refs = new HashSet<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.walk(entry)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String path = entry.relativize(f).toString().replace(File.separatorChar, '/');
                    try (InputStream in = Files.newInputStream(f)) {
                        collect(path, in, refs);
                    }
                }
            }
        } else {
            try (ZipFile zip = new ZipFile(entry.toFile())) {
                for (ZipEntry e : Collections.list(zip.entries())) {
                    if (!e.isDirectory()) {
                        try (InputStream in = zip.getInputStream(e)) {
                            collect(e.getName(), in, refs);
                        }
                    }
                }
            }
        }
        return refs;
    }

    private static void collect(String path, InputStream in, Set<String> refs) throws IOException {
        if (path.endsWith(".class") && !path.endsWith("module-info.class")) {
            classFileReferences(in, refs);
        } else if (path.startsWith("META-INF/services/")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.replaceAll("#.*", "").trim();
                if (!name.isEmpty()) {
                    refs.add(name.replace('.', '/'));
                }
            }
        }
    }

    /**
     * Class names in a class file's constant pool: class entries, and every {@code Lname;} in its
     * strings (descriptors and generic signatures). Works on the raw bytes: a CLI run parses some
     * ten thousand class files in a cold JVM.
     */
    static void classFileReferences(InputStream in, Set<String> refs) throws IOException {
        byte[] b = in.readAllBytes();
        if (b.length < 10 || u4(b, 0) != 0xCAFEBABE) {
            return;
        }
        int count = u2(b, 8);
        int[] utf8Start = new int[count];
        int[] utf8Length = new int[count];
        int[] classNameIndex = new int[count];
        int classes = 0;
        int pos = 10;
        for (int i = 1; i < count; i++) {
            int tag = b[pos++] & 0xFF;
            switch (tag) {
                case 1 -> {                                              // Utf8
                    utf8Length[i] = u2(b, pos);
                    utf8Start[i] = pos + 2;
                    pos += 2 + utf8Length[i];
                }
                case 7 -> {                                              // Class
                    classNameIndex[classes++] = u2(b, pos);
                    pos += 2;
                }
                case 8, 16, 19, 20 -> pos += 2;                          // String, MethodType, Module, Package
                case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 4;            // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                case 15 -> pos += 3;                                     // MethodHandle
                case 5, 6 -> {                                           // Long and Double take two slots
                    pos += 8;
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        for (int c = 0; c < classes; c++) {
            int index = classNameIndex[c];
            if (utf8Length[index] > 0 && b[utf8Start[index]] != '[') {
                refs.add(new String(b, utf8Start[index], utf8Length[index], StandardCharsets.UTF_8));
            }
        }
        for (int i = 1; i < count; i++) {
            if (utf8Length[i] > 0) {
                descriptorClasses(b, utf8Start[i], utf8Start[i] + utf8Length[i], refs);
            }
        }
    }

    /** Adds the {@code name} of every {@code Lname;} or {@code Lname<} with a '/' in it, in linear time. */
    private static void descriptorClasses(byte[] b, int from, int to, Set<String> refs) {
        int i = from;
        while (i < to) {
            if (b[i] != 'L') {
                i++;
                continue;
            }
            int j = i + 1;
            boolean slash = false;
            while (j < to && (isNameByte(b[j]) || b[j] == '/')) {
                slash |= b[j] == '/';
                j++;
            }
            if (slash && j > i + 1 && j < to && (b[j] == ';' || b[j] == '<') && b[i + 1] != '/') {
                refs.add(new String(b, i + 1, j - i - 1, StandardCharsets.UTF_8));
            }
            // a start inside [i, j) ends at the same byte j: it cannot match where this one did not
            i = Math.max(j, i + 1);
        }
    }

    private static boolean isNameByte(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    }

    private static int u2(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u4(byte[] b, int at) {
        return (u2(b, at) << 16) | u2(b, at + 2);
    }

    /** A temporary jar with the files of a classes directory (deleted when the JVM exits). */
    static Path packDirectory(Path dir) throws IOException {
        Path jar = Files.createTempFile(artifactName(dir) + "-", ".jar");
        jar.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream zip = new JarOutputStream(out);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                zip.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return jar;
    }
}
