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

    /**
     * Reads a script file.
     *
     * @throws IllegalArgumentException naming the file and saying why it cannot be read (an I/O error's own
     *         message is often only the path)
     */
    static List<String> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("script file '" + file + "' " + why(e), e);
        }
    }

    /** Why a file could not be used, in words: not just the path the exception names. */
    static String why(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "does not exist";
            case java.nio.file.AccessDeniedException x -> "cannot be read: permission denied";
            case java.nio.charset.MalformedInputException x -> "is not UTF-8 text";
            case java.nio.file.FileSystemException x when x.getReason() != null -> "cannot be read: " + x.getReason();
            default -> "cannot be read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        };
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
