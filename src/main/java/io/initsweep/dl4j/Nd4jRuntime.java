package io.initsweep.dl4j;

import io.initsweep.train.Provenance;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What this JVM's ND4J runs on, read once: backend, BLAS, native threads, device. Every result row carries it,
 * because the same seed gives the same bits only on the same backend and thread count.
 */
public final class Nd4jRuntime {
    private static volatile Provenance provenance;

    private Nd4jRuntime() {
    }

    /**
     * The native threads ND4J was started with. libnd4j reads OMP_NUM_THREADS once, when it loads, so it has to be
     * in the environment before the JVM starts (the launchers set it); here the BLAS pool is also capped, which
     * ND4J still allows at run time.
     *
     * @param wanted threads per task (the task's cores)
     */
    public static synchronized Provenance initialize(int wanted) {
        if (provenance == null) {
            Map<Object, Object> info = Nd4j.getExecutioner().getEnvironmentInformation();
            if (Nd4j.factory().blas().getMaxThreads() != wanted) {
                Nd4j.factory().blas().setMaxThreads(wanted);
            }
            if (Nd4j.getEnvironment().maxThreads() != wanted) {
                org.slf4j.LoggerFactory.getLogger(Nd4jRuntime.class).warn("ND4J runs {} native threads but each "
                        + "cell has {} core(s): OMP_NUM_THREADS was not set for this JVM before it started "
                        + "(jobs/submit and jobs/initsweep set it). Cells will be slower; runs.native_threads "
                        + "records it.", Nd4j.getEnvironment().maxThreads(), wanted);
            }
            String backend = String.valueOf(info.getOrDefault(Nd4jEnvironment.BACKEND_KEY, "unknown"))
                    .toLowerCase(java.util.Locale.ROOT);
            provenance = new Provenance(
                    backend,
                    String.valueOf(info.getOrDefault(Nd4jEnvironment.BLAS_VENDOR_KEY,
                            Nd4j.factory().blas().getBlasVendor())),
                    Nd4j.getEnvironment().maxThreads(),
                    device(backend, info),
                    dl4jVersion(),
                    System.getProperty("java.vm.name") + " " + Runtime.version(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    hostName(),
                    null,
                    null);
        }
        return provenance;
    }

    /** The OMP_NUM_THREADS this process was started with, or null. */
    public static Integer environmentThreads() {
        String value = System.getenv("OMP_NUM_THREADS");
        try {
            return value == null ? null : Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String dl4jVersion() {
        try (InputStream in = Nd4jRuntime.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "unknown");
            }
        } catch (IOException ignored) {
            // fall through: version unknown is better than failing a cell
        }
        return "unknown";
    }

    @SuppressWarnings("unchecked")
    private static String device(String backend, Map<Object, Object> info) {
        if (backend.contains("cuda")
                && info.get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY) instanceof List<?> devices
                && !devices.isEmpty()) {
            // the GPU this thread's arrays live on
            int index = Math.min(devices.size() - 1,
                    Math.max(0, Nd4j.getAffinityManager().getDeviceForCurrentThread()));
            if (devices.get(index) instanceof Map<?, ?> device) {
                return String.valueOf(((Map<String, Object>) device)
                        .getOrDefault(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY, "cuda"));
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall back to the architecture
        }
        return System.getProperty("os.arch");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
