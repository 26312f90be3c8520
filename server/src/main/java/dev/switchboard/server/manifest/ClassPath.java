package dev.switchboard.server.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A manifest's {@code classpath}: jars and class folders, relative to the manifest's folder, where an entry may be a
 * glob ({@code lib/*.jar}, {@code build/**}{@code /*.jar}). Every entry must name something: a glob that matches no
 * file, or a path that does not exist, is a mistake rather than a silently shorter class path.
 */
final class ClassPath {
    private ClassPath() {
    }

    static List<URL> resolve(Path base, List<String> entries, String manifestName) {
        List<URL> urls = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            String where = manifestName + " classpath[" + i + "] \"" + entry + "\"";
            List<Path> paths = isGlob(entry) ? glob(base, entry, where) : List.of(base.resolve(entry).normalize());
            for (Path path : paths) {
                if (!Files.exists(path)) {
                    throw new ManifestException(where + ": " + path + " does not exist",
                            "build the project first, or correct the path (relative to the manifest's folder)");
                }
                if (!Files.isDirectory(path) && !path.getFileName().toString().endsWith(".jar")) {
                    throw new ManifestException(where + ": " + path + " is neither a jar nor a folder of classes",
                            "name jars (lib/*.jar) or class folders (target/classes)");
                }
                urls.add(url(path));
            }
        }
        return urls;
    }

    static boolean isGlob(String entry) {
        return entry.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The files under the glob's fixed prefix whose path relative to that prefix matches the rest, sorted. */
    private static List<Path> glob(Path base, String entry, String where) {
        String normalized = entry.replace('\\', '/');
        int firstGlob = 0;
        while (firstGlob < normalized.length() && "*?[{".indexOf(normalized.charAt(firstGlob)) < 0) {
            firstGlob++;
        }
        int slash = normalized.lastIndexOf('/', firstGlob);
        Path root = base.resolve(slash < 0 ? "" : normalized.substring(0, slash)).normalize();
        String pattern = slash < 0 ? normalized : normalized.substring(slash + 1);
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> !p.equals(root) && matcher.matches(root.relativize(p))).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (out.isEmpty()) {
            throw new ManifestException(where + " matches no file under " + root,
                    "build the project first (mvn package), or correct the pattern (relative to the manifest's folder)");
        }
        return out;
    }

    private static URL url(Path path) {
        try {
            return path.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("a file path is always a URL: " + path, e);
        }
    }
}
