package io.initsweep.cli;

import ch.qos.logback.classic.LoggerContext;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Logback is the one SLF4J binding, and Spark's log4j2 calls end up in it. */
class TestLogging {
    @Test
    void slf4jIsBoundToLogback() {
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(LoggerContext.class);
    }

    @Test
    void log4j2IsRoutedIntoSlf4j() {
        // log4j-to-slf4j's logger; with log4j-core in charge this would be org.apache.logging.log4j.core.Logger
        assertThat(LogManager.getLogger("org.apache.spark.SparkContext").getClass().getName())
                .isEqualTo("org.apache.logging.slf4j.SLF4JLogger");
    }
}
