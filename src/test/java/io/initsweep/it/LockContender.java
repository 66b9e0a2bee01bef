package io.initsweep.it;

import io.initsweep.spark.SweepLock;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One process of {@link LockRaceIT}. For each round it waits for the round's agreed instant (so that every
 * contender calls acquire within the same millisecond or so), tries to take the sweep's lock, and prints
 * {@code <round> won <acquired millis> <released millis>} after holding a won lock for a while (so every other
 * contender of the round meets it), or {@code <round> refused}.
 *
 * <p>Arguments: the locks directory (a URI), the sweep, this contender's name, the first round's instant (epoch
 * millis), rounds, milliseconds between rounds, milliseconds to hold a won lock.
 */
public final class LockContender {
    private LockContender() {
    }

    public static void main(String[] args) throws Exception {
        Path locks = new Path(args[0]);
        FileSystem fs = locks.getFileSystem(new Configuration());
        // Warm up (classes loaded, code compiled) on a sweep of its own, so round 0 is not decided by class loading.
        for (int i = 0; i < 3; i++) {
            SweepLock.acquire(fs, locks, "warm-up-" + args[2], args[2] + "-warm-up").close();
        }
        long first = Long.parseLong(args[3]);
        int rounds = Integer.parseInt(args[4]);
        long period = Long.parseLong(args[5]);
        long hold = Long.parseLong(args[6]);
        for (int round = 0; round < rounds; round++) {
            long startAt = first + round * period;
            while (System.currentTimeMillis() < startAt) {
                Thread.onSpinWait();
            }
            SweepLock lock;
            try {
                lock = SweepLock.acquire(fs, locks, args[1], args[2] + "-" + round);
            } catch (SweepLock.HeldException e) {
                System.out.println(round + " refused");
                continue;
            }
            long acquired = System.currentTimeMillis();
            Thread.sleep(hold);
            long released = System.currentTimeMillis();
            lock.close();
            System.out.println(round + " won " + acquired + " " + released);
        }
        System.out.flush();
    }
}
