package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class cache {@code bin/switchboard serve} uses, applied to the servers the bench starts, so P6 measures
 * what a user gets. JDK 25 and later: the first start writes an AOT cache when it exits
 * ({@code -XX:AOTCacheOutput}) and later starts read it ({@code -XX:AOTCache}); JDK 21 to 24: a dynamic CDS
 * archive the JVM makes on its own ({@code -XX:+AutoCreateSharedArchive}). One cache per class path, under the
 * bench's work directory (new each run, so the first start of a run — an unmeasured warm-up — makes it).
 */
final class ClassCache {
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);
    /** Only one start may write an AOT cache: two JVMs writing one file would spoil it. */
    private static final Set<Path> TRAINING = ConcurrentHashMap.newKeySet();

    private ClassCache() {
    }

    /** The JVM options for the next start of ours; none when the cache is off. */
    static List<String> options(Launch launch) throws IOException {
        if (!launch.classCache()) {
            return List.of();
        }
        Path dir = Files.createDirectories(launch.work().resolve("class-cache"));
        String key = Integer.toHexString(launch.classPath().hashCode());
        if (featureVersion(launch.java()) >= 25) {
            Path cache = dir.resolve("ours-" + key + ".aot");
            if (Files.isRegularFile(cache)) {
                return List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
            }
            if (TRAINING.add(cache)) {
                return List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:aot=off", "-Xlog:cds=off");
            }
            // Another start is writing it (when it exits): this one goes without.
            return List.of();
        }
        return List.of("-XX:SharedArchiveFile=" + dir.resolve("ours-" + key + ".jsa"), "-XX:+AutoCreateSharedArchive",
                "-Xlog:cds=off");
    }

    /** What the servers of this run start with, for the P6 notes. */
    static String describe(Launch launch) {
        if (!launch.classCache()) {
            return "without a class cache";
        }
        return featureVersion(launch.java()) >= 25 ? "with the class cache bin/switchboard serve uses (JDK 25+ AOT "
                + "cache, made by the warm-up start)" : "with the class cache bin/switchboard serve uses (dynamic CDS "
                + "archive, made by the warm-up start)";
    }

    /** The feature version of the JDK a java command belongs to, from its {@code release} file (0 if unknown). */
    static int featureVersion(String java) {
        Path home = Path.of(java).toAbsolutePath().getParent().getParent();
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            if (m.find()) {
                int v = Integer.parseInt(m.group(1));
                return v == 1 ? 8 : v;
            }
        } catch (IOException | RuntimeException unknown) {
            // No release file: treat as the oldest supported JDK, whose archive flags every later one accepts.
        }
        return 21;
    }
}
