package io.riffle.tests.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A Dockerfile's instructions, with continuation lines joined and comments dropped. */
final class DockerfileInstructions {
    /** One instruction: {@code COPY --from=build /out/ /opt/}: keyword COPY, its words. */
    record Instruction(String keyword, List<String> words) {
        List<String> flags() {
            return words.stream().filter(w -> w.startsWith("--")).toList();
        }

        List<String> arguments() {
            return words.stream().filter(w -> !w.startsWith("--")).toList();
        }

        String flag(String name) {
            return flags().stream().filter(f -> f.startsWith("--" + name + "="))
                    .map(f -> f.substring(name.length() + 3)).findFirst().orElse(null);
        }
    }

    private DockerfileInstructions() {}

    static List<Instruction> read(Path dockerfile) throws IOException {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                continue;   // a comment, also inside a continued instruction
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String text = current.toString().strip();
            current.setLength(0);
            if (!text.isEmpty()) {
                String[] words = text.split("\\s+");
                instructions.add(new Instruction(words[0].toUpperCase(Locale.ROOT),
                        List.of(Arrays.copyOfRange(words, 1, words.length))));
            }
        }
        return instructions;
    }

    /** Stage names ({@code FROM image AS name}), in order. */
    static List<String> stages(List<Instruction> instructions) {
        List<String> names = new ArrayList<>();
        for (Instruction i : instructions) {
            List<String> a = i.arguments();
            if (i.keyword().equals("FROM") && a.size() == 3 && a.get(1).equalsIgnoreCase("AS")) {
                names.add(a.get(2));
            }
        }
        return names;
    }
}
