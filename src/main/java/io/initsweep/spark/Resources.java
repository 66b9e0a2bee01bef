package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks, before a cluster sweep starts, that the executors' resources fit together: native threads follow the
 * task's cores, and ND4J's off-heap limit leaves room for the heap. A mismatch kills executors hours into a sweep
 * (the cluster manager's memory limit) or makes every cell many times slower (oversubscribed native threads).
 */
public final class Resources {
    private static final Pattern MAX_PHYSICAL = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxphysicalbytes=(\\S+)");
    private static final Pattern MAX_BYTES = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=(\\S+)");

    private Resources() {
    }

    /**
     * @param conf the application's Spark configuration
     * @return problems that must stop the sweep (empty if none)
     */
    public static List<String> problems(Map<String, String> conf) {
        List<String> problems = new ArrayList<>();
        int cpus = Integer.parseInt(conf.getOrDefault("spark.task.cpus", "1"));
        String threads = conf.get("spark.executorEnv.OMP_NUM_THREADS");
        if (threads != null && !threads.trim().equals(Integer.toString(cpus))) {
            problems.add("spark.executorEnv.OMP_NUM_THREADS=" + threads + " but spark.task.cpus=" + cpus
                    + ": native threads per task must equal the task's cores (jobs/submit sets both from "
                    + "execution.cores-per-cell)");
        }
        String options = conf.getOrDefault("spark.executor.extraJavaOptions", "");
        long heap = bytes(conf.getOrDefault("spark.executor.memory", "1g"), SPARK_UNIT);
        Matcher physical = MAX_PHYSICAL.matcher(options);
        if (physical.find()) {
            long maxPhysical = bytes(physical.group(1), JAVACPP_UNIT);
            if (maxPhysical <= heap) {
                problems.add("org.bytedeco.javacpp.maxphysicalbytes=" + physical.group(1) + " is not above the "
                        + "executor heap spark.executor.memory=" + conf.getOrDefault("spark.executor.memory", "1g")
                        + ": it limits the whole process, heap included, so ND4J would have no room");
            }
            Matcher max = MAX_BYTES.matcher(options);
            String overhead = conf.get("spark.executor.memoryOverhead");
            if (max.find() && overhead != null && bytes(overhead, SPARK_UNIT) < bytes(max.group(1), JAVACPP_UNIT)) {
                problems.add("spark.executor.memoryOverhead=" + overhead + " is below ND4J's off-heap limit "
                        + "org.bytedeco.javacpp.maxbytes=" + max.group(1) + ": YARN or Kubernetes would kill "
                        + "executors that use it");
            }
        }
        return problems;
    }

    /** Spark reads a bare number in spark.executor.memory and spark.executor.memoryOverhead as MiB. */
    static final long SPARK_UNIT = 1L << 20;
    /** JavaCPP reads a bare number in maxbytes and maxphysicalbytes as bytes. */
    static final long JAVACPP_UNIT = 1;

    /**
     * Bytes of a size as Spark or JavaCPP writes it: 512m, 2g, 2gb, 1024k, or a bare number in {@code bareUnit}
     * bytes (each reader has its own: reading Spark's 4096 as bytes passed a 4 GiB heap off as 4 KiB).
     */
    static long bytes(String size, long bareUnit) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1); // 2gb, 512mb
        }
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> bareUnit;
        };
        boolean suffixed = !s.isEmpty() && !Character.isDigit(s.charAt(s.length() - 1));
        String digits = suffixed ? s.substring(0, s.length() - 1) : s;
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "not a size: '" + size
                    + "' (write it as Spark does: 512m, 4g)");
        }
    }
}
