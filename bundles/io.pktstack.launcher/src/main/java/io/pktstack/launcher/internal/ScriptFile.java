package io.pktstack.launcher.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A board startup script: one shell command per line, {@code #} comments,
 * blank lines, and backslash-newline continuations as sh would join them.
 */
final class ScriptFile {

    private ScriptFile() {
    }

    static List<String> read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    static List<String> parse(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1);
                continue;
            }
            cur.append(line);
            String cmd = cur.toString().strip();
            cur.setLength(0);
            if (!cmd.isEmpty() && !cmd.startsWith("#")) {
                out.add(cmd);
            }
        }
        String rest = cur.toString().strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            out.add(rest);
        }
        return out;
    }
}
