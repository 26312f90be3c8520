package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the figures were measured on: cores, CPU, memory, JDK, Node, and the load average, sampled every five
 * seconds during the whole run because other people share this machine and a figure means little without it.
 */
final class Machine implements AutoCloseable {
    private final ConcurrentLinkedQueue<Double> loads = new ConcurrentLinkedQueue<>();
    private final String loadBefore = loadavg();
    private final Thread sampler;

    Machine() {
        sampler = Thread.ofPlatform().daemon().name("load-sampler").start(() -> {
            try {
                while (true) {
                    String[] parts = loadavg().split("\\s+");
                    if (parts.length > 0 && !parts[0].isEmpty()) {
                        loads.add(Double.parseDouble(parts[0]));
                    }
                    Thread.sleep(5_000);
                }
            } catch (InterruptedException | NumberFormatException stopped) {
                // Sampling ends with the run.
            }
        });
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    Stats load() {
        return Stats.of(List.copyOf(loads));
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("cores", cores());
        node.put("cpu", cpuModel());
        node.put("memory", memTotal());
        node.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        node.put("node", command("node", "--version"));
        node.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        node.put("loadavg_before", loadBefore);
        node.put("loadavg_after", loadavg());
        node.set("load1_during", load().toJson());
        return node;
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor() == 0 ? out : "unavailable";
        } catch (IOException e) {
            return "unavailable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unavailable";
        }
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
