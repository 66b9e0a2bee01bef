package io.initsweep.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Sweep records read while a run replaces them (status beside a running sweep). */
class TestSweepRecords {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void aRecordBeingReplacedIsNeverReadAsMissing() throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        SweepRecords records = new SweepRecords(fs, new Path(dir.toUri()));
        assertThat(records.read("s")).as("never ran").isNull();
        records.write(record("run-0"));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 1; i <= 100 && !stop.get(); i++) {
                    records.write(record("run-" + i));
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        writer.start();
        int reads = 0;
        try {
            while (writer.isAlive()) {
                SweepRecord read = records.read("s");
                assertThat(read).as("read %d while the record is replaced", reads).isNotNull();
                assertThat(read.runId()).startsWith("run-");
                reads++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(failed.get()).isNull();
        assertThat(reads).isGreaterThan(10);
        assertThat(records.read("s").runId()).isEqualTo("run-100");
        assertThat(records.sweeps()).containsExactly("s");
    }

    private static SweepRecord record(String runId) {
        return new SweepRecord("s", runId, "2026-11-24T00:00:00Z", "s.yaml", "name: s", List.of("a", "b"));
    }
}
