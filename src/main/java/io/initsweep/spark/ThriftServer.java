package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;

/**
 * Spark's Thrift JDBC/ODBC server (the HiveServer2 protocol, as spark-hive-thriftserver provides it) on a session of
 * the warehouse's catalog, so that beeline, DBeaver, BI tools and notebooks query the tables over JDBC while sweeps
 * run, all through one process: the embedded Derby metastore admits one process at a time, the server admits any
 * number of clients.
 *
 * <p>Every client session is a new session of the same Spark application, built with {@link ReadOnlyExtensions}:
 * a statement that would change the results is refused as in {@code initsweep sql}. The table listings are
 * refreshed at most {@link SparkSessions#METADATA_TTL_SECONDS} s after a commit, so a client sees a running sweep's
 * new cells without REFRESH TABLE.
 */
public final class ThriftServer implements AutoCloseable {
    /** Written next to the embedded metastore while the server runs, so other commands can point users to it. */
    public static final String ADVERTISEMENT = "thrift-server.properties";

    private final HiveThriftServer2 server;
    private final String host;
    private final int port;
    private final Path advertisement;

    private ThriftServer(HiveThriftServer2 server, String host, int port, Path advertisement) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.advertisement = advertisement;
    }

    /**
     * Starts the server on {@code host:port}.
     *
     * @param spark      a session with the catalog ({@link SparkSessions#createWithCatalog}), its guard installed
     * @param catalogDir the embedded metastore's directory, where the server's address is advertised; null if the
     *                   catalog is a configured metastore
     * @throws InitsweepException {@link FailureKind#BAD_ENVIRONMENT} if the port is taken
     */
    public static ThriftServer start(SparkSession spark, String host, int port, Path catalogDir) {
        Objects.requireNonNull(host, "host is null");
        if (!ReadOnlyGuard.guarded(spark)) {
            throw new IllegalStateException("the server's session has no read-only guard: build it with "
                    + "SparkSessions.createWithCatalog");
        }
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(host, port), 500);
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "port " + port + " on " + host
                    + " is already in use; choose another with --port");
        } catch (IOException free) {
            // nothing listens there: ours to take
        }
        String configured = spark.sparkContext().getConf().get("spark.hadoop.hive.server2.thrift.port", "");
        if (!configured.equals(Integer.toString(port))) {
            throw new IllegalStateException("the session was not built with ThriftServer.settings(" + host + ", "
                    + port + ")");
        }
        HiveThriftServer2 server = HiveThriftServer2.startWithContext(spark.sqlContext());
        Path advertisement = catalogDir == null ? null : catalogDir.resolve(ADVERTISEMENT);
        if (advertisement != null) {
            Properties p = new Properties();
            p.setProperty("url", jdbcUrl(host, port));
            p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
            p.setProperty("started", Instant.now().toString());
            try (var out = Files.newBufferedWriter(advertisement, StandardCharsets.UTF_8)) {
                p.store(out, "initsweep serve: the JDBC server of this catalog");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ThriftServer(server, host, port, advertisement);
    }

    /**
     * The settings the server's session must be built with ({@link SparkSessions#createWithCatalog}): the server's
     * HiveConf is built from the application's configuration as it was when Spark started; neither a session's SET
     * nor a later change of the configuration reaches it.
     */
    public static java.util.Map<String, String> settings(String host, int port) {
        return java.util.Map.of(
                "spark.hadoop.hive.server2.thrift.bind.host", host,
                "spark.hadoop.hive.server2.thrift.port", Integer.toString(port),
                "spark.hadoop.hive.server2.transport.mode", "binary",
                // HiveServer2's per-operation log hooks a log4j2-core appender; initsweep logs through Logback
                // (log4j2 is routed into SLF4J), where that hook fails with a ClassCastException.
                "spark.hadoop.hive.server2.logging.operation.enabled", "false");
    }

    public static String jdbcUrl(String host, int port) {
        return "jdbc:hive2://" + host + ":" + port + "/" + ReadOnlyGuard.DATABASE;
    }

    public String jdbcUrl() {
        return jdbcUrl(host, port);
    }

    /**
     * The JDBC URL of a server of this catalog that runs now (advertised by a live process), if there is one.
     */
    public static java.util.Optional<String> running(Path catalogDir) {
        Path file = catalogDir.resolve(ADVERTISEMENT);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            long pid = Long.parseLong(p.getProperty("pid", "-1"));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> p.getProperty("url"));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public void close() {
        server.stop();
        if (advertisement != null) {
            try {
                Files.deleteIfExists(advertisement);
            } catch (IOException ignored) {
                // a stale advertisement names a dead pid, which running() ignores
            }
        }
    }
}
