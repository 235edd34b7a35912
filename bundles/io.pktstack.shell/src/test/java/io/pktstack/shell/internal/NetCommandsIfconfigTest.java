package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code ifconfig} turns a BSD line into stack calls, against a stack that records them. */
class NetCommandsIfconfigTest {

    /** Calls the commands made, "method arg arg". */
    private final List<String> calls = new ArrayList<>();

    private final NetworkStack stack = (NetworkStack) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {NetworkStack.class}, (proxy, method, args) -> {
                Object[] a = args == null ? new Object[0] : args;
                if (method.getName().equals("interfaceInfo")) {
                    if (!List.of("vt0", "bridge0").contains(a[0])) {
                        throw new IllegalArgumentException("no interface '" + a[0] + "'");
                    }
                    return new InterfaceInfo((String) a[0], 1, a[0].equals("bridge0") ? "bridge" : "virtio-net",
                            java.util.Set.of(), 1514, null,
                            List.of(), InterfaceListTest.ZERO, null, java.util.Map.of());
                }
                if (method.getName().equals("interfaces")) {
                    return List.of();
                }
                StringBuilder call = new StringBuilder(method.getName());
                Arrays.stream(a).forEach(x -> call.append(' ').append(x));
                calls.add(call.toString());
                return null;
            });

    /** Driver instances as the fake driver manager has them: stop() removes the instance named or owning the name. */
    private final List<DriverManager.InstanceInfo> instances = new ArrayList<>(List.of(
            new DriverManager.InstanceInfo("virtio-net.0", "virtio-net", "peer=/dev/vdevpeers/vp0", List.of("vt0"))));

    private final DriverManager drivers = (DriverManager) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {DriverManager.class}, (proxy, method, args) -> switch (method.getName()) {
                case "instances" -> List.copyOf(instances);
                case "stop" -> {
                    calls.add("stop " + args[0]);
                    if (!instances.removeIf(i -> i.id().equals(args[0]) || i.interfaces().contains(args[0]))) {
                        throw new IllegalArgumentException("no driver instance or interface '" + args[0] + "'");
                    }
                    yield null;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private final NetCommands commands = new NetCommands(stack, drivers, null, null, null);

    @Test
    void addressAndUp() {
        commands.ifconfig("vt0", "10.0.0.2/24", "up");
        assertEquals(List.of("addAddress vt0 10.0.0.2/24", "setUp vt0 true"), calls);
    }

    @Test
    void ipv6Address() {
        commands.ifconfig("vt0", "inet6", "fd00::2/64");
        assertEquals(List.of("addAddress vt0 " + InterfaceAddress.parse("fd00::2/64")), calls);
    }

    @Test
    void down() {
        commands.ifconfig("vt0", "down");
        assertEquals(List.of("setUp vt0 false"), calls);
    }

    @Test
    void removeBeforeAdd() {
        commands.ifconfig("vt0", "10.0.0.2/24", "-alias");
        assertEquals(List.of("removeAddress vt0 10.0.0.2/24"), calls);
    }

    @Test
    void bridgeCreateAndDestroy() {
        Report r = commands.ifconfig("bridge0", "create");
        assertTrue(r.render().startsWith("bridge0: "), r.render());
        commands.ifconfig("bridge0", "destroy");
        assertEquals(List.of("createBridge bridge0", "destroyInterface bridge0"), calls);
    }

    @Test
    void destroyingADriversInterfaceHasItsDriverLetItGoAndSaysWhatWent() {
        Report r = commands.ifconfig("vt0", "destroy");
        assertEquals(List.of("stop vt0"), calls);
        assertEquals("ifconfig vt0: removed vt0; stopped driver instance virtio-net.0", r.render());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.umount("vt0"));
        assertEquals("umount: no driver instance or interface 'vt0'", e.getMessage());
    }

    @Test
    void aCaptureFileThatCannotBeWrittenIsNamedWithTheReasonBeforeAnythingStarts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.tcpdump("-i", "vt0", "-w", "/nonexistent-folder/x.pcap"));
        assertEquals("tcpdump: cannot write '/nonexistent-folder/x.pcap': its folder does not exist", e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> commands.tcpdump("-i", "vt9", "-w", "/tmp/never-made.pcap"));
        assertTrue(unknown.getMessage().contains("vt9"), unknown.getMessage());
        assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/never-made.pcap")));
    }

    @Test
    void badLineChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.ifconfig("vt0", "10.0.0.2/24", "up", "bogus"));
        assertEquals("ifconfig: unexpected argument 'bogus'", e.getMessage());
        assertEquals(List.of(), calls);
    }

    @Test
    void unknownInterfaceChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> commands.ifconfig("vt9", "10.0.0.2/24", "up"));
        assertEquals("no interface 'vt9'", e.getMessage());
        assertEquals(List.of(), calls);
    }
}
