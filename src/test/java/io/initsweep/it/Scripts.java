package io.initsweep.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the scripts in jobs/ as a user would, in their own processes. */
final class Scripts {
    static final Path HOME = Path.of("").toAbsolutePath();

    private Scripts() {
    }

    /** A finished command: exit code and output. */
    record Result(int code, String out, String err) {
        String all() {
            return out + "\n--- stderr ---\n" + err;
        }
    }

    static Result run(Map<String, String> environment, long timeoutSeconds, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("initsweep-it", ".out");
        Path err = Files.createTempFile("initsweep-it", ".err");
        try {
            Process process = start(environment, out, err, command);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " ran over " + timeoutSeconds + " s\n"
                        + Files.readString(out) + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The JIT for the tests' short-lived commands (see {@link #start}). */
    static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";

    static Process start(Map<String, String> environment, Path out, Path err, String... command) throws IOException {
        List<String> words = new ArrayList<>(List.of(command));
        words.set(0, HOME.resolve(words.get(0)).toString());
        ProcessBuilder builder = new ProcessBuilder(words).directory(HOME.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        // Each command is a JVM of seconds to a minute, where the C2 compiler's threads cost more CPU than its code
        // gives back (a 4-cell report: 43.5 CPU-s with C2, 21.8 with C1 alone, on the suite's 2 cores). Results do
        // not depend on it: Java's floating point is strict since 17 and the kernels are native.
        builder.environment().merge("INITSWEEP_JAVA_OPTS", QUICK_JIT, (given, quick) -> quick + " " + given);
        return builder.start();
    }

    /** A free TCP port on loopback. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
