package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.router.PacketFilter;
import io.pktstack.api.router.PfState;
import io.pktstack.api.router.PfStatus;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.core.internal.pf.PfEngine;
import io.pktstack.core.internal.pf.PfParser;
import io.pktstack.core.internal.pf.PfRules;
import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.core.internal.wire.Be;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code pfctl}: the rules and the {@link PfEngine} that applies them, hooked
 * into IPv4 where pf sits in BSD: on input before the stack decides whether
 * a packet is its own or to be forwarded (replies to translated flows, rdr),
 * and on output of forwarded packets (nat). With pf enabled, fragments are
 * reassembled first (pf's {@code set reassemble yes}, its default) so every
 * packet has its ports; a forwarded datagram larger than the next hop's MTU
 * then leaves in fragments again. The stack's own traffic is not translated.
 */
final class PacketFilterService implements PacketFilter, PfEngine.Interfaces {

    volatile boolean enabled;
    private final PfEngine engine = new PfEngine(this);
    private final Supplier<ForwardingTable> tables;
    private final StackTimer timer;
    /** Removes expired states every {@code set timeout interval} while pf is enabled. */
    private final StackTimer.Task purge = new StackTimer.Task() {
        @Override
        protected void run(long now) {
            engine.expire(now);
            if (enabled) {
                timer.schedule(this, engine.intervalNanos());
            }
        }
    };

    PacketFilterService(Supplier<ForwardingTable> tables, StackTimer timer) {
        this.tables = tables;
        this.timer = timer;
    }

    // ---- hooks --------------------------------------------------------------------------

    /** An IPv4 packet (validated, wrapped by the input) arrived on {@code l3}: false if pf dropped it (counted). */
    boolean inbound(NetInterface l3, Frame f, PathContext ctx) {
        ChecksumOffload.complete(f); // pf updates checksums incrementally: they must be whole
        long ip = f.offset() + EthernetFrame.HEADER_LEN;
        int verdict = engine.inbound(f.segment(), ip, Be.u16(f.segment(), ip + 2), l3.name, ctx.now);
        if (verdict != PfEngine.PASS) {
            l3.drop(DropReason.PF, 1);
            return false;
        }
        return true;
    }

    /** A forwarded IPv4 packet leaves by {@code out}: false if pf dropped it (counted on {@code in}). */
    boolean outbound(NetInterface in, NetInterface out, Frame f, PathContext ctx) {
        ChecksumOffload.complete(f); // pf updates checksums incrementally: they must be whole
        long ip = f.offset() + EthernetFrame.HEADER_LEN;
        int verdict = engine.outbound(f.segment(), ip, Be.u16(f.segment(), ip + 2), out.name, ctx.now);
        if (verdict != PfEngine.PASS) {
            in.drop(DropReason.PF, 1);
            return false;
        }
        return true;
    }

    @Override
    public int address(String ifName) {
        NetInterface n = tables.get().byName(ifName);
        if (n == null) {
            return 0;
        }
        for (NetInterface m : n.segment()) {
            int[] a = m.ipv4;
            if (a.length > 0) {
                return a[0];
            }
        }
        return 0;
    }

    @Override
    public boolean holds(String ifName, int addr) {
        NetInterface n = tables.get().byName(ifName);
        return n != null && Segments.ownerV4(n, addr) != null;
    }

    // ---- pfctl --------------------------------------------------------------------------

    @Override
    public synchronized List<String> load(String text, String source) {
        engine.load(parse(text, source));
        if (enabled) {
            timer.schedule(purge, engine.intervalNanos());
        }
        return rules();
    }

    @Override
    public List<String> check(String text, String source) {
        return PfParser.describe(parse(text, source));
    }

    private PfRules parse(String text, String source) {
        try {
            return new PfParser(name -> tables.get().byName(name) != null).parse(text);
        } catch (PfParser.SyntaxException e) {
            throw new IllegalArgumentException("pfctl: " + source + ":" + e.getMessage() + "; rules unchanged");
        }
    }

    @Override
    public synchronized void enable(boolean on) {
        if (on == enabled) {
            throw new IllegalArgumentException("pfctl: pf " + (on ? "already enabled" : "not enabled"));
        }
        enabled = on;
        if (on) {
            timer.schedule(purge, engine.intervalNanos());
        } else {
            timer.cancel(purge);
        }
    }

    @Override
    public List<String> rules() {
        return PfParser.describe(engine.rules());
    }

    @Override
    public List<PfState> states() {
        List<PfState> out = new ArrayList<>();
        for (PfEngine.StateView v : engine.states(timer.now())) {
            out.add(new PfState(v.rule(), v.ifName(), protocolName(v.proto()), IpAddresses.fromV4(v.inside()),
                    v.insidePort(), IpAddresses.fromV4(v.outside()), v.outsidePort(), IpAddresses.fromV4(v.peer()),
                    v.peerPort(), v.state(), TimeUnit.NANOSECONDS.toSeconds(v.ageNanos()),
                    Math.max(0, TimeUnit.NANOSECONDS.toSeconds(v.expiresInNanos())), v.packets(), v.bytes()));
        }
        return out;
    }

    private static String protocolName(int p) {
        return switch (p) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> "proto-" + (p & 0xFF);
        };
    }

    @Override
    public int flushStates() {
        return engine.flush();
    }

    @Override
    public PfStatus status() {
        Map<String, Long> timeouts = new LinkedHashMap<>();
        engine.rules().timeouts().forEach((k, v) -> timeouts.put(k, (long) v));
        return new PfStatus(enabled, engine.stateCount(), engine.stateLimit(), engine.counters(), timeouts);
    }

    void close() {
        timer.cancel(purge);
    }
}
