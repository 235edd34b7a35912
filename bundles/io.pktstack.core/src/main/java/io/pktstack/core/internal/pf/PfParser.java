package io.pktstack.core.internal.pf;

import io.pktstack.core.internal.pf.PfRules.Host;
import io.pktstack.core.internal.pf.PfRules.NatRule;
import io.pktstack.core.internal.pf.PfRules.Ports;
import io.pktstack.core.internal.pf.PfRules.RdrRule;
import io.pktstack.core.internal.wire.Addresses;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the part of pf.conf(5) this stack's pf does, as io-pkt's pf writes
 * it (the translation syntax before OpenBSD 4.7): comments, backslash
 * continuations, macros ({@code ext_if = "wm0"}, used as {@code $ext_if}),
 * {@code set limit states N}, {@code set timeout NAME N} (or a braced list),
 * and the rules
 *
 * <pre>
 * nat on IF [inet] [proto tcp|udp|icmp|{...}] from HOST [port P] to HOST [port P] -> (IF)|ADDR [port A:B] [static-port]
 * rdr on IF [inet] proto tcp|udp|{tcp udp} from HOST [port P] to HOST port P -> ADDR [port P[:*]]
 * </pre>
 *
 * where HOST is {@code any}, an address, a prefix, {@code (IF)} (the
 * interface's address as it is when a packet passes) or {@code IF}. The
 * whole text is read before anything is returned: the first bad line is
 * refused with its number and the token, and nothing of the text applies.
 * Interface names are checked by the caller's predicate, so a rule for an
 * interface that does not exist is refused too.
 */
public final class PfParser {

    /** pf's default source ports for translated connections (pf.conf(5): 50001:65535). */
    static final Ports NAT_PORTS = new Ports(50001, 65535);

    /** A refused line: its number and the token it failed at. */
    public static final class SyntaxException extends Exception {
        public final int line;
        public final String token;

        SyntaxException(int line, String token, String message) {
            super("line " + line + ": " + message + (token == null ? "" : " at '" + token + "'"), null, false, false);
            this.line = line;
            this.token = token;
        }
    }

    private static final Map<String, Integer> SERVICES = Map.ofEntries(Map.entry("ftp", 21), Map.entry("ssh", 22),
            Map.entry("telnet", 23), Map.entry("smtp", 25), Map.entry("domain", 53), Map.entry("http", 80),
            Map.entry("www", 80), Map.entry("ntp", 123), Map.entry("https", 443), Map.entry("echo", 7),
            Map.entry("discard", 9), Map.entry("tftp", 69), Map.entry("iperf3", 5201));

    private final Predicate<String> interfaceExists;

    public PfParser(Predicate<String> interfaceExists) {
        this.interfaceExists = interfaceExists;
    }

    public PfRules parse(String text) throws SyntaxException {
        List<NatRule> nat = new ArrayList<>();
        List<RdrRule> rdr = new ArrayList<>();
        Map<String, Integer> timeouts = PfRules.defaultTimeouts();
        Map<String, String> macros = new HashMap<>();
        int stateLimit = PfRules.DEFAULT_STATE_LIMIT;
        String[] raw = text.split("\r?\n", -1);
        StringBuilder pending = new StringBuilder();
        int first = 0;
        for (int i = 0; i < raw.length; i++) {
            String l = raw[i];
            int hash = l.indexOf('#');
            if (hash >= 0) {
                l = l.substring(0, hash);
            }
            if (pending.isEmpty()) {
                first = i + 1;
            }
            if (l.endsWith("\\")) {
                pending.append(l, 0, l.length() - 1).append(' ');
                continue;
            }
            pending.append(l);
            String line = pending.toString().strip();
            pending.setLength(0);
            if (line.isEmpty()) {
                continue;
            }
            Tokens t = new Tokens(first, tokenize(first, line, macros));
            String w = t.next("a rule");
            if (t.peekIs("=")) { // a macro definition
                if (!w.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new SyntaxException(first, w, "bad macro name");
                }
                t.next("=");
                macros.put(w, t.rest());
                continue;
            }
            switch (w) {
                case "set" -> stateLimit = set(t, timeouts, stateLimit);
                case "nat" -> nat.add(nat(t));
                case "rdr" -> rdr.add(rdr(t));
                case "no" -> throw new SyntaxException(first, w, "'no nat' and 'no rdr' are not supported");
                case "pass", "block", "match", "anchor", "table", "scrub", "antispoof", "binat", "altq", "queue" ->
                        throw new SyntaxException(first, w, "not supported by this pf (translation only: nat, rdr, set)");
                default -> throw new SyntaxException(first, w, "unknown keyword");
            }
        }
        if (!pending.isEmpty()) {
            throw new SyntaxException(first, "\\", "line continued past the end of the file");
        }
        return new PfRules(nat, rdr, stateLimit, timeouts);
    }

    private static int set(Tokens t, Map<String, Integer> timeouts, int stateLimit) throws SyntaxException {
        String what = t.next("limit or timeout");
        switch (what) {
            case "limit" -> {
                String k = t.next("states");
                if (!k.equals("states")) {
                    throw t.error(k, "only 'set limit states N' is supported");
                }
                int n = t.number("a state limit", 1, 1_000_000);
                t.end();
                return n;
            }
            case "timeout" -> {
                if (t.peekIs("{")) {
                    t.next("{");
                    while (!t.peekIs("}")) {
                        timeout(t, timeouts);
                        if (t.peekIs(",")) {
                            t.next(",");
                        }
                    }
                    t.next("}");
                } else {
                    timeout(t, timeouts);
                }
                t.end();
                return stateLimit;
            }
            default -> throw t.error(what, "expected 'limit' or 'timeout'");
        }
    }

    private static void timeout(Tokens t, Map<String, Integer> timeouts) throws SyntaxException {
        String name = t.next("a timeout name");
        if (!timeouts.containsKey(name)) {
            throw t.error(name, "unknown timeout (known: " + String.join(", ", timeouts.keySet()) + ")");
        }
        timeouts.put(name, t.number("seconds", name.equals("interval") ? 1 : 0, 7 * 86_400));
    }

    private NatRule nat(Tokens t) throws SyntaxException {
        int line = t.line;
        String ifName = onInterface(t);
        int proto = protocol(t, true);
        t.expect("from");
        Host from = host(t);
        Ports fromPorts = t.peekIs("port") ? ports(t, proto) : Ports.ANY_PORT;
        t.expect("to");
        Host to = host(t);
        Ports toPorts = t.peekIs("port") ? ports(t, proto) : Ports.ANY_PORT;
        t.expect("->");
        Host target = host(t);
        if (target.kind() == Host.Kind.ANY || (target.kind() == Host.Kind.PREFIX && target.length() != 32)) {
            throw t.error(target.toString(), "a nat target is one address or (interface)");
        }
        Ports natPorts = NAT_PORTS;
        boolean staticPort = false;
        while (t.more()) {
            if (t.peekIs("port")) {
                natPorts = ports(t, PfRules.ANY); // for ICMP the identifiers' range
                continue;
            }
            String w = t.next("port or static-port");
            switch (w) {
                case "static-port" -> staticPort = true;
                case "round-robin" -> { } // what pfctl prints for (IF): accepted back
                default -> throw t.error(w, "expected 'port' or 'static-port'");
            }
        }
        return new NatRule(line, ifName, proto, from, fromPorts, to, toPorts, target, natPorts, staticPort);
    }

    private RdrRule rdr(Tokens t) throws SyntaxException {
        int line = t.line;
        String ifName = onInterface(t);
        if (!t.peekIs("proto")) {
            throw t.error(t.peekOr("end of line"), "rdr needs 'proto tcp' or 'proto udp'");
        }
        int proto = protocol(t, false);
        t.expect("from");
        Host from = host(t);
        if (t.peekIs("port")) {
            throw t.error("port", "rdr matches destination ports only");
        }
        t.expect("to");
        Host to = host(t);
        if (!t.peekIs("port")) {
            throw t.error(t.peekOr("end of line"), "rdr needs the destination 'port'");
        }
        Ports toPorts = ports(t, proto);
        t.expect("->");
        String a = t.next("an address");
        long target = Addresses.tryParse(a);
        if (target < 0) {
            throw t.error(a, "an rdr target is one IPv4 address");
        }
        int targetPort = 0;
        if (t.more()) {
            t.expect("port");
            String p = t.next("a port");
            boolean range = p.endsWith(":*");
            targetPort = port(t, range ? p.substring(0, p.length() - 2) : p);
            if (!range && toPorts.first() != toPorts.last()) {
                throw t.error(p, "a range of ports redirects to 'port N:*'");
            }
        }
        t.end();
        return new RdrRule(line, ifName, proto, from, to, toPorts, (int) target, targetPort);
    }

    private String onInterface(Tokens t) throws SyntaxException {
        if (t.peekIs("pass")) {
            t.next("pass"); // 'nat pass' / 'rdr pass': there are no filter rules to skip anyway
        }
        t.expect("on");
        String ifName = t.next("an interface");
        if (!interfaceExists.test(ifName)) {
            throw t.error(ifName, "no such interface");
        }
        if (t.peekIs("inet")) {
            t.next("inet");
        } else if (t.peekIs("inet6")) {
            throw t.error("inet6", "only IPv4 is translated (inet)");
        }
        return ifName;
    }

    /** {@code proto tcp|udp|icmp} or a braced list; a list means any of them (0) as each rule here is per protocol family. */
    private static int protocol(Tokens t, boolean icmpAllowed) throws SyntaxException {
        if (!t.peekIs("proto")) {
            return PfRules.ANY;
        }
        t.next("proto");
        if (t.peekIs("{")) {
            t.next("{");
            int n = 0;
            int last = 0;
            while (!t.peekIs("}")) {
                last = protoName(t, t.next("a protocol"), icmpAllowed);
                n++;
                if (t.peekIs(",")) {
                    t.next(",");
                }
            }
            t.next("}");
            if (n == 0) {
                throw t.error("}", "empty protocol list");
            }
            return n == 1 ? last : PfRules.ANY;
        }
        return protoName(t, t.next("a protocol"), icmpAllowed);
    }

    private static int protoName(Tokens t, String p, boolean icmpAllowed) throws SyntaxException {
        return switch (p) {
            case "tcp" -> PfRules.TCP;
            case "udp" -> PfRules.UDP;
            case "icmp" -> {
                if (!icmpAllowed) {
                    throw t.error(p, "rdr redirects tcp or udp");
                }
                yield PfRules.ICMP;
            }
            default -> throw t.error(p, "unknown protocol (tcp, udp" + (icmpAllowed ? ", icmp" : "") + ")");
        };
    }

    private Host host(Tokens t) throws SyntaxException {
        String w = t.next("an address, a prefix, any or (interface)");
        if (w.equals("any")) {
            return Host.ANY_HOST;
        }
        if (w.equals("!")) {
            throw t.error(w, "negation is not supported");
        }
        if (w.equals("(")) {
            String ifName = t.next("an interface");
            t.expect(")");
            if (!interfaceExists.test(ifName)) {
                throw t.error(ifName, "no such interface");
            }
            return new Host(Host.Kind.INTERFACE, 0, 32, ifName);
        }
        int slash = w.indexOf('/');
        long a = Addresses.tryParse(slash < 0 ? w : w.substring(0, slash));
        if (a >= 0) {
            int len = 32;
            if (slash >= 0) {
                String l = w.substring(slash + 1);
                if (!l.matches("\\d{1,2}") || Integer.parseInt(l) > 32) {
                    throw t.error(w, "bad prefix length");
                }
                len = Integer.parseInt(l);
            }
            int mask = len == 0 ? 0 : -1 << (32 - len);
            return new Host(Host.Kind.PREFIX, (int) a & mask, len, null);
        }
        if (w.contains(":")) {
            throw t.error(w, "only IPv4 addresses are translated");
        }
        if (interfaceExists.test(w)) {
            return new Host(Host.Kind.INTERFACE, 0, 32, w);
        }
        throw t.error(w, "not an address, a prefix, 'any' or an interface");
    }

    /** {@code port N}, {@code port = N}, {@code port N:M}; a service name for a single port. */
    private static Ports ports(Tokens t, int proto) throws SyntaxException {
        t.expect("port");
        if (proto == PfRules.ICMP) {
            throw t.error("port", "icmp has no ports");
        }
        if (t.peekIs("=")) {
            t.next("=");
        }
        String p = t.next("a port");
        int colon = p.indexOf(':');
        if (colon > 0 && !p.endsWith(":*")) {
            int a = port(t, p.substring(0, colon));
            int b = port(t, p.substring(colon + 1));
            if (b < a) {
                throw t.error(p, "port range ends before it starts");
            }
            return new Ports(a, b);
        }
        int a = port(t, p);
        return new Ports(a, a);
    }

    private static int port(Tokens t, String p) throws SyntaxException {
        Integer s = SERVICES.get(p);
        if (s != null) {
            return s;
        }
        if (!p.matches("\\d{1,5}") || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
            throw t.error(p, "not a port (1..65535 or a service name)");
        }
        return Integer.parseInt(p);
    }

    /** Words, with ( ) { } , -> = ! as tokens of their own and macros expanded; quotes group words. */
    private static List<String> tokenize(int line, String s, Map<String, String> macros) throws SyntaxException {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ("(){},=!".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '>') {
                out.add("->");
                i += 2;
            } else if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    throw new SyntaxException(line, s.substring(i), "unterminated quote");
                }
                out.addAll(tokenize(line, s.substring(i + 1, end), macros));
                i = end + 1;
            } else {
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && "(){},=!\"".indexOf(s.charAt(j)) < 0
                        && !(s.charAt(j) == '-' && j + 1 < s.length() && s.charAt(j + 1) == '>')) {
                    j++;
                }
                String w = s.substring(i, j);
                if (w.startsWith("$")) {
                    String v = macros.get(w.substring(1));
                    if (v == null) {
                        throw new SyntaxException(line, w, "undefined macro");
                    }
                    out.addAll(tokenize(line, v, macros));
                } else {
                    out.add(w);
                }
                i = j;
            }
        }
        return out;
    }

    /** The tokens of one logical line. */
    private static final class Tokens {
        final int line;
        final List<String> words;
        int at;

        Tokens(int line, List<String> words) {
            this.line = line;
            this.words = words;
        }

        boolean more() {
            return at < words.size();
        }

        boolean peekIs(String w) {
            return more() && words.get(at).equals(w);
        }

        String peekOr(String dflt) {
            return more() ? words.get(at) : dflt;
        }

        String next(String what) throws SyntaxException {
            if (!more()) {
                throw new SyntaxException(line, "end of line", "expected " + what);
            }
            return words.get(at++);
        }

        void expect(String w) throws SyntaxException {
            String got = next("'" + w + "'");
            if (!got.equals(w)) {
                throw error(got, "expected '" + w + "'");
            }
        }

        int number(String what, int min, int max) throws SyntaxException {
            String w = next(what);
            if (!w.matches("\\d{1,9}") || Integer.parseInt(w) < min || Integer.parseInt(w) > max) {
                throw error(w, "expected " + what + " in " + min + ".." + max);
            }
            return Integer.parseInt(w);
        }

        String rest() {
            String r = String.join(" ", words.subList(at, words.size()));
            at = words.size();
            return r;
        }

        void end() throws SyntaxException {
            if (more()) {
                throw error(words.get(at), "unexpected");
            }
        }

        SyntaxException error(String token, String message) {
            return new SyntaxException(line, token, message);
        }
    }

    /** Rules in the order {@code pfctl -s rules} prints them: nat, then rdr. */
    public static List<String> describe(PfRules r) {
        List<String> out = new ArrayList<>();
        r.nat().forEach(n -> out.add(n.toString()));
        r.rdr().forEach(n -> out.add(n.toString()));
        return out;
    }
}
