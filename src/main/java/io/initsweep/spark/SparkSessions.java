package io.initsweep.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates the SparkSession a command runs in: the embedded local Spark by default, or whatever master
 * spark-submit or {@code --master} names.
 */
public final class SparkSessions {
    /** Local mode by default: every core, and up to 4 attempts per task so a flaky task is retried as on a cluster. */
    public static final String DEFAULT_MASTER = "local[*,4]";
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)?])?");

    private SparkSessions() {
    }

    /**
     * @param master       the master URL; null to keep spark-submit's, else {@link #DEFAULT_MASTER}
     * @param coresPerCell spark.task.cpus
     * @param ui           whether a local Spark serves its web UI
     */
    public static SparkSession create(String master, int coresPerCell, boolean ui) {
        SparkConf submitted = new SparkConf(); // picks up spark.* system properties set by spark-submit
        String effective = master != null ? master : submitted.get("spark.master", DEFAULT_MASTER);
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
        if (isLocal(effective)) {
            builder.config("spark.ui.enabled", Boolean.toString(ui))
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        }
        return builder.getOrCreate();
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
