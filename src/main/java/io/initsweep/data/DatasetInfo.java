package io.initsweep.data;

import java.io.Serializable;

/** What the tables record of the dataset a cell trained on. */
public record DatasetInfo(String name, String sha256, Task task, int features, int outputs, int trainRows,
                          int testRows) implements Serializable {

    public static DatasetInfo of(DatasetIdentity d) {
        return new DatasetInfo(d.name(), d.sha256(), d.task(), d.features(), d.outputs(), d.trainRows(),
                d.testRows());
    }
}
