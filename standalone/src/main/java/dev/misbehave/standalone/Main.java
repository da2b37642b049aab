package dev.misbehave.standalone;

import dev.misbehave.ConnectionRecord;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.standalone.CommandLine.Options;
import dev.misbehave.standalone.CommandLine.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A misbehaving peer for clients that do not run on the JVM: {@code java -jar
 * misbehave-standalone.jar --effect reset --after-bytes 14}.
 *
 * <p>Standard output carries one line {@code misbehave listening on HOST:PORT} as soon as the peer
 * listens, then one journal line per connection ({@link ConnectionRecord#toString()}) when it ends.
 * Standard error carries what the peer serves and any error. The peer stops after {@code
 * --connections N} connections have ended, when standard input ends ({@code --until-stdin-closes}),
 * or on SIGTERM or Ctrl-C; it then resets the connections still open, prints their journal lines and
 * exits (0, or the JVM's 143 and 130 on a signal). A wrong argument exits with status 2 and one line
 * that names it; a port that cannot be bound with status 1.
 */
public final class Main {

    /** How often the journal is read for connections that ended; also the longest wait for a stop. */
    static final long POLL_MILLIS = 50;

    private Main() {}

    /**
     * Runs the peer until it is told to stop, then exits.
     *
     * @param args the command line; {@code --help} lists it
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.in, System.out, System.err));
    }

    /** Runs the peer until it is told to stop; returns the exit status. */
    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = CommandLine.parse(args);
        } catch (UsageException e) {
            err.println("misbehave: " + e.getMessage());
            return 2;
        }
        if (options.help()) {
            out.print(CommandLine.usage());
            out.flush();
            return 0;
        }
        MisbehavingPeer peer;
        try {
            peer = options.fault().isPresent()
                    ? MisbehavingPeer.start(options.script(), options.fault().get())
                    : MisbehavingPeer.start(options.script());
        } catch (IllegalArgumentException e) {
            err.println("misbehave: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println("misbehave: " + e.getMessage() + " (" + e.getCause().getMessage() + ")");
            return 1;
        }
        Session session = new Session(peer, out);
        Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "misbehave-shutdown"));
        out.println("misbehave listening on " + peer.host() + ":" + peer.port());
        out.flush();
        err.println("misbehave: script " + peer.script() + "; "
                + peer.fault().map(fault -> "fault '" + fault + "'").orElse("no fault (the peer behaves)"));
        err.flush();
        if (options.untilStdinCloses()) {
            watch(in, session);
        }
        try {
            session.serve(options.connections());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            session.stop();
        }
        return 0;
    }

    /** Stops the session when {@code in} ends (or fails), from a daemon thread. */
    private static void watch(InputStream in, Session session) {
        Thread watcher = new Thread(() -> {
            byte[] buffer = new byte[1024];
            try {
                while (in.read(buffer) >= 0) {
                    // what a driver writes on standard input means nothing; only its end does
                }
            } catch (IOException e) {
                // an unreadable standard input ends the session too
            }
            session.requestStop();
        }, "misbehave-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** One running peer: prints each connection's journal line once, when it has ended. */
    private static final class Session {
        private final MisbehavingPeer peer;
        private final PrintStream out;
        private final CountDownLatch stopRequested = new CountDownLatch(1);
        /** Indexes of the connections already printed. Guarded by this. */
        private final Set<Integer> printed = new HashSet<>();
        /** Guarded by this. */
        private boolean stopped;

        Session(MisbehavingPeer peer, PrintStream out) {
            this.peer = peer;
            this.out = out;
        }

        /** Prints ended connections until a stop is requested or {@code limit} (0: none) have ended. */
        void serve(int limit) throws InterruptedException {
            while (!stopRequested.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                int ended = print(false);
                if (limit > 0 && ended >= limit) {
                    return;
                }
            }
        }

        void requestStop() {
            stopRequested.countDown();
        }

        /** Closes the peer (resetting the connections still open) and prints the rest of the journal. */
        synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            stopRequested.countDown();
            peer.close();
            print(true);
        }

        /**
         * Prints the connections not printed yet that have ended (or all of them); returns how many
         * connections have ended.
         */
        private synchronized int print(boolean all) {
            int ended = 0;
            for (ConnectionRecord connection : peer.connections()) {
                boolean over = connection.ending().ended();
                if (over) {
                    ended++;
                }
                if ((over || all) && printed.add(connection.index())) {
                    out.println(connection);
                }
            }
            out.flush();
            return ended;
        }
    }
}
