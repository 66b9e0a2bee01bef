package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.tiers.SparkTest;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code initsweep sql} reads the results and cannot change them, unless asked to with --allow-writes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SparkTest
class TestSqlReadOnly {
    @TempDir
    static Path dir;
    static Path warehouse;

    @BeforeAll
    static void sweep() throws Exception {
        Path spec = Files.writeString(dir.resolve("ro.yaml"), """
                name: ro
                seeds: 2
                grid: {scheme: [he_normal, zero]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 1, batch-size: 32}
                data: {dataset: blobs, samples: 80}
                """);
        warehouse = dir.resolve("warehouse");
        TestSweepIntegration.Cli run = TestSweepIntegration.Cli.run("run", spec.toString(), "--out",
                warehouse.toString(), "--master", "local[2,4]");
        assertThat(run.code()).as(run.output()).isZero();
    }

    private static TestSweepIntegration.Cli sql(String... args) {
        return TestSweepIntegration.Cli.run(Stream.concat(Stream.of("sql", "--out", warehouse.toString()),
                Stream.of(args)).toArray(String[]::new));
    }

    private static List<String> files(String table) throws Exception {
        try (Stream<Path> files = Files.list(warehouse.resolve(table))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @Order(1)
    void writesToTheResultsAreRefusedWithExitCodeTwoAndChangeNothing() throws Exception {
        List<String> runs = files("runs");
        TestSweepIntegration.Cli insert = sql("INSERT INTO initsweep.runs SELECT * FROM initsweep.runs");
        assertThat(insert.code()).as(insert.output()).isEqualTo(ExitCode.USAGE);
        assertThat(insert.err().strip()).isEqualTo("error: INSERT on initsweep.runs refused: SQL here may not "
                + "change initsweep's results (initsweep sql --allow-writes runs it on purpose)");
        TestSweepIntegration.Cli overwrite = sql("INSERT OVERWRITE TABLE initsweep.runs SELECT * FROM parquet.`"
                + warehouse.resolve("runs") + "`");
        assertThat(overwrite.code()).as(overwrite.output()).isEqualTo(ExitCode.USAGE);
        assertThat(overwrite.err()).contains("INSERT OVERWRITE on initsweep.runs refused");
        TestSweepIntegration.Cli unqualified = sql("USE initsweep; DELETE FROM runs WHERE status = 'ok'");
        assertThat(unqualified.code()).as(unqualified.output()).isEqualTo(ExitCode.USAGE);
        assertThat(unqualified.err()).contains("DELETE on initsweep.runs refused");

        assertThat(files("runs")).isEqualTo(runs);
        TestSweepIntegration.Cli count = sql("--format", "csv", "SELECT count(*) AS n FROM initsweep.runs");
        assertThat(count.out()).isEqualTo("n\n4\n");
    }

    @Test
    @Order(2)
    void everyKindOfWriteIsRefusedOnThePlanNotTheText() throws Exception {
        SparkSession spark = SparkSessions.createWithCatalog("local[2,4]", false, warehouse.resolve("_catalog"));
        SqlQueries queries = new SqlQueries(spark, false);
        Path data = Files.writeString(dir.resolve("rows.csv"), "x\n");
        String runs = warehouse.resolve("runs").toString();
        List<String> refused = List.of(
                "INSERT INTO initsweep.epochs SELECT * FROM initsweep.epochs",
                "INSERT OVERWRITE DIRECTORY '" + runs + "' USING parquet SELECT * FROM initsweep.runs",
                "INSERT OVERWRITE DIRECTORY '" + warehouse + "' USING parquet SELECT 1 AS x",
                "UPDATE initsweep.runs SET status = 'ok'",
                "MERGE INTO initsweep.runs t USING initsweep.runs s ON t.cell_id = s.cell_id WHEN MATCHED THEN DELETE",
                "DROP TABLE initsweep.runs",
                "DROP VIEW initsweep.cell_stats",
                "DROP DATABASE initsweep CASCADE",
                "TRUNCATE TABLE initsweep.epochs",
                "ALTER TABLE initsweep.runs SET LOCATION '/tmp/elsewhere'",
                "ALTER TABLE initsweep.runs RENAME TO initsweep.gone",
                "ALTER TABLE initsweep.runs ADD COLUMNS (extra INT)",
                "CREATE TABLE initsweep.copy AS SELECT * FROM initsweep.runs",
                "CREATE OR REPLACE VIEW initsweep.cell_stats AS SELECT 1 AS x",
                "LOAD DATA LOCAL INPATH '" + data + "' INTO TABLE initsweep.runs",
                "CREATE TABLE default.alias_of_runs USING parquet LOCATION '" + runs + "'");
        for (String statement : refused) {
            assertThatThrownBy(() -> queries.execute(statement, 10, false)).as(statement)
                    .isInstanceOfSatisfying(InitsweepException.class,
                            e -> assertThat(e.kind()).isEqualTo(FailureKind.READ_ONLY))
                    .hasMessageContaining("refused: SQL here may not change initsweep's results");
        }
        // Reading, and writing outside the results, is not restricted.
        List<String> allowed = List.of("SELECT count(*) FROM initsweep.cell_stats", "SHOW TABLES IN initsweep",
                "DESCRIBE initsweep.runs", "EXPLAIN SELECT * FROM initsweep.runs", "SET spark.sql.shuffle.partitions=4",
                "USE initsweep", "CACHE TABLE initsweep.runs", "UNCACHE TABLE initsweep.runs",
                "REFRESH TABLE initsweep.runs", "CREATE TEMPORARY VIEW mine AS SELECT * FROM initsweep.runs",
                "CREATE DATABASE IF NOT EXISTS scratch",
                "CREATE TABLE scratch.mine USING parquet AS SELECT * FROM initsweep.runs",
                "INSERT INTO scratch.mine SELECT * FROM initsweep.runs", "DROP TABLE scratch.mine", "USE default");
        for (String statement : allowed) {
            queries.execute(statement, 10, false);
        }
        assertThat(queries.execute("SELECT count(*) FROM initsweep.runs", 10, false).rows())
                .containsExactly(List.of(4L));
        assertThat(spark.catalog().tableExists("initsweep", "runs")).isTrue();
    }

    @Test
    @Order(3)
    void aSyntaxErrorPrintsSparksMessageWithLineAndPosition() {
        TestSweepIntegration.Cli typo = sql("SELECT 1;\nSELEC scheme FROM initsweep.runs");
        assertThat(typo.code()).as(typo.output()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err().lines().toList()).containsExactly(
                "error: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.(line 1, pos 0)",
                "error: == SQL ==",
                "error: SELEC scheme FROM initsweep.runs",
                "error: ^^^");
    }

    @Test
    @Order(4)
    void allowWritesWritesOnPurposeAndCheckThenNamesTheFileNoCommitWrote() throws Exception {
        List<String> before = files("runs");
        TestSweepIntegration.Cli insert = sql("--allow-writes",
                "INSERT INTO initsweep.runs SELECT * FROM initsweep.runs");
        assertThat(insert.code()).as(insert.output()).isZero();
        assertThat(files("runs").size()).isGreaterThan(before.size());
        TestSweepIntegration.Cli count = sql("--format", "csv", "SELECT count(*) AS n FROM initsweep.runs; "
                + "SELECT sum(n_seeds) AS seeds FROM initsweep.cell_stats");
        assertThat(count.out()).as("the table sees the rows twice, the views once").isEqualTo("n\n8\nseeds\n4\n");
        assertThat(count.err()).contains("warning: runs/part-").contains("is not part of any commit");

        TestSweepIntegration.Cli check = TestSweepIntegration.Cli.run("check", "--out", warehouse.toString());
        assertThat(check.code()).as(check.output()).isEqualTo(ExitCode.PROBLEMS_FOUND);
        assertThat(check.out()).contains("stray     runs/part-")
                .contains("4 rows of 4 cells, all of them already in the table's live files");
    }
}
