package io.initsweep.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server for the tests: s3proxy (Maven Central, {@code target/s3proxy/s3proxy.jar}, copied there by
 * the build) with its filesystem backend, in a JVM of its own on 127.0.0.1 and a free port. Each bucket is a
 * directory under {@link #data}. Stopped by {@link #close} and, should the test JVM end first, by a shutdown hook:
 * nothing is left running.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "initsweep-test";
    public static final String SECRET_KEY = "initsweep-test-secret";

    private final Process process;
    private final int port;
    private final Path data;
    private final Thread stopOnExit;

    private S3Server(Process process, int port, Path data) {
        this.process = process;
        this.port = port;
        this.data = data;
        this.stopOnExit = new Thread(this::stop, "stop-s3proxy");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /** Starts a server whose buckets live under {@code dir}, with the named buckets created. */
    public static S3Server start(Path dir, String... buckets) throws IOException, InterruptedException {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn generate-test-resources)");
        }
        Path data = Files.createDirectories(dir.resolve("buckets"));
        for (String bucket : buckets) {
            Files.createDirectories(data.resolve(bucket));
        }
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        S3Server server = new S3Server(process, port, data);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                server.close();
                throw new IllegalStateException("s3proxy exited at start-up: "
                        + Files.readString(dir.resolve("s3proxy.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return server;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        server.close();
        throw new IllegalStateException("s3proxy did not answer on port " + port + " within 60 s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Where a bucket's objects lie on disk (the filesystem backend keeps one file per object). */
    public Path bucketDirectory(String bucket) {
        return data.resolve(bucket);
    }

    /**
     * The Hadoop settings that point S3A at this server: path-style requests, plain HTTP, static keys, and few
     * retries (a test that breaks should fail in seconds, not after S3A's minutes of back-off).
     */
    public Map<String, String> hadoopSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs.s3a.endpoint", endpoint());
        settings.put("fs.s3a.path.style.access", "true");
        settings.put("fs.s3a.connection.ssl.enabled", "false");
        settings.put("fs.s3a.access.key", ACCESS_KEY);
        settings.put("fs.s3a.secret.key", SECRET_KEY);
        settings.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        settings.put("fs.s3a.attempts.maximum", "2");
        settings.put("fs.s3a.retry.limit", "2");
        settings.put("fs.s3a.connection.establish.timeout", "5000");
        settings.put("fs.s3a.connection.timeout", "20000");
        // The settings initsweep recommends for S3 (README): directory markers kept. S3A 3.3.4 otherwise deletes
        // the parent "directory" markers after every write on a thread pool the writing thread then waits for;
        // with several small writes at once (the lock's heartbeat beside a commit) that wait was seen to hang.
        settings.put("fs.s3a.directory.marker.retention", "keep");
        // s3proxy's filesystem backend has no versioning; S3A's default ETag check on reads works with it
        settings.put("fs.s3a.change.detection.version.required", "false");
        return settings;
    }

    /** The same settings as Spark reads them from system properties or {@code --conf}: spark.hadoop.*. */
    public Map<String, String> sparkSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        hadoopSettings().forEach((k, v) -> settings.put("spark.hadoop." + k, v));
        return settings;
    }

    /** Sets {@link #sparkSettings} as system properties, which every SparkSession built afterwards in this JVM reads. */
    public void installInThisJvm() {
        sparkSettings().forEach(System::setProperty);
    }

    /** Removes what {@link #installInThisJvm} set. */
    public void uninstallFromThisJvm() {
        sparkSettings().keySet().forEach(System::clearProperty);
    }

    /** The settings as JVM options for a process started by a test ({@code INITSWEEP_JAVA_OPTS}). */
    public String javaOptions() {
        StringBuilder options = new StringBuilder();
        sparkSettings().forEach((k, v) -> options.append(" -D").append(k).append('=').append(v));
        return options.toString().trim();
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }
}
