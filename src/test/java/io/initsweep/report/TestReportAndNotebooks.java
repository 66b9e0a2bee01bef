package io.initsweep.report;

import io.initsweep.cli.Main;
import io.initsweep.common.ExitCode;
import io.initsweep.tiers.SparkTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real small sweep, then what people read of it: the HTML report in a real headless browser, the sql command,
 * and every SQL statement of the notebooks.
 */
@SparkTest
class TestReportAndNotebooks {
    @TempDir
    static Path dir;
    static Path warehouse;

    static final String SPEC = """
            name: nb
            seeds: 4
            grid:
              scheme: [he_normal, xavier_normal]
              depth: [1, 3]
              activation: [relu, tanh]
              data-seed: [0, 1]
            model: {width: 8}
            training: {epochs: 3, batch-size: 32, learning-rate: 0.1, target-loss: 0.9}
            data: {dataset: blobs, samples: 120}
            """;

    @BeforeAll
    static void sweep() throws Exception {
        warehouse = dir.resolve("warehouse");
        Path spec = Files.writeString(dir.resolve("nb.yaml"), SPEC);
        String[] result = cli("run", spec.toString(), "--out", warehouse.toString(), "--master", "local[2]");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
    }

    static String[] cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void sqlPrintsAnAlignedTableAndCsv() {
        String[] table = cli("sql", "--out", warehouse.toString(),
                "SELECT scheme, depth, activation, n_seeds, diverged_rate FROM initsweep.cell_stats "
                        + "WHERE data_seed = 0 ORDER BY 1,2,3");
        assertThat(table[0]).as(table[2]).isEqualTo("0");
        List<String> lines = table[1].lines().toList();
        assertThat(lines.get(0)).startsWith("scheme").contains("n_seeds");
        assertThat(lines.get(2)).startsWith("he_normal      1      relu        4");
        assertThat(lines).contains("(8 rows)");

        String[] csv = cli("sql", "--out", warehouse.toString(), "--format", "csv",
                "SELECT scheme, count(*) AS n FROM initsweep.runs GROUP BY scheme ORDER BY scheme");
        assertThat(csv[1].lines().toList()).containsExactly("scheme,n", "he_normal,32", "xavier_normal,32");

        String[] bad = cli("sql", "--out", warehouse.toString(), "SELEC nonsense");
        assertThat(bad[0]).isEqualTo(Integer.toString(ExitCode.USAGE));
        assertThat(bad[2]).startsWith("error: ");
    }

    @Test
    void everyNotebookStatementRunsAgainstAFreshSweep() throws Exception {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(Path.of("notebooks"))) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertThat(notebooks).hasSizeGreaterThanOrEqualTo(2);
        cli("catalog", "--out", warehouse.toString());
        SparkSession spark = SparkSession.active();
        spark.sql("SET sweep=nb");
        int statements = 0;
        for (Path notebook : notebooks) {
            for (String sql : sqlOf(notebook)) {
                List<Row> rows = spark.sql(sql).collectAsList();
                assertThat(rows).as("%s:\n%s", notebook.getFileName(), sql).isNotEmpty();
                statements++;
            }
        }
        assertThat(statements).isGreaterThanOrEqualTo(10);
    }

    /** The SQL of a notebook: the literal string of every spark.sql("""...""") call in its code cells. */
    static List<String> sqlOf(Path notebook) throws Exception {
        JsonNode root = new ObjectMapper().readTree(notebook.toFile());
        assertThat(root.path("nbformat").asInt()).isEqualTo(4);
        Pattern call = Pattern.compile("spark\\.sql\\(\\s*(f?)\"\"\"(.*?)\"\"\"\\s*\\)", Pattern.DOTALL);
        List<String> statements = new ArrayList<>();
        for (JsonNode cell : root.path("cells")) {
            if (!cell.path("cell_type").asText().equals("code")) {
                continue;
            }
            StringBuilder source = new StringBuilder();
            cell.path("source").forEach(line -> source.append(line.asText()));
            Matcher m = call.matcher(source);
            while (m.find()) {
                assertThat(m.group(1)).as("notebook SQL must be a literal (use ${sweep}), not an f-string").isEmpty();
                statements.add(m.group(2).trim());
            }
        }
        return statements;
    }

    @Test
    void theReportRendersEveryChartInAHeadlessBrowser() throws Exception {
        Path html = dir.resolve("report.html");
        String[] result = cli("report", "--out", warehouse.toString(), "--sweep", "nb", "--to", html.toString());
        assertThat(result[0]).as(result[2]).isEqualTo("0");
        String report = Files.readString(html);
        // Self-contained: nothing is loaded from anywhere (the inlined library's own strings aside).
        assertThat(Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//").matcher(report).find())
                .as("the report references an external resource").isFalse();

        String chromium = chromium();
        Path screenshot = Path.of("target", "report-test", "report.png").toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        String dom = browser(chromium, "--dump-dom", html);
        browser(chromium, "--screenshot=" + screenshot, html);

        assertThat(dom).contains("data-ready=\"true\"");
        Matcher errors = Pattern.compile("<pre id=\"errors\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(errors.find()).isTrue();
        assertThat(errors.group(1)).as("errors on the page").isEmpty();

        // Every chart container rendered an SVG with drawn paths and reports at least one series with data.
        String[] charts = dom.split("<div class=\"chart");
        // curves: depth × activation × data-seed = 8 panels; heatmaps: 2 metrics × 2 activations; propagation:
        // activation × depth = 4
        assertThat(charts.length - 1).as("charts").isEqualTo(8 + 4 + 4);
        for (int i = 1; i < charts.length; i++) {
            String chart = charts[i];
            Matcher rendered = Pattern.compile("data-rendered=\"(\\d+)\"").matcher(chart);
            assertThat(rendered.find()).as(chart.substring(0, Math.min(200, chart.length()))).isTrue();
            assertThat(Integer.parseInt(rendered.group(1))).isPositive();
            assertThat(chart).contains("<svg");
            assertThat(Pattern.compile("<path").matcher(chart).results().count()).isGreaterThan(5);
        }
        assertThat(dom).contains("<table"); // summary and comparison tables
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(20_000);
    }

    static String browser(String chromium, String action, Path html) throws Exception {
        Path profile = Files.createTempDirectory(html.getParent(), "chromium");
        List<String> command = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--window-size=1400,4000", action,
                html.toUri().toString());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        return out;
    }

    /** Debian's chromium; CI installs it (.ci/run) and requires it, elsewhere the browser test is skipped. */
    static String chromium() {
        for (String candidate : List.of(System.getenv().getOrDefault("CHROMIUM", ""), "/usr/bin/chromium",
                "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (!candidate.isEmpty() && new File(candidate).canExecute()) {
                return candidate;
            }
        }
        boolean required = System.getenv("INITSWEEP_REQUIRE_BROWSER") != null;
        assertThat(required).as("INITSWEEP_REQUIRE_BROWSER is set but no chromium was found").isFalse();
        Assumptions.abort("no chromium on this machine: the browser check of the report is skipped");
        return null;
    }
}
