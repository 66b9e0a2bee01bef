package io.initsweep;

import io.initsweep.tiers.Dl4jTest;
import io.initsweep.tiers.SparkTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The boundaries of the code, read from its imports so they cannot erode unnoticed: the pure core imports no
 * engine (Spark, Hadoop, DL4J, ND4J); DL4J and ND4J live in the package that owns them (and where data-parallel
 * training joins them to Spark); Spark lives where Spark is the point; the packages form no cycle; and every test
 * that starts Spark or DL4J carries its tier's tag.
 */
class TestArchitecture {
    private static final Path MAIN = Path.of("src/main/java/io/initsweep");
    private static final Path TESTS = Path.of("src/test/java/io/initsweep");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\b(?:org\\.apache\\.spark|org\\.apache\\.hadoop|org\\.deeplearning4j|org\\.nd4j|io\\.initsweep)\\.[\\w.]+");

    private static final List<String> SPARK = List.of("org.apache.spark.", "org.apache.hadoop.", "scala.");
    private static final List<String> DL4J = List.of("org.deeplearning4j.", "org.nd4j.", "org.bytedeco.");

    private static final Set<String> COMPOSITION = Set.of("org.apache.spark.sql.SparkSession",
            "org.apache.spark.api.java.JavaSparkContext");

    /** Packages that may use nothing but plain Java and small libraries. */
    private static final Set<String> PURE = Set.of("common", "model", "init", "data", "spec", "grid", "train",
            "stats", "theory", "report");

    @Test
    void thePureCoreImportsNoEngine() throws IOException {
        List<String> violations = new ArrayList<>();
        imports().forEach((file, imports) -> {
            String pkg = packageOf(file);
            if (PURE.contains(pkg)) {
                imports.stream().filter(i -> startsWithAny(i, SPARK) || startsWithAny(i, DL4J))
                        .forEach(i -> violations.add(file + " imports " + i));
            }
        });
        assertThat(violations).as("engines in the pure core").isEmpty();
    }

    @Test
    void dl4jStaysInItsPackageAndSparkInItsOwn() throws IOException {
        List<String> violations = new ArrayList<>();
        imports().forEach((file, imports) -> {
            String pkg = packageOf(file);
            for (String i : imports) {
                if (startsWithAny(i, DL4J) && !Set.of("dl4j", "dataparallel", "bench").contains(pkg)) {
                    violations.add(file + " imports " + i + " (DL4J/ND4J belong in dl4j)");
                }
                // The command line wires the session it creates into services; it reads no rows and builds no
                // queries of its own, so the two handles are all of Spark it may name.
                boolean wiring = pkg.equals("cli") && COMPOSITION.contains(i);
                if (startsWithAny(i, SPARK) && !wiring
                        && !Set.of("spark", "schema", "dataparallel", "bench").contains(pkg)) {
                    violations.add(file + " imports " + i + " (Spark belongs in spark and schema)");
                }
                if (pkg.equals("spark") && i.startsWith("io.initsweep.dl4j.")) {
                    violations.add(file + " imports " + i + " (the fan-out gets its trainer from the composition "
                            + "root, it does not build one)");
                }
            }
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void packagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        imports().forEach((file, imports) -> {
            String pkg = packageOf(file);
            for (String i : imports) {
                if (i.startsWith("io.initsweep.")) {
                    String target = i.substring("io.initsweep.".length()).split("\\.")[0];
                    if (!target.equals(pkg)) {
                        uses.computeIfAbsent(pkg, k -> new TreeSet<>()).add(target);
                    }
                }
            }
        });
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycle(start, start, uses, new ArrayList<>(List.of(start)), new HashSet<>(), cycles);
        }
        assertThat(cycles).as("package cycles (a -> b -> ... -> a)").isEmpty();
    }

    @Test
    void everyTestThatStartsAnEngineCarriesItsTierTag() throws IOException {
        Pattern spark = Pattern.compile("SparkSession|SparkSessions\\.create|Cli\\.run\\(\"run\"|JavaSparkContext");
        Pattern dl4j = Pattern.compile("Dl4jCellTrainer|MultiLayerNetwork|ComputationGraph|\\bNd4j\\.|INDArray");
        List<String> untagged = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("Test\\w+\\.java")).toList()) {
                String text = Files.readString(file);
                boolean tagged = text.contains("@" + SparkTest.class.getSimpleName())
                        || text.contains("@" + Dl4jTest.class.getSimpleName());
                if (!tagged && (spark.matcher(text).find() || dl4j.matcher(text).find())
                        && !file.getFileName().toString().equals("TestArchitecture.java")) {
                    untagged.add(TESTS.relativize(file).toString());
                }
            }
        }
        assertThat(untagged).as("tests that start Spark or DL4J but would run in the fast unit tier; tag them "
                + "@SparkTest or @Dl4jTest").isEmpty();
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> uses, List<String> path,
                                  Set<String> seen, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                if (start.equals(cycle.stream().min(String::compareTo).orElseThrow())) {
                    cycles.add(String.join(" -> ", cycle));
                }
            } else if (!path.contains(next)) {
                path.add(next);
                findCycle(start, next, uses, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    /**
     * Each main source file (relative to the base package) with what it imports, and the fully qualified names its
     * code uses without an import (comments left out).
     */
    private static Map<String, List<String>> imports() throws IOException {
        Map<String, List<String>> imports = new HashMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> names = new ArrayList<>();
                String text = Files.readString(file);
                Matcher m = IMPORT.matcher(text);
                while (m.find()) {
                    names.add(m.group(1));
                }
                for (String line : text.split("\n")) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/") || code.startsWith("import ")) {
                        continue;
                    }
                    Matcher qualified = QUALIFIED.matcher(code);
                    while (qualified.find()) {
                        names.add(qualified.group());
                    }
                }
                imports.put(MAIN.relativize(file).toString(), names);
            }
        }
        return imports;
    }

    private static String packageOf(String file) {
        int slash = file.indexOf('/');
        return slash < 0 ? "" : file.substring(0, slash);
    }

    private static boolean startsWithAny(String name, List<String> prefixes) {
        return prefixes.stream().anyMatch(name::startsWith);
    }
}
