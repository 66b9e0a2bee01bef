package io.initsweep.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** The {@link SweepRecord}s of a warehouse, one JSON file per sweep under {@code _sweeps/}. */
final class SweepRecords {
    static final String DIRECTORY = "_sweeps";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path dir;

    SweepRecords(FileSystem fs, Path root) {
        this.fs = fs;
        this.dir = new Path(root, DIRECTORY);
    }

    /** Writes a sweep's record atomically: aside, then renamed over the old one. Call with its lock held. */
    void write(SweepRecord record) throws IOException {
        fs.mkdirs(dir);
        Path temporary = new Path(dir, "." + record.sweep() + ".json." + record.runId());
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        }
        Path target = new Path(dir, record.sweep() + ".json");
        fs.delete(target, false);
        if (!fs.rename(temporary, target)) {
            throw new IOException("could not write " + target);
        }
    }

    /** The sweep's record, or null if it never ran here. */
    SweepRecord read(String sweep) throws IOException {
        Path file = new Path(dir, sweep + ".json");
        if (!fs.exists(file)) {
            return null;
        }
        try (InputStream in = fs.open(file)) {
            return JSON.readValue(in, SweepRecord.class);
        }
    }

    /** Names of the sweeps that ran here, sorted. */
    List<String> sweeps() throws IOException {
        List<String> names = new ArrayList<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir, p -> p.getName().endsWith(".json")
                    && !p.getName().startsWith("."))) {
                String name = status.getPath().getName();
                names.add(name.substring(0, name.length() - ".json".length()));
            }
        }
        names.sort(null);
        return names;
    }
}
