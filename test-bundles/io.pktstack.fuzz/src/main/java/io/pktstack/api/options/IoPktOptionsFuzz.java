package io.pktstack.api.options;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.fuzz.FuzzInput;
import io.pktstack.fuzz.Words;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target {@code iopkt-options}: io-pkt's command line and suboption
 * lists, and every driver's check of its options (vdevpeer-net, virtio-net,
 * e1000, passthrough). Bad input is refused with IllegalArgumentException,
 * never anything else; a suboption list that parsed prints back to text that
 * parses to the same list; what a driver accepts names as many interfaces as
 * it says.
 */
public final class IoPktOptionsFuzz {

    static final List<String> VOCABULARY = new ArrayList<>(List.of("-d", "-dvdevpeer-net", "vdevpeer-net", "virtio-net",
            "e1000", "passthrough", "io-pkt-v6-hc", "\\", "\\\n", ",", "=", ",,", "peer=/dev/qvm/g1/p2p",
            "bind=/dev/vdevpeers/vp0", "peer=", "bind=", "mac=", "name=", "name=vp", "legacy", "legacy=1", "priority=",
            "unit=", "lan=", "peerfeats=", "peerfeats=0x3", "bind-mode=", "bind-mode=0600", "tap=", "if=", "mtu=",
            "receive=", "transmit=", "speed=", "duplex=", "verbose", "/dev/qvm/", "/dev/../../etc/passwd",
            "/dev/vdevpeers/vp1", "peer=/dev/qvm/g1//p2p", "peer=/dev/qvm/" + "g".repeat(100) + "/p2p", "tap=pk0",
            "if=lo", "0600", "0777", "0400", "full", "half", "10", "100", "1000"));

    static {
        VOCABULARY.addAll(Words.NUMBERS);
        VOCABULARY.addAll(Words.MACS);
    }

    private static final DriverContext CONTEXT = new DriverContext(Path.of("/tmp/pktstack-fuzz-root"), "host");
    private static final DriverDescriptor[] DRIVERS = {
        new io.pktstack.driver.vdevpeer.internal.VdevPeerDescriptor(),
        new io.pktstack.driver.virtio.internal.VirtioNetDescriptor(),
        new io.pktstack.driver.e1000.internal.E1000Descriptor(),
        new io.pktstack.driver.passthrough.internal.PassthroughDescriptor()};

    private IoPktOptionsFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        List<String> args = in.bool() ? List.of(String.join(in.pick(" ", ",", "", "\n", " \\\n"),
                io.pktstack.fuzz.Words.of(in, VOCABULARY, 12))) : io.pktstack.fuzz.Words.of(in, VOCABULARY, 12);
        IoPktCommandLine line;
        try {
            line = IoPktCommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            named(e);
            return;
        }
        for (DriverSpec spec : line.drivers()) {
            if (spec.driver().isEmpty() || spec.driver().startsWith("-")) {
                throw new AssertionError("driver name '" + spec.driver() + "' from " + args);
            }
            SubOptions o = spec.options();
            SubOptions again = SubOptions.parse(o.toString());
            if (!again.equals(o)) {
                throw new AssertionError(o + " printed and parsed again is " + again);
            }
            for (DriverDescriptor d : DRIVERS) {
                try {
                    Map<String, Object> props = d.configure(o, CONTEXT);
                    int n = d.interfaceCount(props);
                    if (n < 1) {
                        throw new AssertionError(d.name() + " accepted " + o + " for " + n + " interfaces");
                    }
                } catch (IllegalArgumentException e) {
                    named(e);
                }
            }
        }
    }

    /** A refusal must say something. */
    static void named(IllegalArgumentException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("a refusal without a message", e);
        }
    }
}
