package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.ResolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.ResolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.ResolvedPersistentView;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.catalog.CatalogStorageFormat;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalog;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.DeleteFromTable;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoDir;
import org.apache.spark.sql.catalyst.plans.logical.InsertIntoStatement;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.MergeIntoTable;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.UpdateTable;
import org.apache.spark.sql.catalyst.plans.logical.V2WriteCommand;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.command.DataWritingCommand;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InsertIntoDataSourceCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.collection.JavaConverters;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Keeps SQL from changing initsweep's results: a statement that would write to the {@code initsweep} database
 * (INSERT, INSERT OVERWRITE, DELETE, UPDATE, MERGE, DROP, TRUNCATE, ALTER, CREATE [... AS SELECT], LOAD DATA, ...)
 * or into a warehouse's directories (INSERT OVERWRITE DIRECTORY, a table of another database located there) is
 * refused with {@link FailureKind#READ_ONLY}. Reading is not restricted: queries, SHOW, DESCRIBE, EXPLAIN, SET, USE,
 * CACHE, REFRESH. Writing elsewhere (a scratch database, a temporary view) is allowed.
 *
 * <p>The decision is made on Spark's analyzed plan, by a check rule that {@link ReadOnlyExtensions} installs in
 * every session of a SparkSession built with it: the command line's, or any other Spark SQL front end (the Thrift
 * JDBC server, a notebook) configured with {@code spark.sql.extensions=io.initsweep.spark.ReadOnlyExtensions}. A
 * session may write only if it was made with {@link #writable}: initsweep's own code (commits, the catalog's
 * registration) and {@code sql --allow-writes}. Nothing a statement does (SET, RESET) can change that.
 */
public final class ReadOnlyGuard {
    /** The database of initsweep's tables and views. */
    public static final String DATABASE = "initsweep";

