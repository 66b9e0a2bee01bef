package io.initsweep.tiers;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The integration tier: a test that starts Spark (a local session, the CLI's run path, the catalog). It runs in
 * {@code mvn verify}, after the fast unit tier; {@code TestArchitecture} checks that every test using Spark has it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(SparkTest.TAG)
public @interface SparkTest {
    String TAG = "spark";
}
