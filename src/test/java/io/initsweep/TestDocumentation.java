package io.initsweep;

import io.initsweep.common.Parameter;
import io.initsweep.data.DatasetKind;
import io.initsweep.init.SchemeKind;
import io.initsweep.model.Activation;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's reference sections cannot drift from the code they describe. */
class TestDocumentation {
    private static final Path README = Path.of("README.md");

    @Test
    void tableSchemasInTheReadmeMatchTheCode() throws Exception {
        String readme = Files.readString(README);
        for (Table<?> table : Tables.catalog()) {
            String begin = "<!-- table:" + table.name() + " -->\n";
            String end = "<!-- /table:" + table.name() + " -->";
            assertThat(readme).contains(begin).contains(end);
            String documented = readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf(end));
            assertThat(documented).as("README section of table %s; regenerate it from Table.markdown()",
                    table.name()).isEqualTo(table.markdown());
        }
    }

    @Test
    void theSettingsReferenceInTheReadmeIsTheRegistrys() throws Exception {
        String readme = Files.readString(README);
        String begin = "<!-- settings -->\n";
        String end = "<!-- /settings -->";
        assertThat(readme).contains(begin).contains(end);
        assertThat(readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf(end)))
                .as("README's settings table; regenerate it from Settings.markdown()").isEqualTo(Settings.markdown());
    }

    @Test
    void everySpecNameIsDocumented() throws Exception {
        String readme = Files.readString(README);
        for (Setting<?> setting : Settings.ALL) {
            assertThat(readme).contains("| `" + setting.key() + "` |");
        }
        for (SchemeKind scheme : SchemeKind.values()) {
            assertThat(readme).contains("| `" + scheme.canonicalName() + "` |");
            for (Parameter p : scheme.parameters()) {
                assertThat(readme).as("scheme %s parameter %s", scheme, p.name()).contains("`" + p.name() + "`");
            }
        }
        for (Activation activation : Activation.values()) {
            assertThat(readme).contains("`" + activation.canonicalName() + "`");
        }
        for (DatasetKind kind : DatasetKind.values()) {
            assertThat(readme).contains("| `" + kind.canonicalName() + "` |");
            for (Parameter p : kind.parameters()) {
                assertThat(readme).as("dataset %s parameter %s", kind, p.name()).contains("`" + p.name() + "`");
            }
        }
    }
}
