package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** How far each sweep of a warehouse is, from its runs rows (live files only), its record and its lock. */
public final class SweepStatus {
    private SweepStatus() {
    }

    /**
     * One sweep's state.
     *
     * @param total        cells of the spec the latest run was given
     * @param done         of those, cells with a runs row
     * @param missing      of those, cells without one
     * @param other        rows of cells the latest spec no longer has
     * @param lastActivity when the latest of its cells finished, null if none did
     * @param holder       who holds its lock now, null if nobody
     */
    public record State(String sweep, int total, int done, int ok, int diverged, int failed, int missing, long other,
                        Instant lastActivity, SweepLock.Holder holder) {
        public State {
            Objects.requireNonNull(sweep, "sweep is null");
        }
    }

    /**
     * @param sweep one sweep, or null for every sweep that ran here
     * @throws InitsweepException {@link FailureKind#NOT_FOUND} if no sweep (or not that one) ran here
     */
    public static List<State> of(Warehouse warehouse, String sweep) throws IOException {
        List<String> sweeps = sweep != null ? List.of(sweep) : warehouse.sweeps();
        if (sweeps.isEmpty()) {
            throw new InitsweepException(FailureKind.NOT_FOUND, "no sweep has run in " + warehouse.root());
        }
        Map<String, Map<String, StoredRun>> runs = warehouse.storedRuns(sweeps);
        List<State> states = new ArrayList<>();
        for (String name : sweeps) {
            SweepRecord record = warehouse.readSweepRecord(name);
            if (record == null) {
                throw new InitsweepException(FailureKind.NOT_FOUND, "no sweep named '" + name + "' has run in "
                        + warehouse.root());
            }
            Map<String, StoredRun> done = runs.getOrDefault(name, Map.of());
            Set<String> expected = new HashSet<>(record.cellIds());
            int ok = 0;
            int diverged = 0;
            int failed = 0;
            int present = 0;
            for (String id : expected) {
                StoredRun run = done.get(id);
                if (run == null) {
                    continue;
                }
                present++;
                switch (run.status()) {
                    case "ok" -> ok++;
                    case "diverged" -> diverged++;
                    default -> failed++;
                }
            }
            long other = done.keySet().stream().filter(id -> !expected.contains(id)).count();
            Instant last = done.values().stream().map(StoredRun::finishedAt).max(Instant::compareTo).orElse(null);
            states.add(new State(name, expected.size(), present, ok, diverged, failed, expected.size() - present,
                    other, last, warehouse.lockHolder(name)));
        }
        return states;
    }
}
