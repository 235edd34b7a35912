package io.pktstack.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

/**
 * The Linux side of {@code tcp-rr}: an echo server and a TCP_RR client on the
 * kernel's TCP, through java.net sockets, run in the reference namespaces. The
 * same loop as the stack's {@code tcprr} command, so the two differ in the
 * stack under them, not in the program.
 *
 * <pre>LinuxTcpRr echo PORT | LinuxTcpRr rr HOST PORT SECONDS BYTES</pre>
 */
public final class LinuxTcpRr {

    private LinuxTcpRr() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("echo")) {
            try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]))) {
                System.out.println("listening");
                System.out.flush();
                while (true) {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().start(() -> echo(s));
                }
            }
        }
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        long nanos = Long.parseLong(args[3]) * 1_000_000_000L;
        int size = Integer.parseInt(args[4]);
        byte[] req = new byte[size];
        byte[] resp = new byte[size];
        long[] micros = new long[1 << 22];
        int n = 0;
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), 10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            long t = start;
            while (t - start < nanos) {
                out.write(req);
                int got = 0;
                while (got < size) {
                    int r = in.read(resp, got, size - got);
                    if (r < 0) {
                        throw new IllegalStateException("echo closed");
                    }
                    got += r;
                }
                long now = System.nanoTime();
                if (n < micros.length) {
                    micros[n] = (now - t) / 1000;
                }
                n++;
                t = now;
            }
            long[] sorted = Arrays.copyOf(micros, Math.min(n, micros.length));
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "transactions %d seconds %.3f p50 %d p99 %d p999 %d%n", n,
                    (t - start) / 1e9, sorted[(int) (0.5 * sorted.length)], sorted[(int) (0.99 * sorted.length)],
                    sorted[Math.min(sorted.length - 1, (int) (0.999 * sorted.length))]);
        }
    }

    private static void echo(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            s.getInputStream().transferTo(s.getOutputStream());
        } catch (Exception ignored) {
            // the client went
        }
    }
}
