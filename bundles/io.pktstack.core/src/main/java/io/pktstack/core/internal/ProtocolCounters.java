package io.pktstack.core.internal;

import io.pktstack.api.stack.ProtocolStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The stack's per-protocol counters, as {@code netstat -s} prints them. One
 * {@link LongAdder} per counter, made at start: counting allocates nothing
 * per packet and receive threads do not contend.
 */
final class ProtocolCounters {

    /** What is counted, grouped by protocol in display order, with BSD netstat's wording. */
    enum Stat {
        IP_RECEIVED("ip", "total packets received"),
        IP_BAD_SUM("ip", "bad header checksums"),
        IP_MALFORMED("ip", "with bad header or size"),
        IP_FRAGMENTS("ip", "fragments dropped (no reassembly)"),
        IP_NOT_OURS("ip", "packets not for this host (not forwarded)"),
        IP_NO_PROTO("ip", "packets for unknown/unsupported protocol"),
        IP_DELIVERED("ip", "packets for this host"),
        IP_SENT("ip", "packets sent from this host"),
        IP_NO_ROUTE("ip", "output packets discarded due to no route"),
        ICMP_RECEIVED("icmp", "messages received"),
        ICMP_BAD_SUM("icmp", "bad checksums"),
        ICMP_SHORT("icmp", "messages with bad length"),
        ICMP_ECHO_IN("icmp", "echo requests received"),
        ICMP_ECHO_REPLY_OUT("icmp", "echo replies sent"),
        ICMP_ECHO_OUT("icmp", "echo requests sent"),
        ICMP_ECHO_REPLY_IN("icmp", "echo replies received"),
        ICMP_OTHER("icmp", "other messages received (ignored)"),
        IP6_RECEIVED("ip6", "total packets received"),
        IP6_MALFORMED("ip6", "with bad header or size"),
        IP6_NOT_OURS("ip6", "packets not for this host (not forwarded)"),
        IP6_NO_PROTO("ip6", "packets for unknown/unsupported next header"),
        IP6_DELIVERED("ip6", "packets for this host"),
        IP6_SENT("ip6", "packets sent from this host"),
        IP6_NO_ROUTE("ip6", "output packets discarded due to no route"),
        ICMP6_RECEIVED("icmp6", "messages received"),
        ICMP6_BAD_SUM("icmp6", "bad checksums"),
        ICMP6_SHORT("icmp6", "messages with bad length"),
        ICMP6_ECHO_IN("icmp6", "echo requests received"),
        ICMP6_ECHO_REPLY_OUT("icmp6", "echo replies sent"),
        ICMP6_ECHO_OUT("icmp6", "echo requests sent"),
        ICMP6_ECHO_REPLY_IN("icmp6", "echo replies received"),
        ICMP6_NS_IN("icmp6", "neighbor solicitations received"),
        ICMP6_NS_OUT("icmp6", "neighbor solicitations sent"),
        ICMP6_NA_IN("icmp6", "neighbor advertisements received"),
        ICMP6_NA_OUT("icmp6", "neighbor advertisements sent"),
        ICMP6_BAD_ND("icmp6", "bad neighbor discovery messages"),
        ICMP6_OTHER("icmp6", "other messages received (ignored)"),
        UDP_RECEIVED("udp", "datagrams received"),
        UDP_SHORT("udp", "with incomplete header or bad length"),
        UDP_BAD_SUM("udp", "with bad checksum"),
        UDP_NO_PORT("udp", "dropped due to no socket"),
        UDP_FULL_SOCKET("udp", "dropped due to full socket buffers"),
        UDP_DELIVERED("udp", "delivered"),
        UDP_SENT("udp", "datagrams output"),
        ARP_RECEIVED("arp", "packets received"),
        ARP_REQUEST_IN("arp", "request packets received"),
        ARP_REPLY_IN("arp", "reply packets received"),
        ARP_MALFORMED("arp", "packets with bad format"),
        ARP_REQUEST_OUT("arp", "request packets sent (announcements included)"),
        ARP_REPLY_OUT("arp", "reply packets sent");

        final String protocol;
        final String text;

        Stat(String protocol, String text) {
            this.protocol = protocol;
            this.text = text;
        }
    }

    private final LongAdder[] counts = new LongAdder[Stat.values().length];

    ProtocolCounters() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void count(Stat s) {
        counts[s.ordinal()].increment();
    }

    long get(Stat s) {
        return counts[s.ordinal()].sum();
    }

    /** Every protocol's counters, zeros included, in display order. */
    List<ProtocolStatistics> snapshot() {
        List<ProtocolStatistics> out = new ArrayList<>();
        Map<String, Long> group = new LinkedHashMap<>();
        String protocol = null;
        for (Stat s : Stat.values()) {
            if (!s.protocol.equals(protocol)) {
                if (protocol != null) {
                    out.add(new ProtocolStatistics(protocol, group));
                }
                protocol = s.protocol;
                group = new LinkedHashMap<>();
            }
            group.put(s.text, get(s));
        }
        out.add(new ProtocolStatistics(protocol, group));
        return out;
    }
}
