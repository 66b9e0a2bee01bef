package io.initsweep.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
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

    /**
     * The sweep's record, or null if it never ran here. A run replacing the record (between its delete and rename,
     * or on S3 while the copy lands) can make one read miss it, fail its checksum or see it change: read again a
     * few times.
     */
    SweepRecord read(String sweep) throws IOException {
        Path file = new Path(dir, sweep + ".json");
        // The local file system renames the data and its .crc one after the other: a read between the two fails
        // its checksum. Between delete and rename the file is missing, or gone between exists and open.
        return Rereads.read(file, READ_TRIES, e -> e instanceof ChecksumException
                || e instanceof FileNotFoundException, last -> {
            if (!fs.exists(file)) {
                // Aside and not yet renamed, or renamed just after the check above: read again.
                if (!last && (beingReplaced(sweep) || fs.exists(file))) {
                    throw new FileNotFoundException(file + " is being replaced");
                }
                return null;
            }
            try (InputStream in = fs.open(file)) {
                return JSON.readValue(in, SweepRecord.class);
            }
        });
    }

    private static final int READ_TRIES = 5;

    /** True while a record written aside for this sweep has not yet been renamed into place. */
    private boolean beingReplaced(String sweep) throws IOException {
        if (!fs.exists(dir)) {
            return false;
        }
        return fs.listStatus(dir, p -> p.getName().startsWith("." + sweep + ".json.")).length > 0;
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
