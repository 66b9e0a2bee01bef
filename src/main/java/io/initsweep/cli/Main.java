package io.initsweep.cli;

import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.train.CellTrainerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The {@code initsweep} command line: the composition root that parses arguments, wires the pieces together and
 * maps outcomes to exit codes ({@link io.initsweep.common.ExitCode}, {@link Failures}).
 */
@Command(name = "initsweep", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Sweeps weight initialization x depth x activation x seed on Apache Spark with Deeplearning4j.",
        subcommands = {RunCommand.class, ValidateCommand.class, SqlCommand.class, CatalogCommand.class,
                ReportCommand.class, StatusCommand.class, CheckCommand.class, CompactCommand.class, ServeCommand.class, ReplayCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of any failure (the user's errors print one line each otherwise)")
    boolean verbose;

    public static void main(String[] args) {
        Interrupts.install();
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs a command as {@code main} would, without exiting; tests use this to follow the CLI's path. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        return execute(out, err, Dl4jCellTrainer.FACTORY, args);
    }

    /**
     * Runs a command with the given cell trainers: tests pass trainers that fail on purpose, to follow the
     * failure handling through the CLI's own path.
     */
    public static int execute(PrintStream out, PrintStream err, CellTrainerFactory trainers, String... args) {
        CommandLine commandLine = new CommandLine(new Main(), new Components(trainers));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
                Failures.report(e, cmd.getErr(), verbose(parsed)));
        return commandLine.execute(args);
    }

    /** Whether --verbose was given, on the command or any subcommand. */
    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the commands, handing each what it needs (constructor injection). */
    private static final class Components implements CommandLine.IFactory {
        private final CellTrainerFactory trainers;

        Components(CellTrainerFactory trainers) {
            this.trainers = trainers;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == RunCommand.class) {
                return type.cast(new RunCommand(trainers));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"initsweep " + (version == null ? "(development build)" : version)};
        }
    }
}
