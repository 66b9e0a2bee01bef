package io.initsweep.spark;

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
        long heap = bytes(conf.getOrDefault("spark.executor.memory", "1g"));
        Matcher physical = MAX_PHYSICAL.matcher(options);
        if (physical.find()) {
            long maxPhysical = bytes(physical.group(1));
            if (maxPhysical <= heap) {
                problems.add("org.bytedeco.javacpp.maxphysicalbytes=" + physical.group(1) + " is not above the "
                        + "executor heap spark.executor.memory=" + conf.getOrDefault("spark.executor.memory", "1g")
                        + ": it limits the whole process, heap included, so ND4J would have no room");
            }
            Matcher max = MAX_BYTES.matcher(options);
            String overhead = conf.get("spark.executor.memoryOverhead");
            if (max.find() && overhead != null && bytes(overhead) < bytes(max.group(1))) {
                problems.add("spark.executor.memoryOverhead=" + overhead + " is below ND4J's off-heap limit "
                        + "org.bytedeco.javacpp.maxbytes=" + max.group(1) + ": YARN or Kubernetes would kill "
                        + "executors that use it");
            }
        }
        return problems;
    }

    /** Bytes of a JVM-style size: 512m, 2g, 1024k, or plain bytes. */
    static long bytes(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1); // 2gb, 512mb
        }
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits) * unit;
    }
}
