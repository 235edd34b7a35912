package io.pktstack.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.ProtocolStatistics;
import io.pktstack.api.tcp.TcpStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;

/**
 * The stack's {@link SocketFactory} and {@link ServerSocketFactory} services
 * used by code that knows nothing of pktstack, against peers on Linux (a
 * namespace on the TAP device of the stack's {@code wm0}): the JDK's own TLS
 * layered over a pktstack socket to {@code openssl s_server}, Apache
 * HttpClient 5 fetching a page from {@code python3 -m http.server}, and a
 * {@link ServerSocket} accepting a connection from Linux. Each checks that
 * the bytes went through the stack's TCP (its counters moved), not the JVM's.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SocketFactoryIT {

    static final String STACK_V4 = "10.45.0.1";
    static final String LINUX_V4 = "10.45.0.100";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    @Filter("(pktstack.tcp=true)")
    private SocketFactory sockets;

    @Inject
    @Filter("(pktstack.tcp=true)")
    private ServerSocketFactory serverSockets;

    @Inject
    private NetworkStack stack;

    @Inject
    private DriverManager drivers;

    @Inject
    private TcpStack tcp;

    /*
     * The world is set up by the first test and found again by the others: the probe's classes may be
     * loaded afresh per test, so what they share is named from the test JVM's pid, not kept in statics.
     */
    private static final long PID = ProcessHandle.current().pid();
    private static final String TAP = "pksf" + PID % 100_000;
    private Namespace world;
    private Path dir;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(Arrays.asList(ItestOptions.pktstackRuntime(false)));
        options.add(mavenBundle("io.pktstack", "io.pktstack.hostio").versionAsInProject());
        options.add(mavenBundle("io.pktstack", "io.pktstack.driver.e1000").versionAsInProject());
        options.add(mavenBundle("io.pktstack", "io.pktstack.sockets").versionAsInProject());
        options.add(mavenBundle("io.pktstack", "io.pktstack.itest.httpclient").versionAsInProject());
        return options.toArray(new Option[0]);
    }

    /** wm0 on a TAP moved into a namespace, openssl and an HTTP server there; made once per framework. */
    @Before
    public void world() throws Exception {
        Assume.assumeTrue("TAP devices and namespaces need root", "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("no /dev/net/tun on this machine", Files.exists(Path.of("/dev/net/tun")));
        Assume.assumeTrue("openssl is not installed (apt-get install openssl)", Namespace.onPath("openssl"));
        Assume.assumeTrue("socat is not installed (apt-get install socat)", Namespace.onPath("socat"));
        dir = Path.of(System.getProperty("java.io.tmpdir"), "pktstack-sockets-" + PID);
        if (stack.interfaces().stream().anyMatch(i -> i.name().equals("wm0"))) {
            world = Namespace.existing("sf");
            return;
        }
        Files.createDirectories(dir);
        world = Namespace.create("sf");
        Runtime.getRuntime().addShutdownHook(new Thread(world::close)); // with the servers it runs
        drivers.start(List.of(Pktstack.spec("e1000", "tap=" + TAP)), TIMEOUT);
        stack.addAddress("wm0", InterfaceAddress.parse(STACK_V4 + "/24"));
        world.adopt(TAP);
        world.run("ip", "addr", "add", LINUX_V4 + "/24", "dev", TAP);
        world.run("ip", "link", "set", TAP, "up");
        Await.until("Linux to reach the stack", () -> world.status("ping", "-c", "1", "-W", "1", STACK_V4), s -> s == 0);

        // A self-signed certificate for openssl s_server; the client trusts exactly it.
        world.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                "/CN=pktstack-itest", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString());
        world.start("openssl", "s_server", "-accept", "4433", "-cert", dir.resolve("cert.pem").toString(),
                "-key", dir.resolve("key.pem").toString(), "-www");
        Path site = Files.createDirectories(dir.resolve("site"));
        byte[] page = new byte[200_000];
        new Random(5).nextBytes(page);
        Files.write(site.resolve("page.bin"), page);
        world.start("python3", "-m", "http.server", "8000", "--bind", LINUX_V4, "--directory", site.toString());
        Await.until("the servers in the namespace to listen", () -> world.output("ss", "-tln"),
                o -> o.contains(":4433 ") && o.contains(":8000 "));
    }

    private long tcpSegmentsReceived() {
        for (ProtocolStatistics p : stack.statistics()) {
            if (p.protocol().equals("tcp")) {
                return p.counters().get("packets received");
            }
        }
        throw new AssertionError("no tcp statistics");
    }

    @Test
    public void theJdksTlsRunsOverAPktstackSocket() throws Exception {
        long before = tcpSegmentsReceived();
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("itest", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);

        Socket raw = sockets.createSocket(InetAddress.getByName(LINUX_V4), 4433);
        assertTrue("a pktstack socket, not the JVM's", raw.getClass().getName().startsWith("io.pktstack"));
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, "pktstack-itest", 4433, true)) {
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String page = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            assertTrue(page, page.startsWith("HTTP/1.0 200 ok"));
            assertTrue(page, page.contains("TLSv1.3"));
        }
        assertTrue("the handshake's segments came through the stack", tcpSegmentsReceived() > before + 3);
    }

    @Test
    public void apacheHttpClientFetchesAPageThroughTheStack() throws Exception {
        long before = tcpSegmentsReceived();
        byte[] expected = Files.readAllBytes(dir.resolve("site").resolve("page.bin"));
        // HttpClient's own hook for where sockets come from: its DetachedSocketFactory, fed by our SocketFactory.
        DefaultHttpClientConnectionOperator operator = new DefaultHttpClientConnectionOperator(
                proxy -> sockets.createSocket(), null, null, RegistryBuilder.<TlsSocketStrategy>create().build());
        try (CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(new BasicHttpClientConnectionManager(operator, null))
                .build()) {
            byte[] got = client.execute(new HttpGet("http://" + LINUX_V4 + ":8000/page.bin"),
                    response -> {
                        assertEquals(200, response.getCode());
                        return EntityUtils.toByteArray(response.getEntity());
                    });
            assertArrayEquals(expected, got);
        }
        assertTrue("200 KB came through the stack's TCP", tcpSegmentsReceived() > before + 100);
    }

    @Test
    public void aServerSocketAcceptsLinuxAndEchoes() throws Exception {
        try (ServerSocket server = serverSockets.createServerSocket(7007)) {
            server.setSoTimeout(20_000);
            Process client = world.start("socat", "-t", "5", "STDIO", "TCP4:" + STACK_V4 + ":7007");
            try (Socket s = server.accept()) {
                assertEquals(InetAddress.getByName(LINUX_V4), s.getInetAddress());
                assertEquals(7007, s.getLocalPort());
                client.getOutputStream().write("hello over pktstack\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                byte[] line = new byte[20];
                int n = 0;
                while (n < line.length) {
                    int r = s.getInputStream().read(line, n, line.length - n);
                    assertTrue("connection ended early", r > 0);
                    n += r;
                }
                assertEquals("hello over pktstack\n", new String(line, StandardCharsets.US_ASCII));
                s.getOutputStream().write(line);
                s.shutdownOutput();
                client.getOutputStream().close();
                byte[] echoed = readAll(client.getInputStream());
                assertEquals("hello over pktstack\n", new String(echoed, StandardCharsets.US_ASCII));
            } finally {
                client.waitFor(10, TimeUnit.SECONDS);
                client.destroyForcibly();
            }
        }
        assertTrue("the listener is gone after close", tcp.connections().stream()
                .noneMatch(c -> c.local().getPort() == 7007 && c.remote() == null));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
