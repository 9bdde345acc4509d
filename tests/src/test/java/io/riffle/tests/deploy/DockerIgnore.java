package io.riffle.tests.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore}: which paths of the build context the builder never sees. Patterns as
 * Docker reads them ({@code *}, {@code ?}, {@code **}, {@code !} exceptions, the last matching
 * line wins); a pattern that matches a directory excludes everything under it.
 */
final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exclude) {}

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    static DockerIgnore read(Path file) throws IOException {
        List<Rule> rules = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String p = line.strip();
                if (p.isEmpty() || p.startsWith("#")) {
                    continue;
                }
                boolean exclude = !p.startsWith("!");
                p = (exclude ? p : p.substring(1)).replaceAll("^/+", "").replaceAll("/+$", "");
                rules.add(new Rule(Pattern.compile(toRegex(p)), exclude));
            }
        }
        return new DockerIgnore(rules);
    }

    /** Is {@code relative} (a path in the context, '/'-separated) or one of its parents excluded? */
    boolean excludes(String relative) {
        String path = relative.replaceAll("^\\./", "").replaceAll("/+$", "");
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesItselfOrParent(rule.pattern(), path)) {
                excluded = rule.exclude();
            }
        }
        return excluded;
    }

    private static boolean matchesItselfOrParent(Pattern pattern, String path) {
        String p = path;
        while (true) {
            if (pattern.matcher(p).matches()) {
                return true;
            }
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return false;
            }
            p = p.substring(0, slash);
        }
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                boolean slash = i + 2 < glob.length() && glob.charAt(i + 2) == '/';
                re.append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
