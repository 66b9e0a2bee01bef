package io.initsweep.spec;

/**
 * How a transfer cell trains the network it built from its source's kept layers and its own new layers.
 */
public enum TransferStrategy {
    /**
     * Every epoch trains the new layers, and the kept layers too unless {@code freeze} is set (Yosinski et al. 2014:
     * AnB frozen, AnB+ fine-tuned).
     */
    FINE_TUNE("fine-tune"),
    /**
     * Linear probing, then fine-tuning (Kumar et al. 2022, "Fine-Tuning can Distort Pretrained Features and
     * Underperform Out-of-Distribution"): the first {@code lp-epochs} epochs train the new layers only, the kept
     * layers frozen, at {@code lp-learning-rate}; the remaining epochs train every layer at {@code learning-rate},
     * with a fresh optimizer state. A head fitted first moves the kept features less than a random one.
     */
    LP_FT("lp-ft");

    private final String canonicalName;

    TransferStrategy(String canonicalName) {
        this.canonicalName = canonicalName;
    }

    public String canonicalName() {
        return canonicalName;
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
