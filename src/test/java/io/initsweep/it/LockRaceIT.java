package io.initsweep.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Processes racing for the same sweep lock on the local file system, started together round after round: in every
 * round exactly one wins. Both protocols run on the local disk: the hard-link create the local file system uses, and
 * the claims election object stores use (forced with initsweep.lock.protocol), which TestS3Warehouse also races on
 * S3 itself.
 */
class LockRaceIT {
    static final int CONTENDERS = 4;
    /** Rounds per protocol: the claims election backs off for up to seconds, so it gets fewer in the same time. */
    static final int LOCAL_ROUNDS = 12;
    static final int CLAIMS_ROUNDS = 6;

    @TempDir
    Path dir;

    @Test
    void ofFourProcessesStartedTogetherExactlyOneTakesTheLocalLockInEveryRound() throws Exception {
        race("local", LOCAL_ROUNDS, 1000, 500);
    }

    @Test
    void ofFourProcessesStartedTogetherExactlyOneWinsTheClaimsElectionInEveryRound() throws Exception {
        race("claims", CLAIMS_ROUNDS, 3500, 2500);
    }

    private void race(String protocol, int rounds, long period, long hold) throws Exception {
        Path locks = Files.createDirectories(dir.resolve(protocol).resolve("_locks"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Every process loads its classes first; the first round starts once all have had time to.
        long first = System.currentTimeMillis() + 8_000;
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int c = 0; c < CONTENDERS; c++) {
            Path out = dir.resolve(protocol + "-" + c + ".out");
            outputs.add(out);
            processes.add(new ProcessBuilder(java, "-Xmx128m", "-Dinitsweep.lock.protocol=" + protocol,
                    "-Dlogback.configurationFile=" + Scripts.HOME.resolve("conf/logback-test.xml"),
                    "-cp", System.getProperty("java.class.path"), LockContender.class.getName(),
                    locks.toUri().toString(), "raced", "contender" + c, Long.toString(first),
                    Integer.toString(rounds), Long.toString(period), Long.toString(hold))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start());
        }
        for (Process process : processes) {
            assertThat(process.waitFor(8 + rounds * period / 1000 + 60, TimeUnit.SECONDS)).isTrue();
        }
        Map<Integer, List<long[]>> winners = new HashMap<>();
        Map<Integer, Integer> answers = new HashMap<>();
        StringBuilder all = new StringBuilder();
        for (Path out : outputs) {
            for (String line : Files.readAllLines(out)) {
                all.append(out.getFileName()).append(": ").append(line).append('\n');
                String[] words = line.split(" ");
                if (words.length < 2 || !words[0].matches("\\d+")) {
                    continue;
                }
                int round = Integer.parseInt(words[0]);
                answers.merge(round, 1, Integer::sum);
                if (words[1].equals("won")) {
                    winners.computeIfAbsent(round, r -> new ArrayList<>())
                            .add(new long[] {Long.parseLong(words[2]), Long.parseLong(words[3])});
                }
            }
        }
        for (int round = 0; round < rounds; round++) {
            assertThat(answers.get(round)).as("contenders that answered in round %d\n%s", round, all)
                    .isEqualTo(CONTENDERS);
            assertThat(winners.getOrDefault(round, List.of())).as("winners of round %d\n%s", round, all).hasSize(1);
        }
        // And whatever the timing, never two holders at once: the won intervals of all rounds do not overlap.
        List<long[]> held = winners.values().stream().flatMap(List::stream)
                .sorted(Comparator.comparingLong(w -> w[0])).toList();
        for (int i = 1; i < held.size(); i++) {
            assertThat(held.get(i)[0]).as("a lock taken while another was held")
                    .isGreaterThanOrEqualTo(held.get(i - 1)[1]);
        }
        assertThat(locks.resolve("raced.lock")).doesNotExist();
    }
}
