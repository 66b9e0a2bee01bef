package io.initsweep.tiers;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The integration tier: a test that trains or measures networks with Deeplearning4j's native backend (seconds to
 * load, seconds per network). It runs in {@code mvn verify}, after the fast unit tier; {@code TestArchitecture}
 * checks that every test using DL4J or ND4J has it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(Dl4jTest.TAG)
public @interface Dl4jTest {
    String TAG = "dl4j";
}
