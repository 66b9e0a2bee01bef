package io.initsweep.spark;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestResources {
    private static final String FLAGS = "--add-opens=java.base/java.nio=ALL-UNNAMED ";

    @Test
    void consistentSettingsPass() {
        assertThat(Resources.problems(Map.of("spark.task.cpus", "2", "spark.executorEnv.OMP_NUM_THREADS", "2",
                "spark.executor.memory", "4g", "spark.executor.memoryOverhead", "2560m",
                "spark.executor.extraJavaOptions", FLAGS + "-Dorg.bytedeco.javacpp.maxbytes=2048m "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=6144m"))).isEmpty();
    }

    @Test
    void nativeThreadsMustFollowTaskCores() {
        assertThat(Resources.problems(Map.of("spark.task.cpus", "2", "spark.executorEnv.OMP_NUM_THREADS", "8")))
                .singleElement().asString().startsWith("spark.executorEnv.OMP_NUM_THREADS=8 but spark.task.cpus=2");
    }

    @Test
    void maxPhysicalBytesMustLeaveRoomAboveTheHeap() {
        assertThat(Resources.problems(Map.of("spark.executor.memory", "4g", "spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g"))).singleElement().asString()
                .startsWith("org.bytedeco.javacpp.maxphysicalbytes=4g is not above the executor heap");
    }

    @Test
    void overheadMustCoverNd4jsOffHeap() {
        assertThat(Resources.problems(Map.of("spark.executor.memory", "2g", "spark.executor.memoryOverhead", "512m",
                "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2g "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g"))).singleElement().asString()
                .startsWith("spark.executor.memoryOverhead=512m is below ND4J's off-heap limit");
    }

    @Test
    void sizesParseAsTheirReaderReadsThem() {
        assertThat(Resources.bytes("512m", Resources.SPARK_UNIT)).isEqualTo(512L << 20);
        assertThat(Resources.bytes("2g", Resources.SPARK_UNIT)).isEqualTo(2L << 30);
        assertThat(Resources.bytes("2gb", Resources.JAVACPP_UNIT)).isEqualTo(2L << 30);
        // a bare number: MiB for Spark's memory settings, bytes for JavaCPP's
        assertThat(Resources.bytes("4096", Resources.SPARK_UNIT)).isEqualTo(4096L << 20);
        assertThat(Resources.bytes("1024", Resources.JAVACPP_UNIT)).isEqualTo(1024);
    }

    @Test
    void aBareExecutorMemoryIsMebibytesSoTooSmallAPhysicalLimitIsCaught() {
        // spark.executor.memory=4096 is 4 GiB: a 4 GiB physical limit leaves ND4J nothing (read as bytes, it passed)
        assertThat(Resources.problems(Map.of("spark.executor.memory", "4096", "spark.executor.extraJavaOptions",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g"))).singleElement().asString()
                .startsWith("org.bytedeco.javacpp.maxphysicalbytes=4g is not above the executor heap");
        assertThat(Resources.problems(Map.of("spark.executor.memory", "4096", "spark.executor.memoryOverhead", "1024",
                "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=2g "
                        + "-Dorg.bytedeco.javacpp.maxphysicalbytes=8g"))).singleElement().asString()
                .startsWith("spark.executor.memoryOverhead=1024 is below ND4J's off-heap limit");
    }
}
