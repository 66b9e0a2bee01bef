package io.initsweep.spec;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting of a sweep, declared once (in {@link Settings}): its key and section in the spec, whether it may be a
 * grid axis, its type and default, its {@code runs} column, and the roles it plays. The parser and its messages,
 * canonical text, cell and point ids, seeds, the {@code runs} schema and its documentation, replay's decoding, the
 * scheme comparison's context and the views' grouping are all derived from these declarations.
 *
 * <p>In the spirit of Trino's {@code PropertyMetadata}: a new setting is one declaration plus the code that uses
 * it; {@code TestSettingsRegistry} walks every declaration through parse, {@code runs} row and replay.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {

    /** The spec section a setting lives in when it is fixed rather than a grid axis. */
    public enum Section {
        MODEL, TRAINING, DATA, EXECUTION,
        /** How a transfer cell uses its source network (issue 17): which layers it keeps, freezing, strategy. */
        TRANSFER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a setting takes part in. Every setting has at least one role (a test checks it). */
    public enum Role {
        /** Part of the cell id (and the point id): changing it makes a different cell. */
        CELL_ID,
        /** Seeds the initial weights: cells equal in these (and the seed index) start from identical weights. */
        INIT_SEED,
        /** Seeds the minibatch order: cells equal in these (and the seed index) see the same batches. */
        ORDER_SEED,
        /** Held equal when schemes are compared: scheme_comparison pairs schemes only within equal values. */
        CONTEXT,
        /** Read back from the {@code runs} row by replay to rebuild the cell. */
        REPLAY,
        /** How the sweep runs, not what a cell computes: never part of a cell id. */
        RUNTIME
    }

    /** Whether a setting exists for every cell or for the sweep as a whole (how it runs). */
    public enum Scope {
        /** A value per cell; may be a grid axis. */
        CELL,
        /** One value per sweep (execution settings such as commit-seconds); never a grid axis. */
        SWEEP
    }

    private final String key;
    private final Section section;
    private final Scope scope;
    private final boolean axis;
    private final SettingType<T> type;
    private final T defaultValue;
    private final Function<CellSettings, T> derivedDefault;
    private final String defaultDoc;
    private final boolean required;
    private final String description;
    private final String column;
    private final String columnDoc;
    private final boolean columnNullable;
    private final Set<Role> roles;
    private final String idKey;
    private final boolean inIdAtDefault;
    private final Setting<?> controller;
    private final Object controllingValue;
    private final boolean controllingNegated;
    private final boolean refusedOtherwise;

    private Setting(Builder<T> b) {
        this.key = b.key;
        this.section = b.section;
        this.scope = b.scope;
        this.axis = b.axis;
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.derivedDefault = b.derivedDefault;
        this.defaultDoc = b.defaultDoc;
        this.required = b.required;
        this.description = Objects.requireNonNull(b.description, "description of " + b.key + " is null");
        this.column = b.column;
        this.columnDoc = b.columnDoc;
        this.columnNullable = b.columnNullable || b.controller != null;
        this.roles = Set.copyOf(b.roles);
        this.idKey = b.idKey == null ? b.key : b.idKey;
        this.inIdAtDefault = b.inIdAtDefault;
        this.controller = b.controller;
        this.controllingValue = b.controllingValue;
        this.controllingNegated = b.controllingNegated;
        this.refusedOtherwise = b.refusedOtherwise;
        if (scope == Scope.SWEEP && (axis || roles.contains(Role.CELL_ID))) {
            throw new IllegalArgumentException(key + ": a sweep-wide setting is neither an axis nor part of a cell id");
        }
    }

    /** Starts a declaration. */
    public static <T> Builder<T> builder(String key, Section section, SettingType<T> type) {
        return new Builder<>(key, section, type);
    }

    /** The key in the spec, e.g. {@code learning-rate}. */
    public String key() {
        return key;
    }

    public Section section() {
        return section;
    }

    public Scope scope() {
        return scope;
    }

    /** Whether the spec may give it as a grid axis. */
    public boolean axis() {
        return axis;
    }

    public SettingType<T> type() {
        return type;
    }

    /** The value when the spec leaves it out; may be null (no target loss, a required setting). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default of a cell where it depends on the cell's other settings, else the fixed default. */
    T defaultFor(CellSettings settings) {
        return derivedDefault != null ? derivedDefault.apply(settings) : defaultValue;
    }

    /** The default as the spec reference shows it: {@code —} for a required setting, {@code none} for absence. */
    public String defaultDoc() {
        if (required) {
            return "—";
        }
        if (defaultDoc != null) {
            return defaultDoc;
        }
        String text = defaultValue == null ? "" : canonical(defaultValue);
        return text.isEmpty() || text.equals("none") ? "none" : text;
    }

    /** Whether the spec must give it, on the grid or in its section. */
    public boolean required() {
        return required;
    }

    /** One line for the spec reference. */
    public String description() {
        return description;
    }

    /** The {@code runs} column, or null if the setting is not stored. */
    public String column() {
        return column;
    }

    /** What the column holds, for the table reference. */
    public String columnDoc() {
        return columnDoc;
    }

    /** Whether the column may hold null: the setting may not apply to a cell, or may be absent. */
    public boolean columnNullable() {
        return columnNullable;
    }

    public Set<Role> roles() {
        return roles;
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** The key in the canonical text cell ids are hashed from (differs from {@link #key()} for one legacy name). */
    public String idKey() {
        return idKey;
    }

    /**
     * Whether the setting is in the cell id even at its default. True for the settings of the first release; a
     * setting added later is in the id only when it differs from its default, so that existing cells keep their ids.
     */
    public boolean inIdAtDefault() {
        return inIdAtDefault;
    }

    /** The setting whose value decides whether this one applies, or null if it always applies. */
    public Setting<?> controller() {
        return controller;
    }

    /**
     * The controller's value under which this setting applies, or, where {@link #controllingNegated()}, the one
     * value under which it does not.
     */
    public Object controllingValue() {
        return controllingValue;
    }

    /** Whether the setting applies under every value of its controller but {@link #controllingValue()}. */
    public boolean controllingNegated() {
        return controllingNegated;
    }

    /** Whether the setting applies when its controller holds {@code value} (its controller's own condition aside). */
    public boolean appliesUnder(Object value) {
        return controller == null || controllingValue.equals(value) != controllingNegated;
    }

    /** The condition under which it applies, for messages: {@code training.optimizer momentum}. */
    public String condition() {
        if (controller == null) {
            return "always";
        }
        return controller.section().key() + "." + controller.key() + " "
                + (controllingNegated ? "other than " : "") + controller.canonical(controllingValue);
    }

    /**
     * Whether giving this setting where it cannot apply (its controller fixed to another value) is an error
     * rather than merely unused.
     */
    public boolean refusedOtherwise() {
        return refusedOtherwise;
    }

    /** The value as canonical text ({@code none} for an absent optional value). */
    @SuppressWarnings("unchecked")
    public String canonical(Object value) {
        return type.canonical((T) value);
    }

    @Override
    public String toString() {
        return key;
    }

    /** Declares a setting; see {@link Settings} for every use. */
    public static final class Builder<T> {
        private final String key;
        private final Section section;
        private final SettingType<T> type;
        private Scope scope = Scope.CELL;
        private boolean axis;
        private T defaultValue;
        private Function<CellSettings, T> derivedDefault;
        private String defaultDoc;
        private boolean required;
        private String description;
        private String column;
        private String columnDoc;
        private boolean columnNullable;
        private final Set<Role> roles = EnumSet.noneOf(Role.class);
        private String idKey;
        private boolean inIdAtDefault;
        private Setting<?> controller;
        private Object controllingValue;
        private boolean controllingNegated;
        private boolean refusedOtherwise;

        private Builder(String key, Section section, SettingType<T> type) {
            this.key = Objects.requireNonNull(key, "key is null");
            this.section = Objects.requireNonNull(section, "section is null");
            this.type = Objects.requireNonNull(type, "type is null");
        }

        /** May be a grid axis. */
        public Builder<T> axis() {
            axis = true;
            return this;
        }

        /** One value for the whole sweep. */
        public Builder<T> sweepWide() {
            scope = Scope.SWEEP;
            return this;
        }

        public Builder<T> defaultValue(T value) {
            defaultValue = value;
            return this;
        }

        /**
         * A default computed from the cell's other settings (batch-size-per-worker follows batch-size).
         *
         * @param doc the rule for the spec reference, e.g. {@code `batch-size`}
         */
        public Builder<T> defaultFrom(Function<CellSettings, T> rule, String doc) {
            derivedDefault = rule;
            defaultDoc = doc;
            return this;
        }

        public Builder<T> required() {
            required = true;
            return this;
        }

        public Builder<T> description(String text) {
            description = text;
            return this;
        }

        /** Stored in {@code runs} under this column, never null where the setting applies. */
        public Builder<T> column(String name, String doc) {
            column = name;
            columnDoc = doc;
            return this;
        }

        /** Stored in {@code runs} under this column, which holds null for an absent value (no target loss). */
        public Builder<T> nullableColumn(String name, String doc) {
            columnNullable = true;
            return column(name, doc);
        }

        public Builder<T> roles(Role... values) {
            roles.addAll(List.of(values));
            return this;
        }

        /** Written under another key in the cell id's canonical text (kept for ids stored before). */
        public Builder<T> idKey(String name) {
            idKey = name;
            return this;
        }

        /** A setting of the first release: in the cell id even at its default (see {@link #inIdAtDefault()}). */
        public Builder<T> inIdAtDefault() {
            inIdAtDefault = true;
            return this;
        }

        /**
         * Applies only while {@code other} has {@code value}; elsewhere it is not in the id and its column is null.
         *
         * @param refused whether the spec is refused when it gives this setting but fixes {@code other} to another
         *                value
         */
        public <V> Builder<T> onlyWhen(Setting<V> other, V value, boolean refused) {
            controller = Objects.requireNonNull(other, "other is null");
            controllingValue = Objects.requireNonNull(value, "value is null");
            refusedOtherwise = refused;
            return this;
        }

        /**
         * Applies only while {@code other} has any value but {@code value} (the transfer settings apply only where
         * {@code transfer-layers} is not 0); otherwise as {@link #onlyWhen}.
         */
        public <V> Builder<T> onlyWhenNot(Setting<V> other, V value, boolean refused) {
            onlyWhen(other, value, refused);
            controllingNegated = true;
            return this;
        }

        public Setting<T> build() {
            return new Setting<>(this);
        }
    }
}
