package io.pktstack.driver.e1000.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.api.options.SubOptions;
import io.pktstack.hostio.HostLinkOptions;
import java.util.Map;
import java.util.Set;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;

/** Tells the stack about {@code e1000} and checks its options before an instance starts. */
// The driver repository finds this bundle by this header without installing it.
@Header(name = "Pktstack-Driver", value = "e1000")
@Component(property = DriverDescriptor.NAME + "=" + E1000Descriptor.NAME)
public final class E1000Descriptor implements DriverDescriptor {

    static final String NAME = "e1000";

    /** e1000's own options, beside the Linux-link ones (tap=, if=, mac=, mtu=, name=, unit=). */
    static final Set<String> OWN = Set.of("receive", "transmit", "speed", "duplex", "verbose");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String factoryPid() {
        return E1000Driver.PID;
    }

    @Override
    public String summary() {
        return "the host's physical link: tap=NAME | if=NAME [,mac=HEX12][,mtu=1514][,receive=64][,transmit=128]";
    }

    @Override
    public Map<String, Object> configure(SubOptions options, DriverContext context) {
        Map<String, Object> props = HostLinkOptions.configure(NAME, options, OWN, "wm", defaultTap(context), context);
        for (SubOptions.Entry e : options.entries()) {
            switch (e.key()) {
                case "receive" -> props.put("receive", e.intValue(8, 4096));
                case "transmit" -> props.put("transmit", e.intValue(8, 4096));
                case "speed" -> {
                    if (!Set.of("10", "100", "1000").contains(String.valueOf(e.value()))) {
                        throw new IllegalArgumentException("option '" + e + "': speed is 10, 100 or 1000 (Mbit/s)");
                    }
                    props.put("speed", Integer.parseInt(e.value()));
                }
                case "duplex" -> {
                    if (!Set.of("half", "full", "0", "1").contains(String.valueOf(e.value()))) {
                        throw new IllegalArgumentException("option '" + e + "': duplex is half or full");
                    }
                    props.put("duplex", e.value().equals("1") || e.value().equals("full") ? "full" : "half");
                }
                case "verbose" -> props.put("verbose", e.isFlag() ? 1 : e.intValue(0, 9));
                default -> {
                    // a common option, already handled
                }
            }
        }
        return props;
    }

    /**
     * Without tap= or if=, e1000 creates a TAP device named after the stack, so
     * io-pkt's bare {@code -d e1000} still gives the host a link to Linux.
     */
    static String defaultTap(DriverContext context) {
        String sys = context.systemName().replaceAll("[^A-Za-z0-9_.-]", "");
        String name = "pk-" + (sys.isEmpty() ? "host" : sys);
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    @Override
    public int interfaceCount(Map<String, Object> properties) {
        return 1;
    }
}
