package io.pktstack.core.internal.pf;

import io.pktstack.core.internal.wire.Addresses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule set as {@link PfParser} reads it from pf.conf text: translation
 * rules in order (the first that matches a packet applies, as in pf), the
 * state limit and the timeouts.
 */
public record PfRules(List<NatRule> nat, List<RdrRule> rdr, int stateLimit, Map<String, Integer> timeouts) {

    /** pf's defaults (pf.conf(5): {@code set limit states 10000}, the {@code set timeout} values). */
    public static final int DEFAULT_STATE_LIMIT = 10_000;

    public static Map<String, Integer> defaultTimeouts() {
        Map<String, Integer> t = new LinkedHashMap<>();
        t.put("tcp.first", 120);
        t.put("tcp.opening", 30);
        t.put("tcp.established", 86_400);
        t.put("tcp.closing", 900);
        t.put("tcp.finwait", 45);
        t.put("tcp.closed", 90);
        t.put("udp.first", 60);
        t.put("udp.single", 30);
        t.put("udp.multiple", 60);
        t.put("icmp.first", 20);
        t.put("icmp.error", 10);
        t.put("interval", 10);
        return t;
    }

    public static final PfRules EMPTY = new PfRules(List.of(), List.of(), DEFAULT_STATE_LIMIT, defaultTimeouts());

    public PfRules {
        nat = List.copyOf(nat);
        rdr = List.copyOf(rdr);
        timeouts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timeouts));
    }

    /** IP protocol numbers a rule can name; 0 matches TCP, UDP and ICMP echo alike. */
    public static final int ANY = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    static String protoName(int p) {
        return switch (p) {
            case ICMP -> "icmp";
            case TCP -> "tcp";
            case UDP -> "udp";
            default -> "ip";
        };
    }

    /** An address a rule matches: any, a prefix, or the current addresses of an interface. */
    public record Host(Kind kind, int address, int length, String ifName) {

        public enum Kind { ANY, PREFIX, INTERFACE }

        public static final Host ANY_HOST = new Host(Kind.ANY, 0, 0, null);

        boolean matchesPrefix(int a) {
            return length == 0 || ((a ^ address) & (-1 << (32 - length))) == 0;
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ANY -> "any";
                case PREFIX -> Addresses.text(address) + (length == 32 ? "" : "/" + length);
                case INTERFACE -> "(" + ifName + ")";
            };
        }
    }

    /** Ports {@code first..last}; {@code first == 0} matches any. */
    public record Ports(int first, int last) {

        public static final Ports ANY_PORT = new Ports(0, 0);

        boolean any() {
            return first == 0;
        }

        boolean contains(int p) {
            return first == 0 || (p >= first && p <= last);
        }

        @Override
        public String toString() {
            return first == last ? "= " + first : first + ":" + last;
        }
    }

    /**
     * {@code nat on IF [inet] [proto P] from HOST [port P] to HOST [port P] -> (IF)|ADDR [port A:B] [static-port]}:
     * source addresses translated to the target's address as packets leave {@code ifName}.
     */
    public record NatRule(int line, String ifName, int proto, Host from, Ports fromPorts, Host to, Ports toPorts,
            Host target, Ports natPorts, boolean staticPort) {

        @Override
        public String toString() {
            return "nat on " + ifName + " inet" + (proto == ANY ? "" : " proto " + protoName(proto)) + " from " + from
                    + (fromPorts.any() ? "" : " port " + fromPorts) + " to " + to + (toPorts.any() ? "" : " port " + toPorts)
                    + " -> " + target + (natPorts.equals(PfParser.NAT_PORTS) ? "" : " port " + natPorts.first() + ":"
                    + natPorts.last()) + (staticPort ? " static-port" : "");
        }
    }

    /**
     * {@code rdr on IF [inet] proto tcp|udp from HOST to HOST port P -> ADDR [port P[:*]]}:
     * packets arriving on {@code ifName} for the ports are redirected to the target.
     */
    public record RdrRule(int line, String ifName, int proto, Host from, Host to, Ports toPorts, int target,
            int targetPort) {

        /** The target port for a destination port: fixed, or the range shifted (pf's {@code port N:*}). */
        int targetPortFor(int port) {
            return targetPort == 0 ? port : targetPort + (port - toPorts.first());
        }

        @Override
        public String toString() {
            return "rdr on " + ifName + " inet proto " + protoName(proto) + " from " + from + " to " + to + " port "
                    + toPorts + " -> " + Addresses.text(target) + (targetPort == 0 ? "" : " port " + targetPort
                    + (toPorts.first() == toPorts.last() ? "" : ":*"));
        }
    }
}
