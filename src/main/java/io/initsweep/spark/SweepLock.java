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

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One writer per sweep and warehouse, on every file system the warehouse may live on. How the lock is taken depends
 * on what the file system can do atomically ({@link Protocol}):
 * <ul>
 *   <li>{@link Protocol#LOCAL} (local paths, NFS): the lock file {@code _locks/<sweep>.lock} is written aside and
 *       hard-linked into place: {@code link(2)} fails if the name exists, so of any number of processes exactly
 *       one creates it, and nobody ever sees it half written. (Hadoop's local {@code create(path, false)} checks
 *       for the file and then opens it: two processes started together could both win.)</li>
 *   <li>{@link Protocol#ATOMIC_CREATE} (HDFS): {@code create(path, false)}, which the NameNode decides atomically.</li>
 *   <li>{@link Protocol#CLAIMS} (S3 and any other object store): S3A in Hadoop 3.3.4 has no conditional write
 *       (If-None-Match arrived in 3.4), so the lock is an election over claims. Each contender writes its own claim
 *       {@code _locks/<sweep>.claims/<token>}, then lists the claims: it holds the lock only if it sees no other
 *       live claim. S3's PUT and LIST are strongly consistent (since December 2020; s3proxy too), so of two
 *       contenders the later to finish writing sees the earlier's claim: two can both see each other and both back
 *       off (they retry after a random pause), but two can never both see none. A contender that finds a claim
 *       marked held is refused at once.</li>
 * </ul>
 *
 * <p>The holder's heartbeat rewrites the lock's content every {@link #heartbeat()} (its modification time is the
 * heartbeat; {@code setTimes} is not used: S3A does not implement it). Before each rewrite, and before each commit
 * ({@link #verify}), the holder checks that the lock is still its own; if it was broken (the holder stalled for longer
 * than {@link #staleAfter()}), the run stops instead of committing next to a new holder.
 *
 * <p>A lock is stale, and broken by the next contender, when its heartbeat is older than {@link #staleAfter()}, or at
 * once when its holder ran on this host and its process is gone (a driver killed with kill -9). The heartbeat age is
 * the lock's modification time against this host's clock: hosts sharing a warehouse need clocks that agree to within
 * a few seconds (NTP); on S3 the modification time is the store's.
 *
 * <p>Both intervals can be shortened for tests with the system properties {@code initsweep.lock.heartbeat-seconds}
 * and {@code initsweep.lock.stale-seconds}, and {@code initsweep.lock.protocol} (local, atomic-create, claims)
 * overrides the protocol the file system's scheme selects. They are for tests, not for production.
 */
public final class SweepLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SweepLock.class);
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration STALE_AFTER = Duration.ofSeconds(90);
    /** Attempts of the claims election before giving up on contenders that keep appearing. */
    private static final int ELECTION_ROUNDS = 12;

    /** How a file system can take the lock atomically. */
    public enum Protocol {
        /** A POSIX file system reached through java.nio: written aside, then hard-linked into place. */
        LOCAL,
        /** A file system whose {@code create(path, false)} is atomic (HDFS). */
        ATOMIC_CREATE,
        /** An object store without conditional writes: an election over claim files. */
        CLAIMS;

        /** The protocol for a file system: by its scheme, or {@code initsweep.lock.protocol}. */
        static Protocol of(FileSystem fs) {
            String forced = System.getProperty("initsweep.lock.protocol");
            if (forced != null && !forced.isBlank()) {
                return Protocol.valueOf(forced.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            String scheme = fs.getUri().getScheme();
            return switch (scheme == null ? "file" : scheme) {
                case "file" -> LOCAL;
                case "hdfs", "viewfs" -> ATOMIC_CREATE;
                default -> CLAIMS;
            };
        }
    }

    private final FileSystem fs;
    private final Path path;
    private final Protocol protocol;
    private final Properties content;
    private final ScheduledExecutorService heartbeat;
    /** Why the lock is no longer ours, once the heartbeat found it broken; null while it is. */
    private final AtomicReference<String> lost = new AtomicReference<>();
    private long beats;

    private SweepLock(FileSystem fs, Path path, Protocol protocol, Properties content) {
        this.fs = fs;
        this.path = path;
        this.protocol = protocol;
        this.content = content;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "initsweep-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long every = heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    /** How often the holder rewrites its lock. */
    static Duration heartbeat() {
        return Duration.ofSeconds(Long.getLong("initsweep.lock.heartbeat-seconds", HEARTBEAT.toSeconds()));
    }

    /** How old a heartbeat may be before the lock may be broken. */
    static Duration staleAfter() {
        return Duration.ofSeconds(Long.getLong("initsweep.lock.stale-seconds", STALE_AFTER.toSeconds()));
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
        Protocol protocol = Protocol.of(fs);
        Properties content = describe(sweep, runId, protocol);
        return protocol == Protocol.CLAIMS ? elect(fs, locks, sweep, content)
                : exclusive(fs, locks, sweep, protocol, content);
    }

    // ---------------------------------------------------------------------------------------------------------
    // LOCAL and ATOMIC_CREATE: one lock file, created if absent

    private static SweepLock exclusive(FileSystem fs, Path locks, String sweep, Protocol protocol,
                                       Properties content) throws IOException {
        Path path = new Path(locks, sweep + ".lock");
        mkdirs(fs, locks, protocol);
        for (int attempt = 0; attempt < 5; attempt++) {
            if (tryCreate(fs, path, protocol, content)) {
                return new SweepLock(fs, path, protocol, content);
            }
            Observed holder = observe(fs, path, protocol);
            if (holder == null) {
                continue; // released between our create and our read
            }
            if (holder.properties() == null && holder.age().compareTo(staleAfter()) <= 0) {
                pause(50); // being written (HDFS shows a file while its creator writes it)
                continue;
            }
            String staleReason = holder.properties() == null ? "left half written " + holder.age().toSeconds()
                    + " s ago" : staleReason(holder);
            if (staleReason == null) {
                throw held(sweep, path, holder.properties());
            }
            breakStale(fs, path, protocol, holder, staleReason);
        }
        throw new HeldException("could not take the lock " + path + " after 5 attempts; another run of sweep '"
                + sweep + "' is starting");
    }

    private static boolean tryCreate(FileSystem fs, Path path, Protocol protocol, Properties content)
            throws IOException {
        byte[] bytes = bytes(content);
        if (protocol == Protocol.LOCAL) {
            java.nio.file.Path target = local(path);
            java.nio.file.Path aside = target.resolveSibling("." + target.getFileName() + "." + token(content)
                    + ".new");
            Files.write(aside, bytes);
            try {
                Files.createLink(target, aside); // link(2): atomic, fails if the name exists
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(aside);
            }
        }
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(bytes);
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

    /**
     * Breaks a stale lock: renames it aside (one rename of a name succeeds), then checks that what it moved is the
     * lock it judged stale. If a new holder had replaced it in between, that lock is put back (a hard link, which
     * fails if the name was taken again meanwhile: then that new holder's heartbeat finds the lock not its own).
     */
    private static void breakStale(FileSystem fs, Path path, Protocol protocol, Observed stale, String reason)
            throws IOException {
        Path aside = new Path(path.getParent(), "." + path.getName() + ".broken-" + UUID.randomUUID());
        if (!rename(fs, path, aside, protocol)) {
            return; // someone else broke or released it
        }
        Observed moved = observe(fs, aside, protocol);
        String staleToken = stale.properties() == null ? null : token(stale.properties());
        String movedToken = moved == null || moved.properties() == null ? null : token(moved.properties());
        if (moved != null && !java.util.Objects.equals(staleToken, movedToken)) {
            log.warn("The lock {} changed hands while it was being broken; putting it back.", path);
            if (protocol == Protocol.LOCAL) {
                try {
                    Files.createLink(local(path), local(aside));
                } catch (java.nio.file.FileAlreadyExistsException ignored) {
                    // taken again: the displaced holder's heartbeat will find out
                }
            } else {
                fs.rename(aside, path); // HDFS: fails if the name exists
            }
        } else {
            log.warn("Broke the stale lock of run {} ({}).", stale.properties() == null ? "(unknown)"
                    : stale.properties().getProperty("run_id"), reason);
        }
        delete(fs, aside, protocol);
    }

    // ---------------------------------------------------------------------------------------------------------
    // CLAIMS: an election over claim files, for object stores

    private static SweepLock elect(FileSystem fs, Path locks, String sweep, Properties content) throws IOException {
        Path claims = claimsDirectory(locks, sweep);
        Path mine = new Path(claims, token(content));
        content.setProperty("state", "claiming");
        for (int round = 1; round <= ELECTION_ROUNDS; round++) {
            write(fs, mine, content);
            List<Observed> others = new ArrayList<>();
            for (Observed other : observeClaims(fs, claims)) {
                if (other.path().getName().equals(mine.getName())) {
                    continue;
                }
                String staleReason = other.properties() == null ? null : staleReason(other);
                if (staleReason != null) {
                    log.warn("Removing the stale claim of run {} on sweep '{}' ({}).",
                            other.properties().getProperty("run_id"), sweep, staleReason);
                    fs.delete(other.path(), false);
                } else {
                    others.add(other);
                }
            }
            if (others.isEmpty()) {
                // Nobody else had a claim once ours was written: whoever writes one from now on sees ours.
                content.setProperty("state", "held");
                write(fs, mine, content);
                return new SweepLock(fs, mine, Protocol.CLAIMS, content);
            }
            fs.delete(mine, false);
            for (Observed other : others) {
                if (other.properties() != null && "held".equals(other.properties().getProperty("state"))) {
                    throw held(sweep, claims, other.properties());
                }
            }
            // Only contenders like us: back off for a random while, so that one of us goes first.
            pause(ThreadLocalRandom.current().nextLong(100, 400) * Math.min(round, 5));
        }
        throw new HeldException("could not take the lock of sweep '" + sweep + "' in " + claims + " after "
                + ELECTION_ROUNDS + " rounds; other runs of it keep starting");
    }

    static Path claimsDirectory(Path locks, String sweep) {
        return new Path(locks, sweep + ".claims");
    }

    private static List<Observed> observeClaims(FileSystem fs, Path claims) throws IOException {
        List<Observed> observed = new ArrayList<>();
        FileStatus[] listing;
        try {
            listing = fs.listStatus(claims);
        } catch (FileNotFoundException e) {
            return observed;
        }
        for (FileStatus status : listing) {
            if (!status.isFile() || status.getPath().getName().startsWith(".")) {
                continue;
            }
            Observed claim = observe(fs, status.getPath(), Protocol.CLAIMS);
            if (claim != null) {
                observed.add(claim);
            }
        }
        observed.sort(Comparator.comparingLong(Observed::modified));
        return observed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // holders, staleness

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
        Observed observed = null;
        if (Protocol.of(fs) == Protocol.CLAIMS) {
            for (Observed claim : observeClaims(fs, claimsDirectory(locks, sweep))) {
                if (claim.properties() != null && "held".equals(claim.properties().getProperty("state"))) {
                    observed = claim;
                    break;
                }
            }
        } else {
            observed = observe(fs, new Path(locks, sweep + ".lock"), Protocol.of(fs));
        }
        if (observed == null || observed.properties() == null) {
            return null;
        }
        Properties p = observed.properties();
        return new Holder(p.getProperty("run_id"), p.getProperty("host"), p.getProperty("pid"),
                p.getProperty("started"), observed.age().toSeconds(), staleReason(observed));
    }

    /** A lock or claim as read: its content (null if unreadable: being written), when it was last rewritten. */
    private record Observed(Path path, Properties properties, long modified) {
        Duration age() {
            return Duration.ofMillis(Math.max(0, System.currentTimeMillis() - modified));
        }
    }

    /**
     * Reads a lock or claim; null if there is none. On S3 a holder's heartbeat can replace the object between the
     * HEAD and the GET of this read, and S3A then refuses the read: the heartbeat replaces the whole object, so
     * reading again sees the new one.
     */
    private static Observed observe(FileSystem fs, Path path, Protocol protocol) throws IOException {
        return Rereads.read(path, 10, e -> false, last -> observeOnce(fs, path, protocol));
    }

    private static Observed observeOnce(FileSystem fs, Path path, Protocol protocol) throws IOException {
        try {
            byte[] bytes;
            long modified;
            if (protocol == Protocol.LOCAL) {
                java.nio.file.Path file = local(path);
                modified = Files.getLastModifiedTime(file).toMillis();
                bytes = Files.readAllBytes(file);
            } else {
                modified = fs.getFileStatus(path).getModificationTime();
                try (InputStream in = fs.open(path)) {
                    bytes = in.readAllBytes();
                }
            }
            Properties p = new Properties();
            p.load(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)));
            return new Observed(path, p.getProperty("run_id") == null ? null : p, modified);
        } catch (FileNotFoundException | NoSuchFileException e) {
            return null;
        }
    }

    private static String staleReason(Observed holder) {
        Properties p = holder.properties();
        if (hostName().equals(p.getProperty("host"))) {
            try {
                long pid = Long.parseLong(p.getProperty("pid", "-1"));
                if (ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true)) {
                    return "its process " + pid + " on this host is gone";
                }
            } catch (NumberFormatException ignored) {
                // fall back to the heartbeat
            }
        }
        Duration age = holder.age();
        return age.compareTo(staleAfter()) > 0 ? "no heartbeat for " + age.toSeconds() + " s" : null;
    }

    private static HeldException held(String sweep, Path where, Properties holder) {
        return new HeldException("sweep '" + sweep + "' is already running: run " + holder.getProperty("run_id")
                + " on " + holder.getProperty("host") + " (pid " + holder.getProperty("pid") + ") holds " + where
                + " since " + holder.getProperty("started") + ". Wait for it, or if that process is gone, wait "
                + staleAfter().toSeconds() + " s for its lock to go stale (a process gone from this host is "
                + "noticed at once).");
    }

    // ---------------------------------------------------------------------------------------------------------
    // the holder's side

    /** The protocol this lock was taken with. */
    public Protocol protocol() {
        return protocol;
    }

    /**
     * Checks, by reading it, that the lock is still this holder's: called before each commit, so that a run whose
     * lock was broken while it stalled stops instead of committing beside the new holder.
     *
     * @throws InitsweepException {@link FailureKind#RUNTIME} if the lock is no longer this run's
     */
    public void verify() throws IOException {
        String reason = lost.get();
        if (reason == null) {
            reason = ownership();
        }
        if (reason != null) {
            lost.compareAndSet(null, reason);
            throw new InitsweepException(FailureKind.RUNTIME, "the lock of sweep '" + content.getProperty("sweep")
                    + "' is no longer this run's (" + reason + "): stopping without committing; what was committed "
                    + "stays");
        }
    }

    /** Why the lock is not ours, or null if it is. */
    private String ownership() throws IOException {
        Observed now = observe(fs, path, protocol);
        if (now == null) {
            return "its file " + path + " is gone";
        }
        if (now.properties() == null) {
            return null; // being rewritten by our own heartbeat
        }
        if (!token(content).equals(token(now.properties()))) {
            return "run " + now.properties().getProperty("run_id") + " holds it now";
        }
        if (protocol == Protocol.CLAIMS) {
            for (Observed other : observeClaims(fs, path.getParent())) {
                if (!other.path().getName().equals(path.getName()) && other.properties() != null
                        && "held".equals(other.properties().getProperty("state"))) {
                    return "run " + other.properties().getProperty("run_id") + " holds it now";
                }
            }
        }
        return null;
    }

    private synchronized void beat() {
        if (lost.get() != null) {
            return;
        }
        try {
            String reason = ownership();
            if (reason != null) {
                lost.set(reason);
                log.error("The lock {} is no longer this run's ({}); the run stops before its next commit.", path,
                        reason);
                return;
            }
            content.setProperty("heartbeat", Instant.now().toString());
            content.setProperty("beats", Long.toString(++beats));
            if (protocol == Protocol.LOCAL) {
                // Written aside and renamed over: a reader sees the old content or the new, never half of it.
                java.nio.file.Path target = local(path);
                java.nio.file.Path aside = target.resolveSibling("." + target.getFileName() + "." + token(content)
                        + ".beat");
                Files.write(aside, bytes(content));
                try {
                    Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(aside, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                write(fs, path, content); // an object store's PUT replaces the object whole
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Could not refresh the sweep lock {}: {}", path, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (lost.get() == null && ownership() == null) {
                delete(fs, path, protocol);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private static Properties describe(String sweep, String runId, Protocol protocol) {
        Properties p = new Properties();
        p.setProperty("sweep", sweep);
        p.setProperty("run_id", runId);
        p.setProperty("token", runId + "-" + UUID.randomUUID().toString().substring(0, 8));
        p.setProperty("host", hostName());
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("started", Instant.now().toString());
        p.setProperty("protocol", protocol.name().toLowerCase(Locale.ROOT));
        return p;
    }

    /** What identifies one acquisition (a lock written before tokens existed is identified by its run id). */
    private static String token(Properties p) {
        return p.getProperty("token", p.getProperty("run_id", ""));
    }

    private static byte[] bytes(Properties p) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.store(out, "initsweep sweep lock");
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(FileSystem fs, Path path, Properties content) throws IOException {
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(bytes(content));
        }
    }

    private static java.nio.file.Path local(Path path) {
        return java.nio.file.Path.of(path.toUri());
    }

    private static void mkdirs(FileSystem fs, Path dir, Protocol protocol) throws IOException {
        if (protocol == Protocol.LOCAL) {
            Files.createDirectories(local(dir));
        } else {
            fs.mkdirs(dir);
        }
    }

    private static boolean rename(FileSystem fs, Path from, Path to, Protocol protocol) throws IOException {
        if (protocol == Protocol.LOCAL) {
            try {
                Files.move(local(from), local(to), StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        return fs.rename(from, to);
    }

    private static void delete(FileSystem fs, Path path, Protocol protocol) throws IOException {
        if (protocol == Protocol.LOCAL) {
            Files.deleteIfExists(local(path));
        } else {
            fs.delete(path, false);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InitsweepException(FailureKind.INTERRUPTED, "interrupted while taking the sweep lock");
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
