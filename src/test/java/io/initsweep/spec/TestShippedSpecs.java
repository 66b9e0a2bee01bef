package io.initsweep.spec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** Every spec shipped in conf/sweeps parses, so the examples the README points to cannot rot. */
class TestShippedSpecs {
    @Test
    void everyShippedSpecIsValid() throws IOException {
        List<Path> specs;
        try (Stream<Path> files = Files.walk(Path.of("conf/sweeps"))) {
            specs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(specs).hasSizeGreaterThanOrEqualTo(8);
        for (Path spec : specs) {
            assertThatCode(() -> SpecParser.parse(spec)).as(spec.toString()).doesNotThrowAnyException();
        }
    }
}
