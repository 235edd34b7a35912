package io.pktstack.shell.internal;

import io.pktstack.api.tcp.TcpStack;
import io.pktstack.shell.internal.iperf3.Iperf3Client;
import io.pktstack.shell.internal.iperf3.Iperf3Daemon;
import io.pktstack.shell.internal.iperf3.Iperf3Exception;
import io.pktstack.shell.internal.iperf3.Iperf3Protocol;
import io.pktstack.shell.internal.iperf3.Iperf3Server;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code iperf3}: TCP throughput against iperf3 3.12, as client or server,
 * speaking its control protocol. A one-off server ({@code -1}) and the client
 * run in the shell's thread and return their report; a server without
 * {@code -1} serves in the background (the shell cannot wait for ever: ctl
 * and startup scripts wait for each command), owned by this component, which
 * stops it on deactivation.
 */
// Immediate: a delayed component would be deactivated, and its background servers stopped, as soon as the
// shell released it after a command.
@Component(service = Iperf3Command.class, immediate = true,
        property = {"osgi.command.scope=net", "osgi.command.function=iperf3"})
public final class Iperf3Command {

    static final String USAGE = "iperf3 -s [-p PORT] [-1] [-J] | iperf3 -s -k [-p PORT] [-J]"
            + " | iperf3 -c HOST [-p PORT] [-t SECONDS] [-R] [-P STREAMS] [-J]";

    private final TcpStack tcp;
    private final Map<Integer, Iperf3Daemon> daemons = new TreeMap<>();

    @Activate
    public Iperf3Command(@Reference TcpStack tcp) {
        this.tcp = tcp;
    }

    @Deactivate
    void deactivate() {
        synchronized (daemons) {
            daemons.values().forEach(Iperf3Daemon::stop);
            daemons.clear();
        }
    }

    @Descriptor("TCP throughput with iperf3 3.12's protocol: " + USAGE + ". Server: -1 serves one test and prints"
            + " its report; without -1 the server runs in the background, one test after another, until"
            + " iperf3 -s -k (which prints the last test; -k without -p stops every server). Client: -t seconds"
            + " (default 10), -R the server sends, -P parallel streams (default 1). -p port (default 5201),"
            + " -J iperf3's JSON")
    public Report iperf3(@Descriptor("-s or -c HOST, then options") String... args) throws IOException {
        Iperf3Options o = Iperf3Options.parse(args);
        try {
            if (o.client() != null) {
                InetAddress host = NetCommands.numeric("iperf3", o.client());
                return new Iperf3Report(new Iperf3Client(tcp).run(o.client(), new InetSocketAddress(host, o.port()),
                        o.seconds(), o.streams(), o.reverse()), o.json());
            }
            if (o.kill()) {
                return stop(o);
            }
            if (o.oneOff()) {
                try (Iperf3Server server = Iperf3Server.listen(tcp, o.port())) {
                    return new Iperf3Report(server.serveOne(), o.json());
                }
            }
            return startDaemon(o);
        } catch (InterruptedIOException e) {
            throw new IllegalStateException("iperf3: interrupt - the " + (o.client() != null ? "client" : "server")
                    + " has terminated");
        } catch (Iperf3Exception e) {
            throw new IllegalStateException("iperf3: " + e.getMessage());
        }
    }

    private Report startDaemon(Iperf3Options o) throws IOException {
        synchronized (daemons) {
            Iperf3Daemon running = daemons.get(o.port());
            if (running != null && running.running()) {
                throw new IllegalStateException("iperf3: a server already runs in the background on port " + o.port()
                        + " (iperf3 -s -k -p " + o.port() + " stops it)");
            }
            Iperf3Daemon d = Iperf3Daemon.start(tcp, o.port());
            daemons.put(o.port(), d);
            return new Iperf3ServerStatus(List.of(d.status()), true, o.json());
        }
    }

    private Report stop(Iperf3Options o) {
        List<Iperf3Daemon.Status> stopped = new ArrayList<>();
        synchronized (daemons) {
            if (o.portGiven()) {
                Iperf3Daemon d = daemons.remove(o.port());
                if (d == null) {
                    throw new IllegalArgumentException("iperf3: no server runs in the background on port " + o.port());
                }
                stopped.add(d.stop());
            } else {
                daemons.values().forEach(d -> stopped.add(d.stop()));
                daemons.clear();
            }
        }
        return new Iperf3ServerStatus(stopped, false, o.json());
    }

    /** The command line, checked whole before anything starts. */
    record Iperf3Options(String client, boolean server, int port, boolean portGiven, int seconds, int streams,
            boolean reverse, boolean json, boolean oneOff, boolean kill) {

        static Iperf3Options parse(String[] args) {
            String client = null;
            boolean server = false;
            int port = Iperf3Protocol.DEFAULT_PORT;
            boolean portGiven = false;
            int seconds = 10;
            int streams = 1;
            boolean reverse = false;
            boolean json = false;
            boolean oneOff = false;
            boolean kill = false;
            List<String> clientOnly = new ArrayList<>();
            List<String> serverOnly = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-s", "--server" -> server = true;
                    case "-c", "--client" -> client = NetCommands.stringArg(args, ++i, "-c");
                    case "-p", "--port" -> {
                        port = NetCommands.intArg(args, ++i, "-p", 1, 65535);
                        portGiven = true;
                    }
                    case "-t", "--time" -> {
                        seconds = NetCommands.intArg(args, ++i, "-t", 1, Iperf3Protocol.MAX_TIME);
                        clientOnly.add("-t");
                    }
                    case "-P", "--parallel" -> {
                        streams = NetCommands.intArg(args, ++i, "-P", 1, Iperf3Protocol.MAX_STREAMS);
                        clientOnly.add("-P");
                    }
                    case "-R", "--reverse" -> {
                        reverse = true;
                        clientOnly.add("-R");
                    }
                    case "-J", "--json" -> json = true;
                    case "-1", "--one-off" -> {
                        oneOff = true;
                        serverOnly.add("-1");
                    }
                    case "-D", "--daemon" -> serverOnly.add("-D"); // the default without -1
                    case "-k" -> {
                        kill = true;
                        serverOnly.add("-k");
                    }
                    default -> throw new IllegalArgumentException("iperf3: unknown option '" + args[i] + "' (usage: "
                            + USAGE + ")");
                }
            }
            if (server && client != null) {
                throw new IllegalArgumentException("iperf3: parameter error - cannot be both server and client");
            }
            if (!server && client == null) {
                throw new IllegalArgumentException("iperf3: parameter error - must either be a client (-c) or server"
                        + " (-s) (usage: " + USAGE + ")");
            }
            if (server && !clientOnly.isEmpty()) {
                throw new IllegalArgumentException("iperf3: parameter error - option " + clientOnly.getFirst()
                        + " is client only");
            }
            if (client != null && !serverOnly.isEmpty()) {
                throw new IllegalArgumentException("iperf3: parameter error - option " + serverOnly.getFirst()
                        + " is server only");
            }
            if (kill && (oneOff || serverOnly.contains("-D"))) {
                throw new IllegalArgumentException("iperf3: parameter error - -k stops background servers; it takes"
                        + " neither -1 nor -D");
            }
            return new Iperf3Options(client, server, port, portGiven, seconds, streams, reverse, json, oneOff, kill);
        }
    }
}
