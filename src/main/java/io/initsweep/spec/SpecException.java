package io.initsweep.spec;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import java.util.List;
import java.util.stream.Collectors;

/** A spec that cannot run; carries every problem found, each with file, key path, line and value. */
public final class SpecException extends InitsweepException {
    private final List<SpecError> errors;

    public SpecException(List<SpecError> errors) {
        super(FailureKind.BAD_SPEC, errors.stream().map(SpecError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public SpecException(SpecError error) {
        this(List.of(error));
    }

    public List<SpecError> errors() {
        return errors;
    }
}
