package io.pktstack.shell.internal.inetd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.shell.internal.iperf3.LoopbackTcpStack;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The services over the JDK's loopback sockets, each on a free port in place of its well-known one. */
class InetdTest {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    final Map<InternalService, Integer> ports = new EnumMap<>(InternalService.class);
    final Inetd inetd;

    InetdTest() throws IOException {
        for (InternalService s : InternalService.values()) {
            ports.put(s, freePort());
        }
        inetd = new Inetd(new LoopbackTcpStack(), JdkUdp.stack(), ports::get);
    }

    /** A port free for both TCP and UDP. */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket t = new ServerSocket(0); DatagramSocket u = new DatagramSocket(t.getLocalPort())) {
                return t.getLocalPort();
            } catch (java.net.BindException e) {
                // UDP side taken: another one
            }
        }
    }

    @AfterEach
    void close() {
        inetd.close();
    }

    static List<ServiceKey> keys(String... names) {
        List<ServiceKey> out = new ArrayList<>();
        for (String n : names) {
            String[] p = n.split("/");
            out.add(new ServiceKey(InternalService.named(p[0]), p[1].equals("tcp")));
        }
        return out;
    }

    Socket connect(InternalService s) throws IOException {
        Socket c = new Socket(LOOPBACK, ports.get(s));
        c.setSoTimeout(10_000);
        return c;
    }

    @Test
    void echoSendsBackEveryByteOnManyConnectionsAtOnce() throws Exception {
        inetd.start(keys("echo/tcp"));
        List<Socket> open = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] data = new byte[3000 + i];
            new Random(i).nextBytes(data);
            Socket c = connect(InternalService.ECHO);
            open.add(c);
            sent.add(data);
        }
        for (int i = 0; i < open.size(); i++) {
            open.get(i).getOutputStream().write(sent.get(i));
        }
        for (int i = 0; i < open.size(); i++) {
            assertArrayEquals(sent.get(i), open.get(i).getInputStream().readNBytes(sent.get(i).length), "connection " + i);
            open.get(i).shutdownOutput();
            assertEquals(-1, open.get(i).getInputStream().read(), "echo closes after the caller's FIN");
            open.get(i).close();
        }
        Inetd.Row row = inetd.rows().getFirst();
        assertEquals(50, row.served());
        long total = sent.stream().mapToLong(b -> b.length).sum();
        assertEquals(total, row.bytesIn());
        assertEquals(total, row.bytesOut());
    }

    @Test
    void discardChargenAndDaytimeOverTcp() throws Exception {
        inetd.start(keys("discard/tcp", "daytime/tcp", "chargen/tcp"));
        try (Socket c = connect(InternalService.DISCARD)) {
            c.getOutputStream().write(new byte[100_000]);
            c.shutdownOutput();
            assertEquals(-1, c.getInputStream().read(), "discard sends nothing and closes at the caller's FIN");
        }
        try (Socket c = connect(InternalService.CHARGEN)) {
            byte[] lines = c.getInputStream().readNBytes(74 * 96);
            String text = new String(lines, StandardCharsets.US_ASCII);
            assertEquals(ChargenDaytimeTest.text(Chargen.line(0)), text.substring(0, 74));
            assertEquals(ChargenDaytimeTest.text(Chargen.line(94)), text.substring(94 * 74, 95 * 74));
            assertEquals(ChargenDaytimeTest.text(Chargen.line(0)), text.substring(95 * 74));
        }
        try (Socket c = connect(InternalService.DAYTIME)) {
            String date = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(date.matches("[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n"), date);
        }
        Map<String, Inetd.Row> rows = new java.util.HashMap<>();
        inetd.rows().forEach(r -> rows.put(r.key().toString(), r));
        awaitTrue(() -> inetd.rows().stream().anyMatch(r -> r.key().service() == InternalService.DISCARD
                && r.bytesIn() == 100_000), "discard counted what it dropped");
        assertEquals(26, rows.get("daytime/tcp").bytesOut());
    }

    @Test
    void everyServiceAnswersDatagrams() throws Exception {
        inetd.start(keys("echo/udp", "discard/udp", "daytime/udp", "chargen/udp"));
        try (DatagramSocket u = new DatagramSocket()) {
            u.setSoTimeout(5000);
            assertEquals("ping 1", ask(u, InternalService.ECHO, "ping 1"));
            String line = ask(u, InternalService.CHARGEN, "x");
            assertEquals(74, line.length());
            assertTrue(line.endsWith("\r\n"));
            assertTrue(ask(u, InternalService.DAYTIME, "").matches(".* \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n"));
            u.send(new DatagramPacket(new byte[10], 10, LOOPBACK, ports.get(InternalService.DISCARD)));
            u.setSoTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, () -> u.receive(new DatagramPacket(new byte[10], 10)));
        }
        awaitTrue(() -> inetd.rows().stream().allMatch(r -> r.served() == 1), "every service counted its datagram");
    }

    String ask(DatagramSocket u, InternalService s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        u.send(new DatagramPacket(b, b.length, LOOPBACK, ports.get(s)));
        DatagramPacket p = new DatagramPacket(new byte[1000], 1000);
        u.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void aLineStartsWholeOrNotAtAll() throws Exception {
        try (ServerSocket taken = new ServerSocket(ports.get(InternalService.DISCARD))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> inetd.start(keys("echo/tcp", "discard/tcp", "chargen/tcp")));
            assertTrue(e.getMessage().startsWith("discard/tcp: port " + ports.get(InternalService.DISCARD)
                    + " cannot be bound"), e.getMessage());
        }
        assertEquals(List.of(), inetd.running());
        assertThrows(ConnectException.class, () -> connect(InternalService.ECHO), "echo was stopped again");
        inetd.start(keys("echo/tcp", "echo/udp"));
        e(() -> inetd.start(keys("daytime/tcp", "echo/udp")), "echo/udp already runs");
        e(() -> inetd.stop(keys("echo/tcp", "daytime/udp")), "daytime/udp does not run");
        assertEquals(keys("echo/tcp", "echo/udp"), inetd.running());
        inetd.stop(keys("echo/udp"));
        assertEquals(keys("echo/tcp"), inetd.running());
    }

    @Test
    void stoppingEndsOpenConnections() throws Exception {
        inetd.start(keys("echo/tcp", "chargen/tcp"));
        try (Socket idle = connect(InternalService.ECHO); Socket reading = connect(InternalService.CHARGEN)) {
            reading.getInputStream().readNBytes(1000);
            awaitTrue(() -> inetd.rows().stream().allMatch(r -> r.active() == 1), "both connections served");
            inetd.close();
            assertEquals(List.of(), inetd.running());
            assertEquals(-1, readToEnd(idle.getInputStream()), "echo's connection ended");
            assertEquals(-1, readToEnd(reading.getInputStream()), "chargen's connection ended");
            assertThrows(ConnectException.class, () -> connect(InternalService.ECHO));
        }
    }

    static int readToEnd(InputStream in) {
        try {
            while (in.read(new byte[8192]) >= 0) {
                // what chargen had in flight
            }
            return -1;
        } catch (IOException e) {
            return -1; // reset: ended as well
        }
    }

    static void e(org.junit.jupiter.api.function.Executable x, String message) {
        assertEquals(message, assertThrows(IllegalStateException.class, x).getMessage());
    }

    static void awaitTrue(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        for (int i = 0; i < 200 && !c.getAsBoolean(); i++) {
            Thread.sleep(25);
        }
        assertTrue(c.getAsBoolean(), what);
    }
}
