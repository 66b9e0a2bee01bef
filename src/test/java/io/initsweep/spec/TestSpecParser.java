package io.initsweep.spec;

import io.initsweep.init.SchemeKind;
import io.initsweep.model.Activation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSpecParser {
    private static final String FILE = "conf/sweeps/x.yaml";

    private static final String VALID = """
            name: t
            seeds: 2
            grid:
              scheme: [zero, he_normal, {normal: {std: 0.1}}]
              depth: [2, 4]
              activation: [relu]
            model:
              width: 16
            training:
              epochs: 3
              learning-rate: 0.05
              target-loss: 0.4
            data:
              dataset: spirals
              samples: 200
            """;

    @Test
    void parsesAValidSpec() {
        SweepSpec spec = SpecParser.parse(VALID, FILE);
        assertThat(spec.name()).isEqualTo("t");
        assertThat(spec.seeds()).containsExactly(0L, 1L);
        assertThat(spec.grid()).extracting(g -> g.setting().key()).containsExactly("scheme", "depth", "activation");
        assertThat(spec.grid().get(0).values()).extracting(v -> v.value().toString())
                .containsExactly("zero", "he_normal", "normal(std=0.1)");
        assertThat(spec.cellCount()).isEqualTo(3 * 2 * 2);
        CellSettings base = spec.baseSettings().set(Settings.SCHEME, io.initsweep.init.SchemeSpec.of(SchemeKind.ZERO))
                .set(Settings.DEPTH, 2).set(Settings.ACTIVATION, Activation.RELU).build();
        assertThat(base.width()).isEqualTo(16);
        assertThat(base.epochs()).isEqualTo(3);
        assertThat(base.learningRate()).isEqualTo(0.05);
        assertThat(base.targetLoss()).isEqualTo(0.4);
        assertThat(spec.dataset().label()).startsWith("spirals(samples=200,");
    }

    @Test
    void aDuplicatedKeyIsOneErrorAndHidesNothingElse() {
        // The second 'name' used to blank the whole top level: "name is required", "depth must be given", ...
        assertThat(errors(VALID.replace("seeds: 2", "seeds: 2\nname: again"))).containsExactly(
                "key 'name' appears more than once (conf/sweeps/x.yaml: name, line 3)");
        assertThat(errors(VALID.replace("  epochs: 3", "  epochs: 3\n  epochs: 4"))).containsExactly(
                "key 'epochs' appears more than once (conf/sweeps/x.yaml: training.epochs, line 11)");
    }

    @Test
    void aSettingThatCannotBeAnAxisSaysWhereItGoes() {
        assertThat(errors(VALID.replace("  activation: [relu]", "  activation: [relu]\n  precision: [float32]")))
                .containsExactly("precision cannot be a grid axis; give it once as training.precision "
                        + "(conf/sweeps/x.yaml: grid.precision, line 7)");
    }

    @Test
    void seedsMayBeAnExplicitList() {
        SweepSpec spec = SpecParser.parse(VALID.replace("seeds: 2", "seeds: [7, 3, 11]"), FILE);
        assertThat(spec.seeds()).containsExactly(7L, 3L, 11L);
    }

    @Test
    void outOfRangeValueNamesFileKeyLineAndValue() {
        assertThat(errors(VALID.replace("depth: [2, 4]", "depth: [2, 0]")))
                .containsExactly("depth must be >= 1, got 0 (conf/sweeps/x.yaml: grid.depth[1], line 5)");
    }

    @Test
    void wrongTypeIsQuoted() {
        assertThat(errors(VALID.replace("width: 16", "width: wide")))
                .containsExactly("width must be an integer, got 'wide' (conf/sweeps/x.yaml: model.width, line 8)");
        assertThat(errors(VALID.replace("depth: [2, 4]", "depth: [2, 4.5]")))
                .containsExactly("depth must be an integer, got 4.5 (conf/sweeps/x.yaml: grid.depth[1], line 5)");
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion() {
        assertThat(errors(VALID.replace("width: 16", "widht: 16")))
                .singleElement().asString()
                .startsWith("unknown key 'widht' (did you mean 'width'?)")
                .endsWith("(conf/sweeps/x.yaml: model.widht, line 8)");
        assertThat(errors(VALID.replace("seeds: 2", "seeds: 2\nseed: 4"))).singleElement().asString()
                .startsWith("unknown key 'seed' (did you mean 'seeds'?)");
        assertThat(errors(VALID.replace("activation: [relu]", "activaton: [relu]"))).first().asString()
                .startsWith("unknown axis 'activaton' (did you mean 'activation'?)");
    }

    @Test
    void emptyAxisIsRefused() {
        assertThat(errors(VALID.replace("depth: [2, 4]", "depth: []")))
                .containsExactly("grid axis depth is empty; give at least one value "
                        + "(conf/sweeps/x.yaml: grid.depth, line 5)");
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThat(errors(VALID.replace("activation: [relu]", "activation: [relu, swish]")))
                .singleElement().asString()
                .isEqualTo("activation must be one of relu, leaky_relu, tanh, sigmoid, elu, selu, softsign, "
                        + "identity, got 'swish' (conf/sweeps/x.yaml: grid.activation[1], line 6)");
        assertThat(errors(VALID.replace("he_normal,", "kaiming,"))).singleElement().asString()
                .startsWith("unknown scheme 'kaiming' (known: zero, constant, uniform, normal,")
                .endsWith("(conf/sweeps/x.yaml: grid.scheme[1], line 4)");
    }

    @Test
    void schemeParametersAreChecked() {
        assertThat(errors(VALID.replace("{normal: {std: 0.1}}", "{normal: {std: -1}}"))).singleElement()
                .asString().isEqualTo("std must be > 0, got -1 (conf/sweeps/x.yaml: grid.scheme[2].normal.std, line 4)");
        assertThat(errors(VALID.replace("{normal: {std: 0.1}}", "{normal: {sd: 1}}"))).singleElement()
                .asString().startsWith("scheme normal has no parameter 'sd' (it takes std)");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> errors = errors(VALID.replace("depth: [2, 4]", "depth: [0]")
                .replace("width: 16", "width: -3").replace("epochs: 3", "epochs: x"));
        assertThat(errors).hasSize(3);
    }

    @Test
    void aSettingCannotBeBothAxisAndFixed() {
        assertThat(errors(VALID.replace("width: 16", "depth: 3"))).singleElement().asString()
                .startsWith("depth is a grid axis and also fixed here");
    }

    @Test
    void requiredSettingsMustBeGiven() {
        assertThat(errors(VALID.replace("  activation: [relu]\n", ""))).singleElement().asString()
                .startsWith("activation must be given, as a grid axis or as model.activation");
        assertThat(errors(VALID.replace("name: t\n", ""))).singleElement().asString()
                .isEqualTo("name is required (conf/sweeps/x.yaml: name)");
    }

    @Test
    void yamlSyntaxErrorsGiveALine() {
        assertThat(errors("name: t\ngrid: [\n")).singleElement().asString()
                .startsWith("not valid YAML").contains("conf/sweeps/x.yaml").contains("line ");
    }

    @Test
    void duplicateGridValuesAndSeedsAreRefused() {
        assertThat(errors(VALID.replace("depth: [2, 4]", "depth: [2, 2]"))).singleElement().asString()
                .startsWith("value 2 appears more than once in grid axis depth");
        assertThat(errors(VALID.replace("seeds: 2", "seeds: [1, 1]"))).singleElement().asString()
                .startsWith("seed 1 appears more than once");
    }

    @Test
    void datasetParametersAreValidated() {
        assertThat(errors(VALID.replace("samples: 200", "samples: 0"))).singleElement().asString()
                .isEqualTo("samples must be >= 1, got 0 (conf/sweeps/x.yaml: data.samples, line 15)");
        assertThat(errors(VALID.replace("dataset: spirals", "dataset: mnist"))).singleElement().asString()
                .startsWith("dataset must be one of spirals, blobs");
    }

    private static List<String> errors(String yaml) {
        try {
            SpecParser.parse(yaml, FILE);
        } catch (SpecException e) {
            return e.errors().stream().map(SpecError::toString).toList();
        }
        throw new AssertionError("the spec was accepted:\n" + yaml);
    }

    @Test
    void specExceptionListsAllErrors() {
        assertThatThrownBy(() -> SpecParser.parse(VALID.replace("depth: [2, 4]", "depth: [0]"), FILE))
                .isInstanceOf(SpecException.class).hasMessageContaining("grid.depth[0]");
    }
}