    /** Sessions whose state holds the check rule. */
    private static final Set<SparkSession> GUARDED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));
    /** Sessions that may write. */
    private static final Set<SparkSession> WRITABLE = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /** Commands that read or only change the session: never refused, whatever they name. */
    private static final Set<String> READING = Set.of("ExplainCommand", "SetCommand", "ResetCommand",
            "SetNamespaceCommand", "SetCatalogCommand", "SetCatalogAndNamespace", "CacheTable", "CacheTableAsSelect",
            "CacheTableCommand", "UncacheTable", "UncacheTableCommand", "ClearCacheCommand", "RefreshTable",
            "RefreshTableCommand", "RefreshResource", "RefreshFunction", "AddJarsCommand", "AddFilesCommand",
            "AddArchivesCommand");

    private ReadOnlyGuard() {
    }

    /**
     * A session that may write: {@code spark} itself if the guard is not installed in it, else a new session of
     * the same Spark application (same catalog, own configuration) marked writable.
     */
    public static SparkSession writable(SparkSession spark) {
        if (!guarded(spark) || WRITABLE.contains(spark)) {
            return spark;
        }
        SparkSession session = spark.newSession();
        WRITABLE.add(session);
        return session;
    }

    /** Whether SQL in this session goes through the guard. */
    public static boolean guarded(SparkSession spark) {
        spark.sessionState().analyzer(); // builds the session's check rules (lazily built), registering it
        return GUARDED.contains(spark);
    }

    /** The check rule's body, for the session it was built for. */
    static void install(SparkSession session) {
        GUARDED.add(session);
    }

    /**
     * Refuses an analyzed plan that writes initsweep's results, unless the session may write.
     *
     * @throws InitsweepException {@link FailureKind#READ_ONLY}
     */
    static void check(SparkSession session, LogicalPlan plan) {
        if (WRITABLE.contains(session)) {
            return;
        }
        String violation = violation(session, plan);
        if (violation != null) {
            throw refusal(violation);
        }
    }

    /**
     * Refuses a parsed statement that writes rows of a table of the database (INSERT, DELETE, UPDATE, MERGE), so
     * the user is told so even where Spark's analysis would fail it for another reason. Unqualified names are in
     * the current database. Everything else is decided on the analyzed plan ({@link #check}).
     */
    static void checkParsed(SparkSession session, LogicalPlan parsed) {
        if (WRITABLE.contains(session)) {
            return;
        }
        LogicalPlan table = parsed instanceof InsertIntoStatement insert ? insert.table()
                : parsed instanceof DeleteFromTable delete ? delete.table()
                : parsed instanceof UpdateTable update ? update.table()
                : parsed instanceof MergeIntoTable merge ? merge.targetTable() : null;
        if (table == null) {
            return;
        }
        List<Target> targets = new ArrayList<>();
        relation(table, targets);
        for (Target target : targets) {
            String database = target.database() != null ? target.database()
                    : session.sessionState().catalogManager().currentNamespace().length > 0
                    ? lastOf(session.sessionState().catalogManager().currentNamespace()) : null;
            if (database != null && database.equalsIgnoreCase(DATABASE)) {
                throw refusal(verb(parsed) + " on " + DATABASE + "." + target.name());
            }
        }
    }

    private static InitsweepException refusal(String what) {
        return new InitsweepException(FailureKind.READ_ONLY, what + " refused: SQL here may not change "
                + "initsweep's results (initsweep sql --allow-writes runs it on purpose)");
    }

    /** What the plan would write that belongs to initsweep, e.g. {@code INSERT into initsweep.runs}; else null. */
    static String violation(SparkSession session, LogicalPlan plan) {
        List<String[]> paths = new ArrayList<>(); // {verb, location}: checked once no database target refused
        for (LogicalPlan node : nodes(plan)) {
            if (!writes(node)) {
                continue;
            }
            for (Target target : targets(node)) {
                if (target.database() != null && target.database().equalsIgnoreCase(DATABASE)) {
                    return verb(node) + " " + target.describe();
                }
                if (target.location() != null) {
                    paths.add(new String[] {verb(node), normalize(target.location())});
                }
            }
        }
        if (paths.isEmpty()) {
            return null;
        }
        List<String> roots = warehouseRoots(session);
        for (String[] write : paths) {
            String path = write[1];
            for (String root : roots) {
                if (inside(path, root) || root.startsWith(path + "/")) {
                    return write[0] + " into " + path + " (the warehouse " + root + ")";
                }
            }
        }
        return null;
    }

    private static boolean writes(LogicalPlan node) {
        if (node instanceof InsertIntoStatement || node instanceof InsertIntoDir) {
            return true;
        }
        if (!(node instanceof Command)) {
            return false;
        }
        String name = node.getClass().getSimpleName();
        return !(READING.contains(name) || name.startsWith("Show") || name.startsWith("Describe")
                || name.startsWith("List"));
    }

    private static List<LogicalPlan> nodes(LogicalPlan plan) {
        List<LogicalPlan> nodes = new ArrayList<>();
        List<LogicalPlan> pending = new ArrayList<>(List.of(plan));
        while (!pending.isEmpty()) {
            LogicalPlan node = pending.remove(pending.size() - 1);
            nodes.add(node);
            pending.addAll(JavaConverters.seqAsJavaList(node.children()));
        }
        return nodes;
    }

    /**
     * What a writing command writes to. Its sources are not targets: reading initsweep's tables into a scratch
     * table is fine.
     */
    static List<Target> targets(LogicalPlan command) {
        List<Target> targets = new ArrayList<>();
        String name = command.getClass().getSimpleName();
        if (command instanceof V2WriteCommand write) {
            if (write.table() instanceof LogicalPlan table) {
                relation(table, targets);
            }
        } else if (command instanceof MergeIntoTable merge) {
            relation(merge.targetTable(), targets);
        } else if (command instanceof InsertIntoStatement insert) {
            relation(insert.table(), targets);
        } else if (command instanceof InsertIntoDataSourceCommand insert) {
            relation(insert.logicalRelation(), targets);
        } else if (command instanceof DataWritingCommand || command instanceof InsertIntoDir
                || name.equals("InsertIntoDataSourceDirCommand") || name.equals("CreateViewCommand")
                || name.equals("AlterViewAsCommand")) {
            // Their plans are the query they write (or the view's definition): sources.
            fields(command, false, targets);
        } else {
            // DDL: the plans they hold are the tables, views or namespaces they change.
            fields(command, true, targets);
        }
        return targets;
    }

    private static void fields(scala.Product node, boolean plansAreTargets, List<Target> targets) {
        scala.collection.Iterator<Object> elements = node.productIterator();
        while (elements.hasNext()) {
            value(elements.next(), plansAreTargets, targets);
        }
    }

    private static void value(Object value, boolean plansAreTargets, List<Target> targets) {
        if (value instanceof TableIdentifier id) {
            targets.add(new Target(id.database().isDefined() ? id.database().get() : null, id.table(), null));
        } else if (value instanceof CatalogTable table) {
            TableIdentifier id = table.identifier();
            targets.add(new Target(id.database().isDefined() ? id.database().get() : null, id.table(),
                    table.storage().locationUri().isDefined() ? table.storage().locationUri().get() : null));
        } else if (value instanceof CatalogStorageFormat storage) {
            if (storage.locationUri().isDefined()) {
                targets.add(new Target(null, null, storage.locationUri().get()));
            }
        } else if (value instanceof Path path) {
            targets.add(new Target(null, null, path.toUri()));
        } else if (value instanceof Identifier id) {
            targets.add(new Target(lastOf(id.namespace()), id.name(), null));
        } else if (value instanceof LogicalPlan plan) {
            if (plansAreTargets) {
                relation(plan, targets);
            }
        } else if (value instanceof scala.Option<?> option) {
            if (option.isDefined()) {
                value(option.get(), plansAreTargets, targets);
            }
        } else if (value instanceof scala.collection.Seq<?> seq) {
            for (Object element : JavaConverters.seqAsJavaList(seq)) {
                value(element, plansAreTargets, targets);
            }
        }
    }

    /** The table, view or namespace a plan names, when it names one rather than being a query. */
    private static void relation(LogicalPlan plan, List<Target> targets) {
        if (plan instanceof SubqueryAlias alias) {
            relation(alias.child(), targets);
        } else if (plan instanceof View view) {
            value(view.desc(), true, targets);
        } else if (plan instanceof LogicalRelation relation) {
            if (relation.catalogTable().isDefined()) {
                value(relation.catalogTable().get(), true, targets);
            }
            if (relation.relation() instanceof HadoopFsRelation files) {
                for (Path path : JavaConverters.seqAsJavaList(files.location().rootPaths())) {
                    targets.add(new Target(null, null, path.toUri()));
                }
            }
        } else if (plan instanceof HiveTableRelation hive) {
            value(hive.tableMeta(), true, targets);
        } else if (plan instanceof DataSourceV2Relation v2) {
            if (v2.identifier().isDefined()) {
                value(v2.identifier().get(), true, targets);
            }
        } else if (plan instanceof ResolvedTable table) {
            value(table.identifier(), true, targets);
        } else if (plan instanceof ResolvedIdentifier id) {
            value(id.identifier(), true, targets);
        } else if (plan instanceof ResolvedPersistentView view) {
            value(view.identifier(), true, targets);
        } else if (plan instanceof ResolvedNamespace namespace) {
            List<String> parts = JavaConverters.seqAsJavaList(namespace.namespace());
            targets.add(new Target(parts.isEmpty() ? null : parts.get(parts.size() - 1), null, null));
        } else if (plan instanceof UnresolvedRelation unresolved) {
            List<String> parts = JavaConverters.seqAsJavaList(unresolved.multipartIdentifier());
            targets.add(new Target(parts.size() > 1 ? parts.get(parts.size() - 2) : null,
                    parts.get(parts.size() - 1), null));
        }
    }

    private static String lastOf(String[] namespace) {
        return namespace.length == 0 ? null : namespace[namespace.length - 1];
    }

    /**
     * The warehouses registered in the catalog: the parents of the initsweep tables' locations. Their embedded
     * metastore ({@code _catalog/}, where scratch tables of other databases live) is not part of them.
     */
    private static List<String> warehouseRoots(SparkSession session) {
        List<String> roots = new ArrayList<>();
        ExternalCatalog catalog = session.sharedState().externalCatalog();
        if (!catalog.databaseExists(DATABASE)) {
            return roots;
        }
        for (String table : JavaConverters.seqAsJavaList(catalog.listTables(DATABASE))) {
            CatalogTable meta = catalog.getTable(DATABASE, table);
            if (meta.storage().locationUri().isDefined()) {
                String location = normalize(meta.storage().locationUri().get());
                int slash = location.lastIndexOf('/');
                if (slash > 0) {
                    roots.add(location.substring(0, slash));
                }
            }
        }
        return roots;
    }

    private static boolean inside(String path, String root) {
        if (!(path.equals(root) || path.startsWith(root + "/"))) {
            return false;
        }
        return !path.startsWith(root + "/_catalog/") && !path.equals(root + "/_catalog");
    }

    private static String normalize(URI uri) {
        URI normalized = uri.normalize();
        String scheme = normalized.getScheme() == null ? "file" : normalized.getScheme();
        String path = normalized.getPath() == null ? "" : normalized.getPath();
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String authority = normalized.getAuthority() == null ? "" : normalized.getAuthority();
        return scheme + "://" + authority + path;
    }

    private static String verb(LogicalPlan command) {
        if (command instanceof InsertIntoStatement insert && insert.overwrite()) {
            return "INSERT OVERWRITE";
        }
        String name = command.getClass().getSimpleName();
        String[][] verbs = {{"Insert", "INSERT"}, {"AppendData", "INSERT"}, {"Overwrite", "INSERT OVERWRITE"},
            {"Delete", "DELETE"}, {"Update", "UPDATE"}, {"Merge", "MERGE"}, {"Truncate", "TRUNCATE"},
            {"Drop", "DROP"}, {"AsSelect", "CREATE ... AS SELECT"}, {"Create", "CREATE"}, {"Replace", "REPLACE"},
            {"LoadData", "LOAD DATA"}, {"Repair", "REPAIR TABLE"}, {"Analyze", "ANALYZE"}, {"Alter", "ALTER"},
            {"Rename", "ALTER"}, {"Columns", "ALTER"}, {"Set", "ALTER"}, {"Comment", "COMMENT ON"}};
        for (String[] verb : verbs) {
            if (name.contains(verb[0])) {
                return verb[1];
            }
        }
        return name;
    }

    /**
     * Something a command writes to.
     *
     * @param database its database, null for a path or a temporary view
     * @param name     the table or view, null for a namespace or path
     * @param location where its files are, if known
     */
    record Target(String database, String name, URI location) {
        String describe() {
            if (database != null) {
                return "on " + (name == null ? "database " + database : database + "." + name);
            }
            return name != null ? "on " + name : "into " + location;
        }
    }
}
