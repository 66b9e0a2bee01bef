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

    /**
     * A small edge-of-chaos sweep: tanh at σ_w² = gain² ∈ {0.64, 1.44, 2.56} and σ_b² = bias-std² ∈ {0, 0.25}, on both
     * sides of the order-to-chaos line (σ_w² = 1 at σ_b² = 0, about 2.4 at 0.25); the ordered 6ξ_c = 6 line lies
     * inside too. Its report has a phase diagram and the measured-against-predicted panels.
     */
    static final String THEORY_SPEC = """
            name: eoc
            seeds: 2
            grid:
              scheme: ['variance_scaling(gain=0.8)', 'variance_scaling(gain=1.2)', 'variance_scaling(gain=1.6)']
              bias-std: [0.0, 0.5]
            model: {depth: 6, width: 16, activation: tanh}
            training: {epochs: 2, batch-size: 32, learning-rate: 0.05, diagnostics-every: 1}
            data: {dataset: blobs, samples: 120}
            """;

    @BeforeAll
    static void sweep() throws Exception {
        warehouse = dir.resolve("warehouse");
        Path spec = Files.writeString(dir.resolve("nb.yaml"), SPEC);
        String[] result = cli("run", spec.toString(), "--out", warehouse.toString(), "--master", "local[2,4]");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
        Path theory = Files.writeString(dir.resolve("eoc.yaml"), THEORY_SPEC);
        result = cli("run", theory.toString(), "--out", warehouse.toString(), "--master", "local[2,4]");
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
                        + "WHERE sweep = 'nb' AND data_seed = 0 ORDER BY 1,2,3");
        assertThat(table[0]).as(table[2]).isEqualTo("0");
        List<String> lines = table[1].lines().toList();
        assertThat(lines.get(0)).startsWith("scheme").contains("n_seeds");
        assertThat(lines.get(2)).startsWith("he_normal      1      relu        4");
        assertThat(lines).contains("(8 rows)");

        String[] csv = cli("sql", "--out", warehouse.toString(), "--format", "csv",
                "SELECT scheme, count(*) AS n FROM initsweep.runs WHERE sweep = 'nb' GROUP BY scheme ORDER BY scheme");
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
        // activation × depth = 4; measured against predicted: 2 per activation. No phase diagram: one σ_b² only.
        assertThat(charts.length - 1).as("charts").isEqualTo(8 + 4 + 4 + 4);
        assertThat(dom).doesNotContain("id=\"phase-0\"").contains("id=\"theory-q-1\"");
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

    /**
     * The edge-of-chaos sweep's report: one phase diagram (tanh, depth 6) with its six cells and the theory's lines
     * (the order-to-chaos line and the ordered side's 6ξ_c = 6 line cross it), and the two measured-against-predicted
     * panels; the catalog holds the layer rows measured after each epoch, which the views of the initial network
     * leave out.
     */
    @Test
    void theTheorysChartsRenderWhereTheSweepHasTheirData() throws Exception {
        Path html = dir.resolve("eoc.html");
        String[] result = cli("report", "--out", warehouse.toString(), "--sweep", "eoc", "--to", html.toString());
        assertThat(result[0]).as(result[2]).isEqualTo("0");
        SparkSession spark = SparkSession.active();
        assertThat(spark.sql("SELECT phase, count(*) FROM initsweep.layers l JOIN initsweep.runs r USING (sweep, "
                + "cell_id) WHERE sweep = 'eoc' GROUP BY phase ORDER BY phase").collectAsList())
                .extracting(Row::toString).containsExactly("[final,84]", "[init,84]", "[training,84]");
        assertThat(spark.sql("SELECT count(*) FROM initsweep.theory_layers WHERE sweep = 'eoc'").first().getLong(0))
                .isEqualTo(84);
        assertThat(spark.sql("SELECT sum(n_seeds) FROM initsweep.propagation WHERE sweep = 'eoc' AND layer = 0")
                .first().getLong(0)).isEqualTo(12);
        List<Row> theory = spark.sql("SELECT bias_std, sigma_b2, sigma_w2, theory_phase, jacobian_msv FROM "
                + "initsweep.runs WHERE sweep = 'eoc' AND seed = 0 ORDER BY sigma_w2, sigma_b2").collectAsList();
        assertThat(theory).hasSize(6);
        assertThat(theory).extracting(r -> r.getString(3)).containsExactly("ordered", "ordered", "chaotic",
                "ordered", "chaotic", "chaotic");
        assertThat(theory).allSatisfy(r -> assertThat(r.getDouble(4)).isPositive());

        String dom = browser(chromium(), "--dump-dom", html);
        Path screenshot = Path.of("target", "report-test", "theory.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        browser(chromium(), "--screenshot=" + screenshot, html);
        assertThat(dom).contains("data-ready=\"true\"");
        Matcher errors = Pattern.compile("<pre id=\"errors\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(errors.find()).isTrue();
        assertThat(errors.group(1)).as("errors on the page").isEmpty();
        for (String id : List.of("phase-0", "theory-q-0", "theory-grad-0")) {
            Matcher chart = Pattern.compile("<div class=\"chart[^\"]*\" id=\"" + id + "\"[^>]*>(.*?)</svg>",
                    Pattern.DOTALL).matcher(dom);
            assertThat(chart.find()).as(id).isTrue();
            assertThat(chart.group(0)).contains("<svg");
            Matcher rendered = Pattern.compile("data-rendered=\"(\\d+)\"").matcher(chart.group(0));
            assertThat(rendered.find()).as(id).isTrue();
            assertThat(Integer.parseInt(rendered.group(1))).as(id).isPositive();
            assertThat(Pattern.compile("<path").matcher(chart.group(1)).results().count()).as(id).isGreaterThan(5);
        }
        Matcher phase = Pattern.compile("id=\"phase-0\"[^>]*").matcher(dom);
        assertThat(phase.find()).isTrue();
        assertThat(phase.group()).contains("data-rendered=\"6\"").contains("tanh, depth 6");
        Matcher lines = Pattern.compile("data-lines=\"(\\d+),(\\d+),(\\d+)\"").matcher(phase.group());
        assertThat(lines.find()).isTrue();
        assertThat(Integer.parseInt(lines.group(1))).as("points of the chi1 = 1 line").isGreaterThan(5);
        assertThat(Integer.parseInt(lines.group(2))).as("points of the ordered 6 xi_c line").isGreaterThan(5);
        assertThat(dom).doesNotContain("id=\"phase-1\"").doesNotContain("id=\"theory-q-1\"");
        assertThat(screenshot).exists();
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
