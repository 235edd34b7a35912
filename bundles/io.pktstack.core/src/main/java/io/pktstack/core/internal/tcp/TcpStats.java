package io.pktstack.core.internal.tcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * TCP's counters for {@code netstat -s -p tcp}, BSD's wording: every segment
 * dropped or refused is counted under its reason. One {@link LongAdder} each,
 * made at start, so counting allocates nothing.
 */
public final class TcpStats {

    public enum Stat {
        SEGS_RECEIVED("packets received"),
        SEGS_SENT("packets sent"),
        DATA_SEGS_SENT("data packets sent"),
        DATA_BYTES_SENT("data bytes sent"),
        REXMT_SEGS("data packets retransmitted"),
        REXMT_BYTES("data bytes retransmitted"),
        ACKS_SENT("ack-only packets sent"),
        DELAYED_ACKS("ack-only packets delayed"),
        WINDOW_UPDATES("window update packets sent"),
        WINDOW_PROBES("window probes sent"),
        KEEPALIVE_PROBES("keepalive probes sent"),
        RST_SENT("control packets sent with RST"),
        DATA_SEGS_IN_ORDER("packets received in sequence"),
        DATA_BYTES_IN_ORDER("bytes received in sequence"),
        DUP_SEGS("completely duplicate packets"),
        PARTIAL_DUP_SEGS("packets with some duplicate data"),
        OUT_OF_ORDER_SEGS("out-of-order packets queued"),
        OUT_OF_ORDER_DROPPED("out-of-order packets dropped (too fragmented)"),
        AFTER_WINDOW("packets with data after window (trimmed or dropped)"),
        WINDOW_PROBES_IN("window probes received"),
        DUP_ACKS("duplicate acks"),
        ACKS_RECEIVED("acks for sent data"),
        ACK_FOR_UNSENT("acks for unsent data (challenge ACK sent)"),
        BAD_CHECKSUM("discarded for bad checksum"),
        BAD_HEADER("discarded for bad header offset or size"),
        BAD_OPTIONS("discarded for malformed options"),
        SYN_FIN("discarded SYN+FIN"),
        OUT_OF_WINDOW("discarded out of window (ACK sent)"),
        PAWS_DROPPED("discarded by PAWS (old timestamp)"),
        NO_SOCKET("discarded: no socket (RST sent)"),
        RST_RECEIVED("resets received"),
        RST_IGNORED("resets out of window ignored"),
        CHALLENGE_ACKS("challenge ACKs sent (RFC 5961)"),
        CHALLENGE_ACKS_LIMITED("challenge ACKs suppressed by the rate limit"),
        SYN_IN_SYNCHRONIZED("SYNs in synchronized state (challenge ACK)"),
        CONN_ATTEMPTS("connection requests"),
        CONN_ACCEPTS("connection accepts"),
        CONN_ESTABLISHED("connections established"),
        CONN_CLOSED("connections closed"),
        CONN_DROPPED("connections dropped (reset or timed out)"),
        CONN_REFUSED("connections refused (RST to SYN)"),
        EMBRYONIC_DROPPED("embryonic connections dropped"),
        REXMT_TIMEOUTS("retransmit timeouts"),
        REXMT_DROPS("connections dropped by retransmit timeout"),
        KEEPALIVE_DROPS("connections dropped by keepalive"),
        PERSIST_TIMEOUTS("persist timeouts"),
        FAST_RETRANSMITS("fast retransmits"),
        SACK_RECOVERIES("SACK recovery episodes"),
        SACK_REXMT_SEGS("segment rexmits in SACK recovery episodes"),
        LOST_RETRANSMITS("retransmissions found lost again (SACK beyond them)"),
        TLP_PROBES("tail loss probes sent (RFC 8985)"),
        NEWRENO_RECOVERIES("NewReno recovery episodes"),
        RTT_UPDATES("segments updated rtt"),
        LISTEN_QUEUE_OVERFLOW("listen queue overflows (final ACK dropped)"),
        SYN_QUEUE_OVERFLOW("SYN queue overflows"),
        COOKIES_SENT("SYN cookies sent"),
        COOKIES_ACCEPTED("SYN cookies accepted"),
        COOKIES_FAILED("SYN cookies rejected (bad or stale)"),
        NO_BUFFER("segments not sent: no frame buffer"),
        NO_ROUTE("segments not sent: no route"),
        TIME_WAIT_RECYCLED("TIME_WAIT connections recycled by a new SYN");

        final String text;

        Stat(String text) {
            this.text = text;
        }
    }

    private final LongAdder[] counts = new LongAdder[Stat.values().length];

    public TcpStats() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void count(Stat s) {
        counts[s.ordinal()].increment();
    }

    void add(Stat s, long n) {
        counts[s.ordinal()].add(n);
    }

    public long get(Stat s) {
        return counts[s.ordinal()].sum();
    }

    /** Every counter, zeros included, in display order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Stat s : Stat.values()) {
            m.put(s.text, get(s));
        }
        return m;
    }
}
