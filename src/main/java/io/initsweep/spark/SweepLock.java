package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per sweep and warehouse. The lock is a file created with create-if-absent (atomic on HDFS and local
 * file systems); its holder refreshes the file's modification time as a heartbeat.
 *
 * <p>A lock is stale, and may be broken, when its holder's heartbeat is older than {@link #STALE_AFTER}, or at
 * once when the holder ran on this host and its process is gone (a driver killed with kill -9). Breaking renames
 * the stale file away first, so of two processes breaking the same lock only one succeeds.
 */
public final class SweepLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SweepLock.class);
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration STALE_AFTER = Duration.ofSeconds(90);

    private final FileSystem fs;
    private final Path path;
    private final ScheduledExecutorService heartbeat;

    private SweepLock(FileSystem fs, Path path) {
        this.fs = fs;
        this.path = path;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "initsweep-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Thrown when another live process holds the sweep. */
    public static final class HeldException extends InitsweepException {
        HeldException(String message) {
            super(FailureKind.SWEEP_BUSY, message);
        }
    }

    /**
     * Takes the lock of {@code sweep}.
     *
     * @throws HeldException if a live process holds it; the message says which
     */
    public static SweepLock acquire(FileSystem fs, Path locks, String sweep, String runId) throws IOException {
        Path path = new Path(locks, sweep + ".lock");
        fs.mkdirs(locks);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (tryCreate(fs, path, sweep, runId)) {
                return new SweepLock(fs, path);
            }
            Properties holder = read(fs, path);
            if (holder == null) {
                continue; // released between our create and read
            }
            String staleReason = staleReason(fs, path, holder);
            if (staleReason == null) {
                throw new HeldException("sweep '" + sweep + "' is already running: run " + holder.getProperty("run_id")
                        + " on " + holder.getProperty("host") + " (pid " + holder.getProperty("pid") + ") holds "
                        + path + " since " + holder.getProperty("started") + ". Wait for it, or if that process is "
                        + "gone, remove the lock file or wait " + STALE_AFTER.toSeconds() + " s for it to go stale.");
            }
            Path aside = new Path(locks, sweep + ".lock.stale-" + UUID.randomUUID());
            if (fs.rename(path, aside)) {
                log.warn("Broke the stale lock of run {} ({}).", holder.getProperty("run_id"), staleReason);
                fs.delete(aside, false);
            }
        }
        throw new HeldException("could not take the lock " + path + " after 3 attempts; another run is starting");
    }

    /**
     * Who holds a lock, as {@code status} shows it.
     *
     * @param heartbeatAgeSeconds seconds since the holder last refreshed the lock
     * @param stale               why the lock may be broken, or null while its holder is alive
     */
    public record Holder(String runId, String host, String pid, String started, long heartbeatAgeSeconds,
                         String stale) {
    }

    /** The holder of a sweep's lock, or null if nobody holds it. */
    public static Holder holder(FileSystem fs, Path locks, String sweep) throws IOException {
        Path path = new Path(locks, sweep + ".lock");
        Properties p = fs.exists(path) ? read(fs, path) : null;
        if (p == null) {
            return null;
        }
        long age;
        try {
            age = (System.currentTimeMillis() - fs.getFileStatus(path).getModificationTime()) / 1000;
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
        return new Holder(p.getProperty("run_id"), p.getProperty("host"), p.getProperty("pid"),
                p.getProperty("started"), age, staleReason(fs, path, p));
    }

    private static boolean tryCreate(FileSystem fs, Path path, String sweep, String runId) throws IOException {
        Properties p = new Properties();
        p.setProperty("sweep", sweep);
        p.setProperty("run_id", runId);
        p.setProperty("host", hostName());
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("started", Instant.now().toString());
        try (FSDataOutputStream out = fs.create(path, false)) {
            p.store(out, "initsweep sweep lock");
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false; // some file systems report "exists" as a plain IOException
            }
            throw e;
        }
    }

    private static Properties read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
            return p;
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    private static String staleReason(FileSystem fs, Path path, Properties holder) throws IOException {
        if (hostName().equals(holder.getProperty("host"))) {
            try {
                long pid = Long.parseLong(holder.getProperty("pid", "-1"));
                if (ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true)) {
                    return "its process " + pid + " on this host is gone";
                }
            } catch (NumberFormatException ignored) {
                // fall back to the heartbeat
            }
        }
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (java.io.FileNotFoundException e) {
            return "it was released";
        }
        Duration age = Duration.ofMillis(System.currentTimeMillis() - status.getModificationTime());
        return age.compareTo(STALE_AFTER) > 0 ? "no heartbeat for " + age.toSeconds() + " s" : null;
    }

    private void beat() {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not refresh the sweep lock {}: {}", path, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        fs.delete(path, false);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
