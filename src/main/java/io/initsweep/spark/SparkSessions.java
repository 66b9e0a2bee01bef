package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates the SparkSession a command runs in, the same way for every command.
 *
 * <p>Where Spark runs is decided by one rule, in this order ({@link #master}):
 * <ol>
 *   <li>{@code --master} on the command line;</li>
 *   <li>{@code spark.master} as spark-submit passes it (its own {@code --master}, a {@code --properties-file}, or
 *       {@code spark-defaults.conf}; spark-submit hands them to the driver as system properties);</li>
 *   <li>{@link #DEFAULT_MASTER}, the embedded local Spark.</li>
 * </ol>
 * The spec decides what no properties file may change: {@code spark.task.cpus} is always the spec's
 * {@code execution.cores-per-cell}, because a cell's native threads must equal its cores. A master that cannot
 * be used (malformed, or a standalone master that does not answer) is refused before Spark starts.
 */
public final class SparkSessions {
    /** Local mode by default: every core, and up to 4 attempts per task so a flaky task is retried as on a cluster. */
    public static final String DEFAULT_MASTER = "local[*,4]";
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)?])?");
    private static final Pattern LOCAL_ATTEMPTS = Pattern.compile("local\\[(?:\\*|\\d+)\\s*,\\s*(\\d+)]");
    /** The masters Spark 3.5 accepts besides local ones (SparkContext.createTaskScheduler). */
    private static final Pattern CLUSTER = Pattern.compile("spark://[^\\s]+|yarn|k8s://[^\\s]+|mesos://[^\\s]+"
            + "|local-cluster\\[\\d+,\\s*\\d+,\\s*\\d+]");
    /** Seconds a catalog session keeps a table's file listing before it lists the directory again. */
    public static final long METADATA_TTL_SECONDS = 5;
    /** How long a standalone master has to accept a connection before the command gives up on it. */
    private static final int CONNECT_MILLIS = 5_000;

    private SparkSessions() {
    }

    /** The master a command uses: {@code --master}, else spark-submit's, else {@link #DEFAULT_MASTER}. */
    public static String master(String commandLine) {
        if (commandLine != null) {
            return commandLine.trim();
        }
        return new SparkConf().get("spark.master", DEFAULT_MASTER);
    }

    /**
     * Refuses a master Spark cannot use, before Spark spends a minute finding out: a URL of no known form, or a
     * standalone master ({@code spark://}) of which no host accepts a connection.
     *
     * @throws InitsweepException of kind BAD_ENVIRONMENT naming the master and what is wrong
     */
    public static void checkMaster(String master) {
        if (isLocal(master)) {
            return;
        }
        if (!CLUSTER.matcher(master).matches()) {
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "unknown Spark master '" + master
                    + "': use local, local[N], local[*], spark://HOST:PORT, yarn or k8s://https://HOST:PORT");
        }
        if (master.startsWith("spark://")) {
            List<String> problems = new ArrayList<>();
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                int colon = hostPort.lastIndexOf(':');
                String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
                int port;
                try {
                    port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "Spark master '" + master
                            + "' has no port number in '" + hostPort + "'");
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
                    return; // one live master is enough (standby masters are listed too)
                } catch (IOException e) {
                    problems.add(host + ":" + port + " (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
                }
            }
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "no Spark master answers at " + master + ": "
                    + String.join(", ", problems) + ". Is it running? (jobs/local-cluster start starts one here)");
        }
    }

    /**
     * @param master       the master from the command line, or null (see {@link #master})
     * @param coresPerCell spark.task.cpus
     * @param ui           whether a local Spark serves its web UI
     */
    public static SparkSession create(String master, int coresPerCell, boolean ui) {
        return start(builder(master, coresPerCell, ui), master(master));
    }

    /** Starts a session; a master Spark refuses is the user's to fix, not a crash. */
    private static SparkSession start(SparkSession.Builder builder, String master) {
        try {
            return builder.getOrCreate();
        } catch (RuntimeException e) {
            if (e instanceof InitsweepException) {
                throw e;
            }
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "Spark could not start with master '" + master
                    + "': " + e.getMessage().lines().findFirst().orElse(e.toString()), e);
        }
    }

    /**
     * A session with the persistent SQL catalog (Hive metastore). Unless the user configured a metastore
     * ({@code hive.metastore.uris}, a JDBC URL, or a hive-site.xml on the classpath), it is an embedded Derby
     * database in {@code catalogDir}, next to the warehouse, so a later JVM sees the same tables.
     *
     * <p>Its SQL is read-only for initsweep's tables ({@link ReadOnlyGuard}), and it skips files it cannot read
     * instead of failing the query: a file that is not part of any commit is warned about by name
     * ({@link WarehouseCheck}); the results' own reads never touch such files.
     */
    public static SparkSession createWithCatalog(String master, boolean ui, java.nio.file.Path catalogDir) {
        return createWithCatalog(master, ui, catalogDir, java.util.Map.of());
    }

    /**
     * As {@link #createWithCatalog(String, boolean, java.nio.file.Path)}, with more settings (the Thrift server's);
     * a session of this JVM built with other values of them is stopped first.
     */
    public static SparkSession createWithCatalog(String master, boolean ui, java.nio.file.Path catalogDir,
                                                 java.util.Map<String, String> settings) {
        scala.Option<SparkSession> current = SparkSession.getDefaultSession();
        if (current.isDefined()) {
            SparkConf conf = current.get().sparkContext().getConf();
            if (settings.entrySet().stream().anyMatch(e -> !e.getValue().equals(conf.get(e.getKey(), null)))) {
                current.get().stop();
                SparkSession.clearDefaultSession();
                SparkSession.clearActiveSession();
            }
        }
        SparkConf submitted = new SparkConf();
        SparkSession.Builder builder = builder(master, 1, ui).enableHiveSupport()
                .withExtensions(new ReadOnlyExtensions())
                // A long-lived session (the Thrift server, a notebook) must see the files a running sweep commits
                // and not the ones a --force or compaction removed: table listings expire after a few seconds.
                .config("spark.sql.metadataCacheTTLSeconds", submitted.get("spark.sql.metadataCacheTTLSeconds",
                        Long.toString(METADATA_TTL_SECONDS)))
                .config("spark.sql.files.ignoreCorruptFiles", "true");
        settings.forEach(builder::config);
        boolean configured = submitted.contains("spark.hadoop.hive.metastore.uris")
                || submitted.contains("spark.hadoop.javax.jdo.option.ConnectionURL")
                || Thread.currentThread().getContextClassLoader().getResource("hive-site.xml") != null;
        if (!configured) {
            java.nio.file.Path dir = catalogDir.toAbsolutePath().normalize();
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                java.nio.file.Path existing = dir;
                while (existing != null && !java.nio.file.Files.exists(existing)) {
                    existing = existing.getParent();
                }
                String reason = existing != null && java.nio.file.Files.isRegularFile(existing)
                        ? existing + " is a regular file, not a directory" : e.toString();
                throw new InitsweepException(FailureKind.BAD_ENVIRONMENT,
                        "cannot create the catalog directory " + dir + ": " + reason, e);
            }
            // Derby writes derby.log into the working directory unless told otherwise.
            System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
            String url = "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true";
            builder.config("spark.hadoop.javax.jdo.option.ConnectionURL", url)
                    .config("spark.sql.warehouse.dir", dir.resolve("managed").toUri().toString());
            stopUnless(url);
        } else {
            stopUnless(null);
        }
        return start(builder, master(master));
    }

    /**
     * The catalog is fixed when a SparkContext starts: a session of this JVM started without it, or with another
     * metastore, is stopped so the next one gets the right catalog. (A CLI JVM runs one command; tests run many.)
     */
    private static void stopUnless(String metastoreUrl) {
        scala.Option<SparkSession> active = SparkSession.getDefaultSession();
        if (active.isEmpty()) {
            return;
        }
        org.apache.spark.SparkConf conf = active.get().sparkContext().getConf();
        boolean hive = conf.get("spark.sql.catalogImplementation", "in-memory").equals("hive");
        boolean sameMetastore = metastoreUrl == null
                || metastoreUrl.equals(conf.get("spark.hadoop.javax.jdo.option.ConnectionURL", ""));
        if (!hive || !sameMetastore || !ReadOnlyGuard.guarded(active.get())) {
            active.get().stop();
            SparkSession.clearDefaultSession();
            SparkSession.clearActiveSession();
        }
    }

    /**
     * A session of this JVM that runs on another master or with other task cores is stopped, so the next one is what
     * was asked for: {@code getOrCreate} would hand back the old one silently (a test asking for task retries with
     * local[2,4] got a local[2] session that retries nothing). A CLI JVM runs one command; tests run many.
     */
    private static void stopUnlessRunningOn(String master, int coresPerCell) {
        scala.Option<SparkSession> active = SparkSession.getDefaultSession();
        if (active.isDefined()) {
            SparkConf conf = active.get().sparkContext().getConf();
            if (!sameMaster(conf.get("spark.master", ""), master)
                    || !conf.get("spark.task.cpus", "1").equals(Integer.toString(coresPerCell))) {
                active.get().stop();
                SparkSession.clearDefaultSession();
                SparkSession.clearActiveSession();
            }
        }
    }

    private static SparkSession.Builder builder(String master, int coresPerCell, boolean ui) {
        SparkConf submitted = new SparkConf(); // picks up spark.* system properties set by spark-submit
        String effective = master(master);
        checkMaster(effective);
        stopUnlessRunningOn(effective, coresPerCell);
        SparkSession.Builder builder = SparkSession.builder()
                .appName(submitted.get("spark.app.name", "initsweep"))
                .master(effective)
                .config("spark.task.cpus", Integer.toString(coresPerCell))
                // Commits run as small Spark jobs while cells train: the FAIR scheduler gives them the next free
                // slot instead of queueing them behind every remaining cell.
                .config("spark.scheduler.mode", "FAIR")
                .config("spark.sql.session.timeZone", "UTC")
                // The runs table has ~60 columns; Spark's default of 25 makes it log a truncation warning.
                .config("spark.sql.debug.maxToStringFields", "200")
                .config("spark.sql.shuffle.partitions", submitted.get("spark.sql.shuffle.partitions", "8"));
        if (!submitted.contains("spark.hadoop.fs.s3a.directory.marker.retention")) {
            // S3 warehouses: keep directory markers. With Hadoop 3.3.4's default (delete), every write of S3A deletes
            // the parent markers on a pool its writing thread then waits for; concurrent small writes (a commit and
            // the lock's heartbeat) were seen to hang there. Hadoop 3.2.2+ and 3.3.1+ read kept markers correctly.
            builder.config("spark.hadoop.fs.s3a.directory.marker.retention", "keep");
        }
        if (!submitted.contains("spark.scheduler.allocation.file")) {
            // Spark looks for fairscheduler.xml with its own class loader, which does not see the application jar
            // under spark-submit: hand it our pools as a file.
            builder.config("spark.scheduler.allocation.file", poolsFile());
        }
        if (isLocal(effective)) {
            builder.config("spark.ui.enabled", Boolean.toString(ui))
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        }
        return builder;
    }

    private static String poolsFile() {
        try (java.io.InputStream in = SparkSessions.class.getResourceAsStream("/fairscheduler.xml")) {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("initsweep-pools", ".xml");
            file.toFile().deleteOnExit();
            java.nio.file.Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the scheduler pools file", e);
        }
    }

    /**
     * Whether two masters run the same way: equal text, or local masters with the same task slots and attempts
     * per task ({@code local[*,4]} on a 2-core machine is {@code local[2,4]}; {@code local[2]} retries nothing).
     */
    static boolean sameMaster(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        return isLocal(a) && isLocal(b) && localCores(a) == localCores(b) && localAttempts(a) == localAttempts(b);
    }

    /** Attempts per task of a local master: {@code local[N,F]} → F, else 1 (Spark's local default). */
    static int localAttempts(String master) {
        Matcher m = LOCAL_ATTEMPTS.matcher(master.trim());
        return m.matches() ? Integer.parseInt(m.group(1)) : 1;
    }

    public static boolean isLocal(String master) {
        return master != null && LOCAL.matcher(master.trim()).matches();
    }

    /** Task slots of a local master ({@code local[4]} → 4, {@code local[*]} → available processors). */
    public static int localCores(String master) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a local master: " + master);
        }
        String cores = m.group(1);
        if (cores == null) {
            return 1;
        }
        return cores.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(cores);
    }
}
