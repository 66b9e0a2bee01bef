package io.initsweep.cli;

import io.initsweep.spark.WarehouseCheck;

import java.io.PrintWriter;
import java.util.List;

/** The warehouse problems a command found before it started, one line each on stderr. */
final class Warnings {
    private Warnings() {
    }

    static void print(List<WarehouseCheck.Finding> findings, String out, PrintWriter err) {
        for (WarehouseCheck.Finding finding : findings) {
            err.println("warning: " + finding.describe() + (finding.repairable()
                    ? "; initsweep ignores it, 'jobs/initsweep check --repair --out " + out
                    + "' moves it to quarantine"
                    : "; see 'jobs/initsweep check --out " + out + "'"));
        }
        err.flush();
    }
}
