package io.pktstack.core.internal.pf;

import io.pktstack.core.internal.pf.PfRules.Host;
import io.pktstack.core.internal.pf.PfRules.NatRule;
import io.pktstack.core.internal.pf.PfRules.RdrRule;
import io.pktstack.core.internal.wire.Be;
import io.pktstack.core.internal.wire.ChecksumUpdate;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * pf's translation of IPv4 packets in place: source NAT of TCP, UDP, ICMP
 * echo (identifiers mapped like ports) and other protocols (address only) as
 * they leave an interface with a {@code nat} rule, redirection of TCP and UDP
 * arriving on an interface with an {@code rdr} rule, both through the
 * {@link StateTable}, and ICMP errors about a translated flow translated
 * back, inner header included (RFC 5508 §5). Checksums are updated
 * incrementally (RFC 1624), so a packet is never summed again.
 *
 * <p>A TCP flow is only created by a SYN; a later segment with no state that
 * a rule would translate is dropped (pf's "state-mismatch") rather than
 * leave with an inside address. Connections are tracked by flags only, as
 * pf's state names and timeouts go (no sequence windows): {@code tcp.first}
 * after the SYN, {@code tcp.opening} until both sides are established,
 * {@code tcp.closing}, {@code tcp.finwait} and {@code tcp.closed} as FINs and
 * RSTs come. UDP: {@code udp.first}, {@code udp.single}, {@code udp.multiple}
 * (pf.conf(5)). States past their time are removed every {@code interval}.
 *
 * <p>Every method runs under one lock; nothing allocates per packet.
 */
public final class PfEngine {

    /** Verdicts: pass (translated or not) or why the packet is dropped. */
    public static final int PASS = 0;
    public static final int DROP_SHORT = 1;
    public static final int DROP_STATE_LIMIT = 2;
    public static final int DROP_NO_PORT = 3;
    public static final int DROP_STATE_MISMATCH = 4;
    public static final int DROP_NO_ADDRESS = 5;

    /** The interface addresses a rule's {@code (IF)} stands for, as they are when a packet passes. */
    public interface Interfaces {
        /** The interface's first IPv4 address, 0 if it has none or does not exist. */
        int address(String ifName);

        /** Whether {@code addr} is one of the interface's IPv4 addresses. */
        boolean holds(String ifName, int addr);
    }

    // TCP states of each side (pf's TCPS_ values), and UDP's.
    static final byte TCPS_CLOSED = 0;
    static final byte TCPS_SYN_SENT = 2;
    static final byte TCPS_ESTABLISHED = 4;
    static final byte TCPS_CLOSING = 7;
    static final byte TCPS_FIN_WAIT_2 = 9;
    static final byte TCPS_TIME_WAIT = 10;
    static final byte UDPS_NO_TRAFFIC = 0;
    static final byte UDPS_SINGLE = 1;
    static final byte UDPS_MULTIPLE = 2;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    private final Interfaces interfaces;
    private final ReentrantLock lock = new ReentrantLock();
    private PfRules rules = PfRules.EMPTY;
    /** Empty until a rule set is loaded: a stack that never uses pf does not hold a table for 10 000 states. */
    private StateTable table = new StateTable(0);
    private long[] timeoutNanos = nanos(PfRules.defaultTimeouts());
    private int nextPort;
    // counters (pfctl -s info), guarded by the lock
    private long searches;
    private long inserts;
    private long removals;
    private final long[] drops = new long[6];

    public PfEngine(Interfaces interfaces) {
        this.interfaces = interfaces;
    }

    private static final String[] TIMEOUT_NAMES = {"tcp.first", "tcp.opening", "tcp.established", "tcp.closing",
        "tcp.finwait", "tcp.closed", "udp.first", "udp.single", "udp.multiple", "icmp.first", "icmp.error", "interval"};
    private static final int T_TCP_FIRST = 0;
    private static final int T_TCP_OPENING = 1;
    private static final int T_TCP_ESTABLISHED = 2;
    private static final int T_TCP_CLOSING = 3;
    private static final int T_TCP_FINWAIT = 4;
    private static final int T_TCP_CLOSED = 5;
    private static final int T_UDP_FIRST = 6;
    private static final int T_UDP_SINGLE = 7;
    private static final int T_UDP_MULTIPLE = 8;
    private static final int T_ICMP_FIRST = 9;
    private static final int T_INTERVAL = 11;

    private static long[] nanos(Map<String, Integer> t) {
        long[] n = new long[TIMEOUT_NAMES.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = TimeUnit.SECONDS.toNanos(t.get(TIMEOUT_NAMES[i]));
        }
        return n;
    }

    /** Puts a new rule set in force. States stay unless the state limit changed (then the table is made anew). */
    public void load(PfRules r) {
        lock.lock();
        try {
            if (r.stateLimit() != table.capacity()) {
                removals += table.count();
                table = new StateTable(r.stateLimit());
            }
            rules = r;
            timeoutNanos = nanos(r.timeouts());
        } finally {
            lock.unlock();
        }
    }

    public PfRules rules() {
        return rules;
    }

    /** Nanoseconds between purges of expired states. */
    public long intervalNanos() {
        return timeoutNanos[T_INTERVAL];
    }

    // ---- packets ------------------------------------------------------------------------

    /**
     * A packet leaving by {@code ifName} (forwarded: routed, TTL not yet
     * decremented): translated by its state or by the first {@code nat} rule
     * for the interface that matches. {@code ip} is the IPv4 header's offset,
     * {@code total} its Total Length, both checked by the IP input.
     */
    public int outbound(MemorySegment s, long ip, int total, String ifName, long now) {
        int hl = (Be.u8(s, ip) & 0x0F) * 4;
        int p = Be.u8(s, ip + 9);
        long l4 = ip + hl;
        int l4len = total - hl;
        if ((Be.u16(s, ip + 6) & 0x3FFF) != 0) {
            return PASS; // a fragment: pf reassembles before it gets here, so this is not a translatable flow
        }
        if (p == PfRules.ICMP && l4len >= 8 && isIcmpError(Be.u8(s, l4))) {
            return icmpErrorOut(s, ip, hl, l4, l4len, now);
        }
        long ports = ports(s, l4, l4len, p, true);
        if (ports < 0) {
            return ports == SHORT ? drop(DROP_SHORT) : PASS;
        }
        int sport = (int) (ports >>> 32);
        int dport = (int) (ports >>> 16) & 0xFFFF;
        int flags = (int) ports & 0xFF;
        int src = Be.i32(s, ip + 12);
        int dst = Be.i32(s, ip + 16);
        lock.lock();
        try {
            searches++;
            StateTable t = table;
            int st = t.findInside(p, src, sport, dst, dport);
            if (st < 0) {
                NatRule r = matchNat(ifName, p, src, sport, dst, dport);
                if (r == null || (p == PfRules.ICMP && Be.u8(s, l4) == 0)) {
                    return PASS; // no rule; or an echo reply, which answers a request that was not translated
                }
                if (p == PfRules.TCP && (flags & (SYN | ACK | RST)) != SYN) {
                    return drop(DROP_STATE_MISMATCH);
                }
                int outAddr = r.target().kind() == Host.Kind.INTERFACE ? interfaces.address(r.target().ifName())
                        : r.target().address();
                if (outAddr == 0) {
                    return drop(DROP_NO_ADDRESS);
                }
                int outPort = r.staticPort() && sport != 0 ? sport : freePort(t, p, outAddr, dst, dport, r);
                if (outPort < 0) {
                    return drop(DROP_NO_PORT);
                }
                st = t.insert(StateTable.NAT, r.ifName(), p, src, sport, outAddr, outPort, dst, dport, now);
                if (st < 0) {
                    return drop(DROP_STATE_LIMIT);
                }
                inserts++;
                initial(t, st, p);
            }
            track(t, st, p, flags, t.kind[st] == StateTable.NAT, total, now); // inside opened a NAT flow, not an rdr'd one
            rewriteSource(s, ip, l4, l4len, p, t.outAddr[st], t.outPort[st]);
            return PASS;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A packet arriving on {@code ifName}, before the stack decides whether
     * it is its own or to be forwarded: a reply of a translated flow gets its
     * inside destination back; a new flow an {@code rdr} rule matches is
     * redirected; an ICMP error about a translated flow is translated for the
     * inside host.
     */
    public int inbound(MemorySegment s, long ip, int total, String ifName, long now) {
        int hl = (Be.u8(s, ip) & 0x0F) * 4;
        int p = Be.u8(s, ip + 9);
        long l4 = ip + hl;
        int l4len = total - hl;
        if ((Be.u16(s, ip + 6) & 0x3FFF) != 0) {
            return PASS;
        }
        if (p == PfRules.ICMP && l4len >= 8 && isIcmpError(Be.u8(s, l4))) {
            return icmpErrorIn(s, ip, hl, l4, l4len, now);
        }
        long ports = ports(s, l4, l4len, p, false);
        if (ports < 0) {
            return ports == SHORT ? drop(DROP_SHORT) : PASS;
        }
        int sport = (int) (ports >>> 32);
        int dport = (int) (ports >>> 16) & 0xFFFF;
        int flags = (int) ports & 0xFF;
        int src = Be.i32(s, ip + 12);
        int dst = Be.i32(s, ip + 16);
        lock.lock();
        try {
            searches++;
            StateTable t = table;
            int st = t.findOutside(p, dst, dport, src, sport);
            if (st < 0) {
                RdrRule r = p == PfRules.TCP || p == PfRules.UDP ? matchRdr(ifName, p, src, dst, dport) : null;
                if (r == null) {
                    return PASS;
                }
                if (p == PfRules.TCP && (flags & (SYN | ACK | RST)) != SYN) {
                    return drop(DROP_STATE_MISMATCH);
                }
                st = t.insert(StateTable.RDR, r.ifName(), p, r.target(), r.targetPortFor(dport), dst, dport, src, sport, now);
                if (st < 0) {
                    return drop(DROP_STATE_LIMIT);
                }
                inserts++;
                initial(t, st, p);
                track(t, st, p, flags, true, total, now); // the peer opened it
            } else {
                // The peer's packet: on a NAT state it answers (the other side), on an RDR state it opened the flow.
                track(t, st, p, flags, t.kind[st] == StateTable.RDR, total, now);
            }
            rewriteDestination(s, ip, l4, l4len, p, t.inAddr[st], t.inPort[st]);
            return PASS;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #ports}: a header too short for its protocol. */
    private static final long SHORT = -2;
    /** {@link #ports}: ICMP that is neither echo nor echo reply, nothing to map. */
    private static final long NOT_MAPPED = -1;

    /**
     * The ports of a TCP or UDP header at {@code l4}, and TCP's flags, packed
     * as {@code sport << 32 | dport << 16 | flags} (zeros for other
     * protocols); for an ICMP echo or reply, its identifier in place of the
     * source port ({@code outbound}: the query we map) or of the destination
     * port (inbound: the reply to a mapped query). {@link #SHORT} or
     * {@link #NOT_MAPPED} otherwise. Packed, so that both directions read the
     * header the same way without an object per packet.
     */
    private static long ports(MemorySegment s, long l4, int l4len, int p, boolean outbound) {
        switch (p) {
            case PfRules.TCP -> {
                if (l4len < 20) {
                    return SHORT;
                }
                return (long) Be.u16(s, l4) << 32 | (long) Be.u16(s, l4 + 2) << 16 | Be.u8(s, l4 + 13);
            }
            case PfRules.UDP -> {
                if (l4len < 8) {
                    return SHORT;
                }
                return (long) Be.u16(s, l4) << 32 | (long) Be.u16(s, l4 + 2) << 16;
            }
            case PfRules.ICMP -> {
                if (l4len < 8) {
                    return SHORT;
                }
                int type = Be.u8(s, l4);
                if (type != 8 && type != 0) {
                    return NOT_MAPPED;
                }
                long id = Be.u16(s, l4 + 4);
                return outbound ? id << 32 : id << 16;
            }
            default -> {
                return 0;
            }
        }
    }

    private int drop(int why) {
        lock.lock();
        try {
            drops[why]++;
        } finally {
            lock.unlock();
        }
        return why;
    }

    private NatRule matchNat(String ifName, int p, int src, int sport, int dst, int dport) {
        List<NatRule> l = rules.nat();
        for (int i = 0; i < l.size(); i++) {
            NatRule r = l.get(i);
            if (r.ifName().equals(ifName) && (r.proto() == PfRules.ANY || r.proto() == p)
                    && hostMatches(r.from(), src) && hostMatches(r.to(), dst)
                    && (r.fromPorts().any() || ((p == PfRules.TCP || p == PfRules.UDP) && r.fromPorts().contains(sport)))
                    && (r.toPorts().any() || ((p == PfRules.TCP || p == PfRules.UDP) && r.toPorts().contains(dport)))) {
                return r;
            }
        }
        return null;
    }

    private RdrRule matchRdr(String ifName, int p, int src, int dst, int dport) {
        List<RdrRule> l = rules.rdr();
        for (int i = 0; i < l.size(); i++) {
            RdrRule r = l.get(i);
            if (r.ifName().equals(ifName) && (r.proto() == PfRules.ANY || r.proto() == p) && hostMatches(r.from(), src)
                    && hostMatches(r.to(), dst) && r.toPorts().contains(dport)) {
                return r;
            }
        }
        return null;
    }

    private boolean hostMatches(Host h, int a) {
        return switch (h.kind()) {
            case ANY -> true;
            case PREFIX -> h.matchesPrefix(a);
            case INTERFACE -> interfaces.holds(h.ifName(), a);
        };
    }

    /** An outside port (or ICMP identifier) free for this peer, from the rule's range, searched from a moving start. */
    private int freePort(StateTable t, int p, int outAddr, int peer, int peerPort, NatRule r) {
        int first = r.natPorts().first();
        int span = r.natPorts().last() - first + 1;
        for (int i = 0; i < span; i++) {
            int port = first + Math.floorMod(nextPort++, span);
            if (t.findOutside(p, outAddr, port, peer, peerPort) < 0) {
                return port;
            }
        }
        return -1;
    }

    private static void initial(StateTable t, int st, int p) {
        if (p == PfRules.UDP) {
            t.srcState[st] = UDPS_NO_TRAFFIC;
            t.dstState[st] = UDPS_NO_TRAFFIC;
        } else {
            t.srcState[st] = TCPS_CLOSED;
            t.dstState[st] = TCPS_CLOSED;
        }
    }

    /**
     * Advances a state by one packet from the opener's side ({@code fromOpener})
     * or the other, and sets its expiry by pf's timeouts.
     */
    private void track(StateTable t, int st, int p, int flags, boolean fromOpener, int total, long now) {
        t.packets[st]++;
        t.bytes[st] += total;
        byte[] mine = fromOpener ? t.srcState : t.dstState;
        byte[] theirs = fromOpener ? t.dstState : t.srcState;
        int timeout;
        if (p == PfRules.TCP) {
            if ((flags & RST) != 0) {
                mine[st] = TCPS_TIME_WAIT;
                theirs[st] = TCPS_TIME_WAIT;
            } else {
                if ((flags & SYN) != 0 && mine[st] < TCPS_SYN_SENT) {
                    mine[st] = TCPS_SYN_SENT;
                }
                if ((flags & FIN) != 0 && mine[st] < TCPS_CLOSING) {
                    mine[st] = TCPS_CLOSING;
                }
                if ((flags & ACK) != 0) {
                    if (theirs[st] == TCPS_SYN_SENT) {
                        theirs[st] = TCPS_ESTABLISHED;
                    } else if (theirs[st] == TCPS_CLOSING) {
                        theirs[st] = TCPS_FIN_WAIT_2;
                    }
                }
            }
            byte a = t.srcState[st];
            byte b = t.dstState[st];
            if (a >= TCPS_FIN_WAIT_2 && b >= TCPS_FIN_WAIT_2) {
                timeout = T_TCP_CLOSED;
            } else if (a >= TCPS_CLOSING && b >= TCPS_CLOSING) {
                timeout = T_TCP_FINWAIT;
            } else if (b == TCPS_CLOSED) {
                timeout = T_TCP_FIRST;
            } else if (a < TCPS_ESTABLISHED || b < TCPS_ESTABLISHED) {
                timeout = T_TCP_OPENING;
            } else if (a >= TCPS_CLOSING || b >= TCPS_CLOSING) {
                timeout = T_TCP_CLOSING;
            } else {
                timeout = T_TCP_ESTABLISHED;
            }
        } else if (p == PfRules.UDP) {
            if (mine[st] < UDPS_SINGLE) {
                mine[st] = UDPS_SINGLE;
            }
            if (theirs[st] == UDPS_SINGLE) {
                theirs[st] = UDPS_MULTIPLE;
            }
            byte a = t.srcState[st];
            byte b = t.dstState[st];
            timeout = a == UDPS_MULTIPLE && b == UDPS_MULTIPLE ? T_UDP_MULTIPLE
                    : a == UDPS_MULTIPLE || b == UDPS_MULTIPLE ? T_UDP_SINGLE : T_UDP_FIRST;
        } else {
            timeout = T_ICMP_FIRST;
        }
        t.expires[st] = now + timeoutNanos[timeout];
    }

    // ---- ICMP errors (RFC 5508 §5) ---------------------------------------------------------

    private static boolean isIcmpError(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /**
     * An error from outside about a packet the stack sent translated: the
     * quoted packet came from the outside address and port. The outer
     * destination and the inner source go back to the inside host's.
     */
    private int icmpErrorIn(MemorySegment s, long ip, int hl, long icmp, int icmpLen, long now) {
        long inner = icmp + 8;
        int ihl = quotedHeader(s, inner, icmpLen - 8);
        if (ihl < 0) {
            return PASS;
        }
        int ip2 = Be.u8(s, inner + 9);
        long il4 = inner + ihl;
        int isrc = Be.i32(s, inner + 12);
        int idst = Be.i32(s, inner + 16);
        int[] ports = quotedPorts(s, ip2, il4);
        lock.lock();
        try {
            searches++;
            StateTable t = table;
            int st = t.findOutside(ip2, isrc, ports[0], idst, ports[1]);
            if (st < 0) {
                return PASS; // about the host's own traffic, or nothing of ours
            }
            t.expires[st] = Math.max(t.expires[st], now + timeoutNanos[T_ICMP_FIRST]);
            int newAddr = t.inAddr[st];
            int newPort = t.inPort[st];
            translateQuoted(s, icmp, inner, ihl, ip2, il4, icmpLen, true, newAddr, ports[0], newPort);
            setAddress(s, ip, 16, newAddr);
            return PASS;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An error from an inside host about a packet that reached it through a
     * state (an rdr'd request, a NAT reply): the quoted packet went to its
     * inside address and port, which become the outside ones again, as does
     * the error's source.
     */
    private int icmpErrorOut(MemorySegment s, long ip, int hl, long icmp, int icmpLen, long now) {
        long inner = icmp + 8;
        int ihl = quotedHeader(s, inner, icmpLen - 8);
        if (ihl < 0) {
            return PASS;
        }
        int ip2 = Be.u8(s, inner + 9);
        long il4 = inner + ihl;
        int isrc = Be.i32(s, inner + 12);
        int idst = Be.i32(s, inner + 16);
        int[] ports = quotedPorts(s, ip2, il4);
        lock.lock();
        try {
            searches++;
            StateTable t = table;
            int st = t.findInside(ip2, idst, ports[1], isrc, ports[0]);
            if (st < 0) {
                return PASS;
            }
            int newAddr = t.outAddr[st];
            int newPort = t.outPort[st];
            translateQuoted(s, icmp, inner, ihl, ip2, il4, icmpLen, false, newAddr, ports[1], newPort);
            setAddress(s, ip, 12, newAddr);
            return PASS;
        } finally {
            lock.unlock();
        }
    }

    /** The quoted IPv4 header's length if the error holds it and 8 bytes behind it, else -1. */
    private static int quotedHeader(MemorySegment s, long inner, int len) {
        if (len < 20 + 8 || (Be.u8(s, inner) >>> 4) != 4) {
            return -1;
        }
        int ihl = (Be.u8(s, inner) & 0x0F) * 4;
        return ihl >= 20 && len >= ihl + 8 ? ihl : -1;
    }

    private static final ThreadLocal<int[]> PORTS = ThreadLocal.withInitial(() -> new int[2]);

    /** The quoted packet's source and destination ports (ICMP: the identifier as its source port). */
    private static int[] quotedPorts(MemorySegment s, int p, long il4) {
        int[] ports = PORTS.get();
        if (p == PfRules.TCP || p == PfRules.UDP) {
            ports[0] = Be.u16(s, il4);
            ports[1] = Be.u16(s, il4 + 2);
        } else if (p == PfRules.ICMP) {
            ports[0] = Be.u16(s, il4 + 4);
            ports[1] = 0;
        } else {
            ports[0] = 0;
            ports[1] = 0;
        }
        return ports;
    }

    /**
     * Rewrites the quoted packet's source ({@code source}) or destination
     * address and port, keeping the quoted IP and transport checksums and the
     * ICMP checksum, which covers them all, right.
     */
    private static void translateQuoted(MemorySegment s, long icmp, long inner, int ihl, int p, long il4, int icmpLen,
            boolean source, int newAddr, int oldPort, int newPort) {
        long addrAt = inner + (source ? 12 : 16);
        int oldAddr = Be.i32(s, addrAt);
        int icmpSum = Be.u16(s, icmp + 2);
        int oldIpSum = Be.u16(s, inner + 10);
        int newIpSum = ChecksumUpdate.int32(oldIpSum, oldAddr, newAddr);
        Be.i32(s, addrAt, newAddr);
        Be.u16(s, inner + 10, newIpSum);
        icmpSum = ChecksumUpdate.int32(icmpSum, oldAddr, newAddr);
        icmpSum = ChecksumUpdate.word(icmpSum, oldIpSum, newIpSum);
        int quotedL4 = icmpLen - 8 - ihl;
        if (p == PfRules.TCP || p == PfRules.UDP) {
            long portAt = il4 + (source ? 0 : 2);
            Be.u16(s, portAt, newPort);
            icmpSum = ChecksumUpdate.word(icmpSum, oldPort, newPort);
            int sumAt = p == PfRules.UDP ? 6 : 16;
            if (quotedL4 >= sumAt + 2) {
                int old = Be.u16(s, il4 + sumAt);
                int upd = ChecksumUpdate.word(ChecksumUpdate.int32(old, oldAddr, newAddr), oldPort, newPort);
                if (p == PfRules.UDP) {
                    upd = ChecksumUpdate.udp(old, upd);
                }
                Be.u16(s, il4 + sumAt, upd);
                icmpSum = ChecksumUpdate.word(icmpSum, old, upd);
            }
        } else if (p == PfRules.ICMP && source) {
            Be.u16(s, il4 + 4, newPort);
            icmpSum = ChecksumUpdate.word(icmpSum, oldPort, newPort);
            int old = Be.u16(s, il4 + 2);
            int upd = ChecksumUpdate.word(old, oldPort, newPort);
            Be.u16(s, il4 + 2, upd);
            icmpSum = ChecksumUpdate.word(icmpSum, old, upd);
        }
        Be.u16(s, icmp + 2, icmpSum);
    }

    // ---- rewriting -------------------------------------------------------------------------

    private static void rewriteSource(MemorySegment s, long ip, long l4, int l4len, int p, int addr, int port) {
        int old = Be.i32(s, ip + 12);
        setAddress(s, ip, 12, addr);
        transport(s, l4, l4len, p, old, addr, 0, port);
    }

    private static void rewriteDestination(MemorySegment s, long ip, long l4, int l4len, int p, int addr, int port) {
        int old = Be.i32(s, ip + 16);
        setAddress(s, ip, 16, addr);
        transport(s, l4, l4len, p, old, addr, 2, port);
    }

    /** An address in the IPv4 header at {@code at}, the header checksum updated. */
    private static void setAddress(MemorySegment s, long ip, int at, int addr) {
        int old = Be.i32(s, ip + at);
        Be.i32(s, ip + at, addr);
        Be.u16(s, ip + 10, ChecksumUpdate.int32(Be.u16(s, ip + 10), old, addr));
    }

    /**
     * The transport header after an address change: TCP and UDP's port at
     * {@code portAt} and their checksum, which covers the address through the
     * pseudo-header; ICMP echo's identifier and checksum.
     */
    private static void transport(MemorySegment s, long l4, int l4len, int p, int oldAddr, int newAddr, int portAt,
            int port) {
        switch (p) {
            case PfRules.TCP -> {
                int oldPort = Be.u16(s, l4 + portAt);
                Be.u16(s, l4 + portAt, port);
                int sum = ChecksumUpdate.int32(Be.u16(s, l4 + 16), oldAddr, newAddr);
                Be.u16(s, l4 + 16, ChecksumUpdate.word(sum, oldPort, port));
            }
            case PfRules.UDP -> {
                int oldPort = Be.u16(s, l4 + portAt);
                Be.u16(s, l4 + portAt, port);
                int old = Be.u16(s, l4 + 6);
                int sum = ChecksumUpdate.word(ChecksumUpdate.int32(old, oldAddr, newAddr), oldPort, port);
                Be.u16(s, l4 + 6, ChecksumUpdate.udp(old, sum));
            }
            case PfRules.ICMP -> {
                int oldId = Be.u16(s, l4 + 4);
                Be.u16(s, l4 + 4, port);
                Be.u16(s, l4 + 2, ChecksumUpdate.word(Be.u16(s, l4 + 2), oldId, port));
            }
            default -> { }
        }
    }

    // ---- housekeeping ------------------------------------------------------------------------

    /** Removes states past their time (the purge every {@code interval}); returns how many. */
    public int expire(long now) {
        lock.lock();
        try {
            int n = table.expire(now);
            removals += n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    public int flush() {
        lock.lock();
        try {
            int n = table.clear();
            removals += n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** One state as {@code pfctl -s state} shows it. */
    public record StateView(String rule, String ifName, int proto, int inside, int insidePort, int outside,
            int outsidePort, int peer, int peerPort, String state, long ageNanos, long expiresInNanos, long packets,
            long bytes) {
    }

    public List<StateView> states(long now) {
        lock.lock();
        try {
            StateTable t = table;
            java.util.ArrayList<StateView> out = new java.util.ArrayList<>();
            for (int s = 0; s < t.capacity(); s++) {
                if (t.used(s)) {
                    out.add(new StateView(t.kind[s] == StateTable.NAT ? "nat" : "rdr", t.ifName[s], t.proto[s],
                            t.inAddr[s], t.inPort[s], t.outAddr[s], t.outPort[s], t.peerAddr[s], t.peerPort[s],
                            stateName(t.proto[s], t.srcState[s]) + ":" + stateName(t.proto[s], t.dstState[s]),
                            now - t.created[s], t.expires[s] - now, t.packets[s], t.bytes[s]));
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    static String stateName(int p, byte v) {
        if (p == PfRules.UDP) {
            return v == UDPS_MULTIPLE ? "MULTIPLE" : v == UDPS_SINGLE ? "SINGLE" : "NO_TRAFFIC";
        }
        if (p != PfRules.TCP) {
            return Integer.toString(v);
        }
        return switch (v) {
            case TCPS_CLOSED -> "CLOSED";
            case TCPS_SYN_SENT -> "SYN_SENT";
            case TCPS_ESTABLISHED -> "ESTABLISHED";
            case TCPS_CLOSING -> "CLOSING";
            case TCPS_FIN_WAIT_2 -> "FIN_WAIT_2";
            case TCPS_TIME_WAIT -> "TIME_WAIT";
            default -> Integer.toString(v);
        };
    }

    public int stateCount() {
        lock.lock();
        try {
            return table.count();
        } finally {
            lock.unlock();
        }
    }

    public int stateLimit() {
        return rules.stateLimit();
    }

    /** pfctl -s info's counters: the state table's, then each reason a packet was dropped. */
    public Map<String, Long> counters() {
        lock.lock();
        try {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("current entries", (long) table.count());
            m.put("searches", searches);
            m.put("inserts", inserts);
            m.put("removals", removals);
            m.put("short (truncated header)", drops[DROP_SHORT]);
            m.put("state-limit (table full)", drops[DROP_STATE_LIMIT]);
            m.put("no free port", drops[DROP_NO_PORT]);
            m.put("state-mismatch (TCP without a SYN's state)", drops[DROP_STATE_MISMATCH]);
            m.put("no address on the nat interface", drops[DROP_NO_ADDRESS]);
            return m;
        } finally {
            lock.unlock();
        }
    }
}
