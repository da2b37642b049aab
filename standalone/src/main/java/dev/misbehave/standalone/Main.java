package dev.misbehave.standalone;

import dev.misbehave.ClientEnding;
import dev.misbehave.ClientRecord;
import dev.misbehave.ConnectionRecord;
import dev.misbehave.MisbehavingClient;
import dev.misbehave.MisbehavingPeer;
import dev.misbehave.internal.Addresses;
import dev.misbehave.standalone.CommandLine.Connect;
import dev.misbehave.standalone.CommandLine.Options;
import dev.misbehave.standalone.CommandLine.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A misbehaving peer for clients that do not run on the JVM: {@code java -jar
 * misbehave-standalone.jar --effect reset --after-bytes 14}.
 *
 * <p>Standard output carries one line {@code misbehave listening on HOST:PORT} as soon as the peer
 * listens, then one journal line per connection ({@link ConnectionRecord#toString()}) when it ends
 * (in proxy mode: when its leg to the server has ended too). Standard error carries what the peer
 * serves (with {@code --tls}, also the PEM file of the authority that clients trust) and any error. The peer stops after {@code --connections N} connections have ended, when
 * standard input ends ({@code --until-stdin-closes}), or on SIGTERM or Ctrl-C; it then resets the
 * connections still open, prints their journal lines and exits (0, or the JVM's 143 and 130 on a
 * signal). A wrong argument exits with status 2 and one line that names it; a port that cannot be
 * bound with status 1.
 *
 * <p>With {@code --connect HOST:PORT} it runs a {@link MisbehavingClient} against that server
 * instead: standard output carries one journal line per connection ({@link ClientRecord#toString()})
 * once it has ended, standard error what the client does. It exits when every connection has ended
 * (0, or 1 if a connection could not be made), when {@code --wait-seconds} runs out (3, after closing
 * the connections still open and printing their lines), when standard input ends ({@code
 * --until-stdin-closes}: the same close, then 0 or 1), or on SIGTERM or Ctrl-C (the same close, then
 * the JVM's 143 or 130).
 */
public final class Main {

    /**
     * The bound of one wait for the next connection to end; the wait then starts again. A stop
     * interrupts it at once.
     */
    static final Duration AWAIT_BOUND = Duration.ofMinutes(1);

    private Main() {}

    /**
     * Runs the peer until it is told to stop, then exits.
     *
     * @param args the command line; {@code --help} lists it
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.in, System.out, System.err));
    }

    /** The exit status when every connection of {@code --connect} has ended. */
    static final int CLIENT_DONE = 0;
    /** The exit status when a connection of {@code --connect} could not be made ({@code CONNECT_FAILED}). */
    static final int CLIENT_CONNECT_FAILED = 1;
    /** The exit status when {@code --wait-seconds} ran out before every connection had ended. */
    static final int CLIENT_WAIT_RAN_OUT = 3;

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
        if (options.connect().isPresent()) {
            return runClient(options, options.connect().get(), in, out, err);
        }
        MisbehavingPeer peer;
        try {
            peer = MisbehavingPeer.start(options.script(), options.fault().orElse(null),
                    new InetSocketAddress(options.listenHost(), options.listenPort()));
        } catch (IllegalArgumentException e) {
            err.println("misbehave: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            InetSocketAddress listen = new InetSocketAddress(options.listenHost(), options.listenPort());
            err.println("misbehave: --listen " + Addresses.of(listen) + ": the peer cannot listen there ("
                    + e.getCause().getMessage() + ")" + (options.listenPort() == 0 ? "." : ": another program may"
                    + " be listening on that port. Choose another port, or 0 for an ephemeral one (--listen "
                    + Addresses.of(new InetSocketAddress(listen.getAddress(), 0)) + ")."));
            return 1;
        } catch (IllegalStateException e) {
            err.println("misbehave: " + e.getMessage()); // the reset self-check failed: what, why, what to do
            return 1;
        }
        Session session = new Session(peer, out, Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "misbehave-shutdown"));
        // before the port line, so that whoever reads that line can read this one
        peer.script().tls().ifPresent(tls -> {
            err.println("misbehave: TLS: clients verify the peer with the authority in " + tls.authorityPem()
                    + " (for example curl --cacert FILE, or Python's ssl.create_default_context(cafile=FILE))");
            err.flush();
        });
        out.println("misbehave listening on " + Addresses.of(peer.address()));
        out.flush();
        InetSocketAddress listening = new InetSocketAddress(options.listenHost(), peer.port());
        if (!listening.getAddress().isLoopbackAddress()) {
            err.println("misbehave: warning: listening on " + Addresses.of(listening)
                    + ", not on loopback only (--allow-remote): other hosts can connect to the peer"
                    + " while it runs.");
        }
        err.println("misbehave: script " + peer.script() + "; "
                + peer.fault().map(fault -> "fault '" + fault + "'").orElse("no fault (the peer behaves)"));
        err.flush();
        if (options.untilStdinCloses()) {
            watch(in, session::requestStop);
        }
        try {
            session.serve(options.connections());
        } finally {
            session.stop();
        }
        return 0;
    }

    /** Runs the client of {@code --connect} until its connections have ended or it is told to stop. */
    private static int runClient(Options options, Connect connect, InputStream in, PrintStream out, PrintStream err) {
        MisbehavingClient.Builder builder = MisbehavingClient.to(connect.server())
                .sending(connect.request())
                .connectTimeout(connect.connectTimeout());
        options.fault().ifPresent(builder::with);
        if (connect.oneAfterAnother()) {
            builder.oneAfterAnother(connect.connections());
        } else {
            builder.connections(connect.connections());
        }
        MisbehavingClient client;
        try {
            client = builder.open();
        } catch (IllegalArgumentException e) {
            err.println("misbehave: " + e.getMessage()); // the command line checks the same rules first
            return 2;
        }
        ClientSession session = new ClientSession(client, connect.connections(), out, Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "misbehave-shutdown"));
        int n = connect.connections();
        String sending = connect.request().length == 0 ? "sending nothing" : "sending " + connect.request().length + " B";
        err.println("misbehave: connecting to " + Addresses.of(connect.server()) + ": " + (n == 1
                ? "1 connection " + sending
                : n + " connections " + (connect.oneAfterAnother() ? "one after another" : "at once") + ", each "
                        + sending) + "; "
                + options.fault().map(fault -> "fault '" + fault + "'").orElse("no fault (the client behaves)"));
        err.flush();
        if (options.untilStdinCloses()) {
            watch(in, session::requestStop);
        }
        boolean ranOut;
        try {
            ranOut = !session.serve(connect.waitAtMost().map(wait -> System.nanoTime() + wait.toNanos()));
        } finally {
            session.stop();
        }
        List<ClientRecord> journal = client.connections();
        if (ranOut) {
            long open = journal.stream().filter(record -> record.ending() == ClientEnding.CLOSED_BY_TEST).count();
            err.println("misbehave: --wait-seconds " + connect.waitAtMost().orElseThrow().toSeconds() + " ran out: "
                    + open + " of " + n + " connections were still open (closed: CLOSED_BY_TEST)"
                    + (journal.size() < n ? ", " + (n - journal.size()) + " never opened" : "") + ".");
            return CLIENT_WAIT_RAN_OUT;
        }
        long failed = journal.stream().filter(record -> record.ending() == ClientEnding.CONNECT_FAILED).count();
        if (failed > 0) {
            err.println("misbehave: " + failed + " of " + journal.size() + " connections could not be made"
                    + " (CONNECT_FAILED): is the server listening on " + Addresses.of(connect.server()) + "?");
            return CLIENT_CONNECT_FAILED;
        }
        return CLIENT_DONE;
    }

    /** Runs {@code stop} when {@code in} ends (or fails), from a daemon thread. */
    private static void watch(InputStream in, Runnable stop) {
        Thread watcher = new Thread(() -> {
            byte[] buffer = new byte[1024];
            try {
                while (in.read(buffer) >= 0) {
                    // what a driver writes on standard input means nothing; only its end does
                }
            } catch (IOException e) {
                // an unreadable standard input ends the session too
            }
            stop.run();
        }, "misbehave-stdin");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * What the CLI's two modes share: prints each connection's journal line once, when it has ended,
     * on the serving thread, until a stop is requested from another thread (a signal, the end of
     * standard input), which interrupts the wait; {@link #stop} closes the peer or client and prints
     * the rest of the journal.
     *
     * @param <R> the journal's record type
     */
    private abstract static class Printer<R> {

        private final PrintStream out;
        private final Thread serving;
        volatile boolean stopRequested;
        /** Whether the serving thread is in {@code serving}, where a stop may interrupt it. Guarded by this. */
        private boolean inServe = true;
        /** Indexes of the connections already printed. Guarded by this. */
        private final Set<Integer> printed = new HashSet<>();
        /** Guarded by this. */
        private boolean stopped;

        Printer(PrintStream out, Thread serving) {
            this.out = out;
            this.serving = serving;
        }

        abstract int index(R record);

        abstract boolean ended(R record);

        /** Closes the peer or client: its connections still open end. */
        abstract void close();

        abstract List<R> journal();

        /** Runs {@code waits} on the serving thread; a stop requested meanwhile interrupts it. */
        final <T> T serving(java.util.function.Supplier<T> waits) {
            try {
                return waits.get();
            } finally {
                synchronized (this) {
                    inServe = false;
                }
                Thread.interrupted(); // a stop's interrupt must not cut short the close that follows
            }
        }

        /** From another thread: ends the serving thread's wait at once. */
        final synchronized void requestStop() {
            stopRequested = true;
            if (inServe) {
                serving.interrupt();
            }
        }

        /** Closes the peer or client and prints the rest of the journal. */
        final synchronized void stop() {
            if (stopped) {
                return;
            }
            stopped = true;
            stopRequested = true;
            close();
            print(journal(), true);
        }

        /**
         * Prints the connections not printed yet that have ended (or, with {@code all}, every one);
         * returns how many have been printed so far.
         */
        final synchronized int print(List<R> journal, boolean all) {
            for (R connection : journal) {
                if (printed.contains(index(connection)) || !(all || ended(connection))) {
                    continue;
                }
                printed.add(index(connection));
                out.println(connection);
            }
            out.flush();
            return printed.size();
        }

        final synchronized int printedCount() {
            return printed.size();
        }
    }

    /**
     * One running peer. The serving thread waits in {@link MisbehavingPeer#awaitConnections} for the
     * next connection to end, so the journal is read once per ended connection, not on a timer (a
     * snapshot copies every captured byte of every connection so far). In proxy mode a connection
     * has ended when both its legs have, which is also when {@code awaitConnections} counts it.
     */
    private static final class Session extends Printer<ConnectionRecord> {

        private final MisbehavingPeer peer;

        Session(MisbehavingPeer peer, PrintStream out, Thread serving) {
            super(out, serving);
            this.peer = peer;
        }

        /** Prints connections as they end until a stop is requested or {@code limit} (0: no limit) have ended. */
        void serve(int limit) {
            serving(() -> {
                awaitEnded(limit);
                return null;
            });
        }

        private void awaitEnded(int limit) {
            int ended = 0;
            while (!stopRequested) {
                List<ConnectionRecord> journal;
                try {
                    journal = peer.awaitConnections(ended + 1, AWAIT_BOUND);
                } catch (AssertionError e) {
                    // the bound ran out (wait again), or requestStop interrupted the wait
                    if (Thread.interrupted()) {
                        return;
                    }
                    continue;
                }
                ended = (int) journal.stream().filter(this::ended).count();
                int done = print(journal, false);
                if (limit > 0 && done >= limit) {
                    return;
                }
            }
        }

        @Override
        int index(ConnectionRecord record) {
            return record.index();
        }

        /** Whether {@code connection} has ended, and in proxy mode its server leg too. */
        @Override
        boolean ended(ConnectionRecord connection) {
            return connection.ending().ended()
                    && connection.upstream().map(leg -> leg.ending().ended()).orElse(true);
        }

        @Override
        void close() {
            peer.close();
        }

        @Override
        List<ConnectionRecord> journal() {
            return peer.connections();
        }
    }

    /**
     * One running client. The serving thread waits in {@link MisbehavingClient#awaitEnded(int,
     * Duration)} for one more ended connection than it has printed, then prints every connection
     * that has ended by then, so the journal is read once per wake, not on a timer, and each line
     * comes as its connection ends, in the order they end.
     */
    private static final class ClientSession extends Printer<ClientRecord> {

        private final MisbehavingClient client;
        private final int connections;

        ClientSession(MisbehavingClient client, int connections, PrintStream out, Thread serving) {
            super(out, serving);
            this.client = client;
            this.connections = connections;
        }

        /**
         * Prints connections as they end until all have, a stop is requested, or the {@link
         * System#nanoTime()} deadline passes.
         *
         * @return false if the deadline passed first
         */
        boolean serve(java.util.Optional<Long> deadline) {
            return serving(() -> awaitEnded(deadline));
        }

        private boolean awaitEnded(java.util.Optional<Long> deadline) {
            while (!stopRequested) {
                if (printedCount() >= connections) {
                    return true;
                }
                long bound = AWAIT_BOUND.toNanos();
                if (deadline.isPresent()) {
                    long left = deadline.get() - System.nanoTime();
                    if (left <= 0) { // the last ones may have ended just now
                        return print(client.connections(), false) >= connections;
                    }
                    bound = Math.min(bound, left);
                }
                try {
                    print(client.awaitEnded(printedCount() + 1, Duration.ofNanos(bound)), false);
                } catch (AssertionError e) {
                    // the bound ran out (wait again, or the deadline passed), or requestStop interrupted the wait
                    if (Thread.interrupted()) {
                        return true;
                    }
                }
            }
            return true;
        }

        @Override
        int index(ClientRecord record) {
            return record.index();
        }

        @Override
        boolean ended(ClientRecord record) {
            return record.ending() != ClientEnding.OPEN;
        }

        @Override
        void close() {
            client.close();
        }

        @Override
        List<ClientRecord> journal() {
            return client.connections();
        }
    }
}
