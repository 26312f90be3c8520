package dev.switchboard.jdbc;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The start-up fast path of {@link Migrations}: whether a database's history already holds every migration
 * script this build ships, successfully, and none it does not know. Only a plain "yes" skips Flyway; every
 * doubt (no history table, a failed or unknown version, a script location it cannot list) answers "no" and
 * leaves the decision to Flyway.
 */
final class SchemaVersion {
    private static final Pattern SCRIPT = Pattern.compile("V(\\d+(?:[._]\\d+)*)__[^/]*\\.sql");

    private SchemaVersion() {
    }

    static boolean isCurrent(DataSource dataSource, String location, String historyTable) {
        Set<String> shipped = shippedVersions(location);
        if (shipped.isEmpty()) {
            return false;
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, type, success FROM " + historyTable)) {
            Set<String> applied = new HashSet<>();
            while (rs.next()) {
                String version = rs.getString(1);
                if (version == null || "BASELINE".equals(rs.getString(2))) {
                    continue;
                }
                if (!rs.getBoolean(3) || !shipped.contains(version)) {
                    return false; // failed, or newer than this build: Flyway says what to do
                }
                applied.add(version);
            }
            return applied.equals(shipped);
        } catch (SQLException noHistoryYet) {
            return false;
        }
    }

    /** The versions of the scripts under {@code classpath:<location>}, as Flyway spells them ("1", "1.2"). */
    static Set<String> shippedVersions(String location) {
        String path = location.substring("classpath:".length());
        Set<String> versions = new HashSet<>();
        try {
            ClassLoader loader = java.lang.Thread.currentThread().getContextClassLoader();
            Enumeration<URL> roots = (loader != null ? loader : SchemaVersion.class.getClassLoader()).getResources(path);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                switch (root.getProtocol()) {
                    case "file" -> {
                        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
                            files.forEach(f -> add(versions, f.getFileName().toString()));
                        }
                    }
                    case "jar" -> {
                        JarURLConnection connection = (JarURLConnection) root.openConnection();
                        connection.setUseCaches(false);
                        try (JarFile jar = connection.getJarFile()) {
                            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                                String name = e.nextElement().getName();
                                if (name.startsWith(path + "/") && name.indexOf('/', path.length() + 1) < 0) {
                                    add(versions, name.substring(path.length() + 1));
                                }
                            }
                        }
                    }
                    default -> {
                        return Set.of(); // somewhere it cannot list: Flyway decides
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Set.of();
        }
        return versions;
    }

    private static void add(Set<String> versions, String fileName) {
        Matcher m = SCRIPT.matcher(fileName);
        if (m.matches()) {
            versions.add(m.group(1).replace('_', '.'));
        }
    }
}
