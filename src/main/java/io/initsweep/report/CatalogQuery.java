package io.initsweep.report;

import java.util.List;
import java.util.Map;

/**
 * The catalog as the report reads it: SQL in, rows out. The Spark layer implements it, so the report renders what
 * any SQL engine over the same views would return, and depends on none.
 */
@FunctionalInterface
public interface CatalogQuery {
    /**
     * The rows of a query, each a map from column name to value in column order: numbers, text and booleans as
     * they are, non-finite doubles as null (JSON has no NaN), timestamps as ISO-8601 text.
     */
    List<Map<String, Object>> rows(String sql);
}
