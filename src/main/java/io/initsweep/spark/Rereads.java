package io.initsweep.spark;

import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Predicate;

/**
 * Reads of small files that another process replaces whole while they are read (a lock's heartbeat, a sweep's
 * record): a read that caught the replacement half-way is tried again after a short, growing pause, a few times,
 * then its error stands.
 */
final class Rereads {
    private static final Logger log = LoggerFactory.getLogger(Rereads.class);

    private Rereads() {
    }

    /** One read; {@code last} is true on the final try, when a result that says "try again" must be given up. */
    interface Read<T> {
        T read(boolean last) throws IOException;
    }

    /**
     * The value of {@code read}, tried again (at most {@code tries} in all) while it fails with an error that
     * {@code replaced} accepts or S3A's {@link #changedWhileRead changed-while-read} error.
     */
    static <T> T read(Path path, int tries, Predicate<IOException> replaced, Read<T> read) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.read(attempt >= tries);
            } catch (IOException e) {
                if (attempt >= tries || !(changedWhileRead(e) || replaced.test(e))) {
                    throw e;
                }
                log.debug("{} was replaced while read (try {}: {}), reading it again", path, attempt, e.toString());
            }
            try {
                Thread.sleep(50L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading " + path);
            }
        }
    }

    /**
     * True for S3A's "object changed during the read" error: the object was replaced between the HEAD and the GET
     * of one read (RemoteFileChangedException, its ETag gone). Matched by name: hadoop-aws is provided by the
     * cluster and may be absent, so its exception class cannot be named in a catch clause here.
     */
    private static boolean changedWhileRead(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if ("RemoteFileChangedException".equals(t.getClass().getSimpleName())) {
                return true;
            }
        }
        return false;
    }
}
