package io.initsweep.spark;

import io.initsweep.tiers.SparkTest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * scheme_comparison compares schemes only between cells equal in every other setting. It once left the
 * distributed settings out of its context, so a data-parallel sweep pooled every workers value into one sample per
 * scheme and tested the wrong thing.
 */
@SparkTest
class TestComparisonContext {
    @TempDir
    Path dir;

    @BeforeAll
    static void spark() {
        SparkSessions.create("local[2,4]", 1, false);
    }

    @Test
    void aDataParallelSweepComparesSchemesWithinEqualDistributedSettings() throws Exception {
        Path spec = Files.writeString(dir.resolve("dp.yaml"), """
                name: dp-context
                seeds: 2
                grid:
                  scheme: [he_normal, xavier_normal]
                  workers: [1, 2]
                  averaging-frequency: [1, 3]
                model: {depth: 1, width: 4, activation: relu}
                training: {epochs: 1, batch-size: 16}
                data: {dataset: blobs, samples: 64}
                execution: {mode: data-parallel}
                """);
        Path out = dir.resolve("wh");
        TestSweepIntegration.Cli run = TestSweepIntegration.Cli.run("run", spec.toString(), "--out", out.toString(),
                "--master=local[2,4]", "--no-layers");
        assertThat(run.code()).as(run.output()).isZero();

        List<Row> rows = SparkSession.active().read().parquet(out.resolve("scheme_comparison").toString())
                .where(col("sweep").equalTo("dp-context")).select("context", "n_a", "n_b").orderBy("context")
                .collectAsList();
        // one pair of schemes per (workers, averaging-frequency): four contexts, each resting on the 2 seeds of each
        // scheme in it, never on the 8 cells of a scheme pooled across distributed settings
        assertThat(rows).hasSize(4);
        assertThat(rows).extracting(r -> r.getString(0)).containsExactly(
                "workers=1 averaging-frequency=1", "workers=1 averaging-frequency=3",
                "workers=2 averaging-frequency=1", "workers=2 averaging-frequency=3");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.getInt(1)).isEqualTo(2);
            assertThat(r.getInt(2)).isEqualTo(2);
        });
    }
}
