package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.tcp.TcpConnectionInfo;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.api.tcp.TcpState;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code nc}, {@code impair} and {@code netstat -a}: bad ports, hosts, files
 * and settings refused naming the token before anything is opened or changed,
 * and the layouts printed.
 */
class NcImpairCommandsTest {

    private final List<String> calls = new ArrayList<>();

    private final TcpStack tcp = (TcpStack) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {TcpStack.class}, (proxy, method, args) -> {
                calls.add(method.getName());
                if (method.getName().equals("connections")) {
                    return List.of(
                            new TcpConnectionInfo(new InetSocketAddress(InetAddress.ofLiteral("::"), 5001), null,
                                    TcpState.LISTEN, 0, 0, Map.of()),
                            new TcpConnectionInfo(new InetSocketAddress(InetAddress.ofLiteral("10.0.0.1"), 80),
                                    new InetSocketAddress(InetAddress.ofLiteral("10.0.0.2"), 49152),
                                    TcpState.ESTABLISHED, 10, 20, Map.of()));
                }
                throw new AssertionError("unexpected call " + method.getName());
            });

    private final NetworkStack stack = (NetworkStack) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {NetworkStack.class}, (proxy, method, args) -> {
                calls.add(method.getName());
                return switch (method.getName()) {
                    case "interfaceInfo" -> {
                        if (!args[0].equals("vp0")) {
                            throw new IllegalArgumentException("no interface " + args[0]);
                        }
                        yield null;
                    }
                    case "impairment" -> new Impairment(2, 1, 2, 0, 0, Map.of("dropped", 7L));
                    case "setImpairment" -> null;
                    default -> throw new AssertionError("unexpected call " + method.getName());
                };
            });

    private final NcCommand nc = new NcCommand(tcp);
    private final NetCommands net = new NetCommands(stack, null, null, null, tcp);

    private void refused(String token, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(token), e.getMessage());
        assertTrue(calls.stream().noneMatch(c -> c.equals("connect") || c.equals("listen") || c.equals("open")
                || c.equals("setImpairment")), "nothing opened or changed: " + calls);
    }

    @Test
    void ncRefusesBadPortsHostsFilesAndOptionsNamingThem() {
        refused("70000", () -> call("-l", "70000"));
        refused("'x'", () -> call("-l", "x"));
        refused("10.0.0.256", () -> call("10.0.0.256", "80"));
        refused("'example.org'", () -> call("example.org", "80"));
        refused("-z", () -> call("-z", "10.0.0.1", "80"));
        refused("/no/such/file", () -> call("-i", "/no/such/file", "10.0.0.1", "80"));
        refused("usage", () -> call("-l", "-i", "/etc/hostname", "80"));
        refused("-t", () -> call("-t", "0", "10.0.0.1", "80"));
    }

    private void call(String... args) {
        try {
            nc.nc(args);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void impairRefusesBadSettingsAndUnknownInterfaces() {
        refused("150", () -> net.impair("vp0", "loss", "150"));
        refused("'lots'", () -> net.impair("vp0", "loss", "lots"));
        refused("'jitter'", () -> net.impair("vp0", "jitter", "5"));
        refused("20000", () -> net.impair("vp0", "delay", "20000"));
        refused("vp9", () -> net.impair("vp9", "loss", "1"));
    }

    @Test
    void impairShowsWhatItDid() {
        String out = net.impair("vp0").render();
        assertEquals("vp0: loss 2% duplicate 1% reorder 2% delay 0 ms corrupt 0%\n\t7 frames dropped\n", out);
    }

    @Test
    void netstatAListsListenersAndConnectionsAsBsdDoes() {
        String out = net.netstat("-a", "-p", "tcp").render();
        assertTrue(out.startsWith("Active Internet connections (including servers)\n"), out);
        assertTrue(out.contains("tcp46       0      0  *.5001"), out);
        assertTrue(out.contains("*.*") && out.contains("LISTEN"), out);
        assertTrue(out.contains("tcp4       10     20  10.0.0.1.80"), out);
        assertTrue(out.contains("10.0.0.2.49152") && out.contains("ESTABLISHED"), out);
        assertThrows(IllegalArgumentException.class, () -> net.netstat("-a", "-p", "udp"));
    }
}
