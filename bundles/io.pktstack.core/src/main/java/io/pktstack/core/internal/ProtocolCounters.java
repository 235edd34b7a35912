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
        IP_NOT_OURS("ip", "packets not for this host (not forwarded)"),
        IP_NO_PROTO("ip", "packets for unknown/unsupported protocol"),
        IP_DELIVERED("ip", "packets for this host"),
        IP_SENT("ip", "packets sent from this host"),
        IP_NO_ROUTE("ip", "output packets discarded due to no route"),
        IP_FORWARDED("ip", "packets forwarded"),
        IP_CANT_FORWARD("ip", "packets not forwardable"),
        IP_FRAGMENTS_IN("ip", "fragments received"),
        IP_FRAGS_DUPLICATE("ip", "fragments dropped (duplicates)"),
        IP_FRAGS_OVERLAP("ip", "datagrams abandoned (overlapping or inconsistent fragments)"),
        IP_FRAGS_MALFORMED("ip", "fragments dropped (bad length or offset)"),
        IP_FRAGS_LIMIT("ip", "reassembly limits reached (maxfragpackets, maxfragsperpacket, maxfrags)"),
        IP_FRAGS_DROPPED("ip", "fragments dropped (abandoned, evicted or out of space)"),
        IP_FRAGS_TIMEOUT("ip", "fragments dropped after timeout"),
        IP_REASS_NO_BUFFER("ip", "datagrams dropped for lack of a reassembly buffer"),
        IP_REASSEMBLED("ip", "packets reassembled ok"),
        IP_FRAGMENTED("ip", "output datagrams fragmented"),
        IP_FRAGMENTS_CREATED("ip", "fragments created"),
        IP_CANT_FRAGMENT("ip", "datagrams that can't be fragmented"),
        ICMP_RECEIVED("icmp", "messages received"),
        ICMP_BAD_SUM("icmp", "bad checksums"),
        ICMP_SHORT("icmp", "messages with bad length"),
        ICMP_ECHO_IN("icmp", "echo requests received"),
        ICMP_ECHO_REPLY_OUT("icmp", "echo replies sent"),
        ICMP_ECHO_OUT("icmp", "echo requests sent"),
        ICMP_ECHO_REPLY_IN("icmp", "echo replies received"),
        ICMP_OTHER("icmp", "other messages received (ignored)"),
        ICMP_ERROR_SENT("icmp", "calls to icmp_error (errors sent)"),
        ICMP_ERROR_ABOUT_ERROR("icmp", "errors not generated in response to an icmp error"),
        ICMP_ERROR_NOT_SENT("icmp", "errors not generated (fragment, broadcast, bad or own source, no route back)"),
        ICMP_ERROR_RATELIMIT("icmp", "errors not generated due to rate limit (errppslimit)"),
        ICMP_UNREACH_OUT("icmp", "destination unreachable sent"),
        ICMP_TIMXCEED_OUT("icmp", "time exceeded sent"),
        ICMP_REDIRECT_OUT("icmp", "redirects sent"),
        IP6_RECEIVED("ip6", "total packets received"),
        IP6_MALFORMED("ip6", "with bad header or size"),
        IP6_NOT_OURS("ip6", "packets not for this host (not forwarded)"),
        IP6_FORWARDED("ip6", "packets forwarded"),
        IP6_CANT_FORWARD("ip6", "packets not forwardable"),
        IP6_TOO_BIG("ip6", "packets too big for the next hop"),
        IP6_FRAGMENTS_IN("ip6", "fragments received"),
        IP6_FRAGS_DUPLICATE("ip6", "fragments dropped (duplicates)"),
        IP6_FRAGS_OVERLAP("ip6", "datagrams abandoned (overlapping or inconsistent fragments)"),
        IP6_FRAGS_MALFORMED("ip6", "fragments dropped (bad length or offset)"),
        IP6_FRAGS_LIMIT("ip6", "reassembly limits reached (maxfragpackets, maxfragsperpacket, maxfrags)"),
        IP6_FRAGS_DROPPED("ip6", "fragments dropped (abandoned, evicted or out of space)"),
        IP6_FRAGS_TIMEOUT("ip6", "fragments dropped after timeout"),
        IP6_REASS_NO_BUFFER("ip6", "datagrams dropped for lack of a reassembly buffer"),
        IP6_REASSEMBLED("ip6", "packets reassembled ok"),
        IP6_FRAGMENTED("ip6", "output datagrams fragmented"),
        IP6_FRAGMENTS_CREATED("ip6", "fragments created"),
        IP6_CANT_FRAGMENT("ip6", "datagrams that can't be fragmented"),
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
        ICMP6_RS_IN("icmp6", "router solicitations received"),
        ICMP6_RA_OUT("icmp6", "router advertisements sent"),
        ICMP6_RA_IN("icmp6", "router advertisements received"),
        ICMP6_PREFIX_LIMIT("icmp6", "advertised prefixes ignored: interface at net.inet6.ip6.maxifprefixes"),
        ICMP6_RS_OUT("icmp6", "router solicitations sent"),
        ICMP6_BAD_ND("icmp6", "bad neighbor discovery messages"),
        ICMP6_ND_TABLE_FULL("icmp6", "neighbors not entered: cache full (net.inet6.icmp6.nd6_maxentries)"),
        ICMP6_OTHER("icmp6", "other messages received (ignored)"),
        ICMP6_ERROR_SENT("icmp6", "calls to icmp6_error (errors sent)"),
        ICMP6_ERROR_ABOUT_ERROR("icmp6", "errors not generated in response to an icmp6 error or redirect"),
        ICMP6_ERROR_NOT_SENT("icmp6", "errors not generated (multicast, bad or own source, no route back)"),
        ICMP6_ERROR_RATELIMIT("icmp6", "errors not generated due to rate limit (errppslimit)"),
        ICMP6_UNREACH_OUT("icmp6", "destination unreachable sent"),
        ICMP6_TOOBIG_OUT("icmp6", "packet too big sent"),
        ICMP6_TIMXCEED_OUT("icmp6", "time exceeded sent"),
        ICMP6_PARAMPROB_OUT("icmp6", "parameter problem sent"),
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
        ARP_REPLY_OUT("arp", "reply packets sent"),
        ARP_TABLE_FULL("arp", "neighbours not entered: table full (net.inet.arp.maxentries)"),
        DHCP_RECEIVED("dhcp", "messages received"),
        DHCP_MALFORMED("dhcp", "malformed messages dropped"),
        DHCP_NOT_SERVED("dhcp", "messages dropped (no server or client on the interface)"),
        DHCP_OFFERS("dhcp", "offers sent"),
        DHCP_ACKS("dhcp", "acks sent"),
        DHCP_NAKS("dhcp", "naks sent"),
        DHCP_UNANSWERED("dhcp", "requests not answered (no free address, another server's, unknown client)"),
        DHCP_CLIENT_SENT("dhcp", "client messages sent"),
        DHCP_CLIENT_ACCEPTED("dhcp", "client replies accepted"),
        DHCP_CLIENT_IGNORED("dhcp", "client replies ignored (another exchange)");

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
