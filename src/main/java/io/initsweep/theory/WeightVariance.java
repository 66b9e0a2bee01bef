package io.initsweep.theory;

import io.initsweep.init.InitScheme;
import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;

import java.io.Serializable;
import java.util.Objects;

/**
 * The σ_w² that mean-field theory sees in a layer initialized by a scheme: {@code σ_w² = fan_in·Var(W)}, from the
 * scheme's own formula ({@link InitScheme#variance}), or why the theory does not apply to the scheme.
 *
 * <p>The theory assumes weights with mean 0 whose sum over a layer's many inputs makes each pre-activation
 * Gaussian and the units independent. Where that holds:
 * <ul>
 *   <li>{@code normal}, {@code uniform} (fixed scale: σ_w² = fan_in·std² or fan_in·b²/3, so it depends on the
 *       layer's fan-in), the Xavier, He and LeCun families, {@code truncated_normal}, {@code variance_scaling}:
 *       independent entries of mean 0; the distribution's shape does not matter for wide layers (central limit).
 *   <li>{@code orthogonal}: entries are not independent, but a Haar-orthogonal {@code W} scaled by g maps
 *       ‖a‖² to g²·‖a‖² (square) and its pre-activations are Gaussian to leading order, so the variance and
 *       correlation maps and χ1 are those of i.i.d. weights of the same variance; only the spread of the
 *       Jacobian's singular values differs (Pennington, Schoenholz and Ganguli 2017, "Resurrecting the sigmoid").
 * </ul>
 * Not applicable, with the reason as text:
 * <ul>
 *   <li>{@code lsuv}: its variance is set from a batch of data (Mishkin and Matas 2016), not by a formula.
 *   <li>{@code zero}: every unit computes the same function; there is no randomness for a mean-field limit, and
 *       σ_w² = 0 would predict a depth scale of 0, blaming depth for what is a symmetry problem.
 *   <li>{@code constant}: weights of non-zero mean give all units one shared pre-activation component.
 *   <li>{@code identity}: each unit copies one input instead of summing many random terms, so nothing makes the
 *       pre-activations Gaussian.
 * </ul>
 *
 * @param sigmaW2       fan_in·Var(W); null where not applicable
 * @param notApplicable why not; null where applicable
 */
public record WeightVariance(Double sigmaW2, String notApplicable) implements Serializable {

    public WeightVariance {
        if ((sigmaW2 == null) == (notApplicable == null)) {
            throw new IllegalArgumentException("exactly one of sigmaW2 and notApplicable is set");
        }
    }

    public boolean applicable() {
        return sigmaW2 != null;
    }

    /** σ_w² of a {@code fanIn × fanOut} layer drawn by {@code scheme} in a network of {@code activation}. */
    public static WeightVariance of(SchemeSpec scheme, Activation activation, int fanIn, int fanOut) {
        Objects.requireNonNull(scheme, "scheme is null");
        Objects.requireNonNull(activation, "activation is null");
        if (fanIn < 1 || fanOut < 1) {
            throw new IllegalArgumentException("a layer needs fan_in, fan_out >= 1, got " + fanIn + "x" + fanOut);
        }
        WeightVariance noFormula = withoutFormula(scheme, activation);
        if (noFormula != null) {
            return noFormula;
        }
        InitScheme resolved = scheme.resolve(activation);
        if (resolved instanceof InitScheme.Identity) {
            return notApplicable("identity weights copy one input per unit: pre-activations are not sums of many "
                    + "random terms, so not Gaussian");
        }
        if (resolved.mean(fanIn, fanOut) != 0.0) {
            return notApplicable("scheme " + scheme.label() + " draws weights of non-zero mean");
        }
        return new WeightVariance(fanIn * resolved.variance(fanIn, fanOut), null);
    }

    /**
     * σ_w² of a convolution with this kernel drawn by {@code scheme}: {@code fan_in·Var(W)} with
     * {@code fan_in = k²·C_in} (the inputs one output value sums; Xiao et al. 2018's σ_w² is this product, their
     * weights having variance σ_w²/(k²·C_in)) and Var(W) from the scheme's kernel formula, over every tap. For
     * {@code delta_orthogonal} that is {@code gain²·C_in/C_out} (the centre tap's orthonormal columns carry it all),
     * for the independent-entry schemes the dense value with the kernel's fans. The delta identity is not
     * applicable, as identity on a dense layer is not.
     */
    public static WeightVariance of(SchemeSpec scheme, Activation activation, KernelShape kernel) {
        Objects.requireNonNull(scheme, "scheme is null");
        Objects.requireNonNull(activation, "activation is null");
        Objects.requireNonNull(kernel, "kernel is null");
        WeightVariance noFormula = withoutFormula(scheme, activation);
        if (noFormula != null) {
            return noFormula;
        }
        InitScheme resolved = scheme.resolve(activation);
        if (resolved instanceof InitScheme.Identity) {
            return notApplicable("the delta identity copies one input channel per output channel: pre-activations "
                    + "are not sums of many random terms, so not Gaussian");
        }
        if (resolved.mean(kernel) != 0.0) {
            return notApplicable("scheme " + scheme.label() + " draws weights of non-zero mean");
        }
        return new WeightVariance(kernel.fanIn() * resolved.variance(kernel), null);
    }

    /** Why a scheme has no σ_w² of the theory's kind, dense or convolution alike; null when it has one. */
    private static WeightVariance withoutFormula(SchemeSpec scheme, Activation activation) {
        if (scheme.kind() == SchemeKind.LSUV) {
            return notApplicable("lsuv sets the weight variance from a batch of data, not by a formula");
        }
        if (scheme.resolve(activation) instanceof InitScheme.Constant constant) {
            return notApplicable(constant.value() == 0.0
                    ? "zero weights make every unit the same function: no random weights for a mean-field limit"
                    : "constant weights have non-zero mean: all units share one pre-activation component");
        }
        return null;
    }

    private static WeightVariance notApplicable(String reason) {
        return new WeightVariance(null, reason);
    }
}
