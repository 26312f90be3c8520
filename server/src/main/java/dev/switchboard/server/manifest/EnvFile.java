package dev.switchboard.server.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code .env} file: {@code KEY=VALUE} lines, {@code #} comments, blank lines, an optional {@code export } prefix
 * and optional single or double quotes around the value. A line that is none of these is a mistake, named by its
 * number (its text is not repeated: it may hold a secret).
 */
final class EnvFile {
    private EnvFile() {
    }

    static Map<String, String> read(Path file, String where) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ManifestException(where + ": cannot read " + file + " (" + e.getMessage() + ")",
                    "create the file or remove \"env\" from the manifest", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String key = eq > 0 ? line.substring(0, eq).strip() : "";
            if (!key.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new ManifestException(where + ": line " + (i + 1) + " of " + file + " is not KEY=VALUE",
                        "write one KEY=VALUE per line (# starts a comment)");
            }
            out.put(key, unquote(line.substring(eq + 1).strip()));
        }
        return out;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
