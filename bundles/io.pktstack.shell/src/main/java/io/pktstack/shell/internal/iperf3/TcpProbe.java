package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpConnectionInfo;
import io.pktstack.api.tcp.TcpStack;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the stack knows of a stream's connection, the facts iperf3 reads with
 * TCP_INFO on Linux (tcp_info.c): retransmissions, congestion window, send
 * window, smoothed RTT. One {@link TcpStack#connections()} call per sample.
 */
final class TcpProbe {

    /**
     * @param retransmits segments retransmitted since the connection began, or -1 if the stack does not say
     * @param rttMicros smoothed RTT in microseconds, or -1 before a sample
     */
    record Facts(long retransmits, long cwnd, long sndWnd, long rttMicros, long mss, String congestion) {
        boolean hasRetransmits() {
            return retransmits >= 0;
        }
    }

    private record Key(InetSocketAddress local, InetSocketAddress remote) {
    }

    private final TcpStack tcp;

    TcpProbe(TcpStack tcp) {
        this.tcp = tcp;
    }

    /** The facts of every connection now, for {@link #of}. */
    Map<Object, Facts> snapshot() {
        List<TcpConnectionInfo> rows = tcp.connections();
        Map<Object, Facts> out = new HashMap<>();
        for (TcpConnectionInfo r : rows) {
            if (r.remote() != null) {
                Map<String, Object> d = r.details();
                out.put(new Key(r.local(), r.remote()), new Facts(number(d, "retransmits"), number(d, "cwnd"),
                        number(d, "snd_wnd"), number(d, "srtt_us"), number(d, "mss"),
                        d.get("cc") == null ? null : d.get("cc").toString()));
            }
        }
        return out;
    }

    /** The facts of the connection from {@code local} to {@code remote} in a snapshot, or null if it is gone. */
    static Facts of(Map<Object, Facts> snapshot, InetSocketAddress local, InetSocketAddress remote) {
        return snapshot.get(new Key(local, remote));
    }

    /** The facts of one connection now. */
    Facts now(InetSocketAddress local, InetSocketAddress remote) {
        return of(snapshot(), local, remote);
    }

    private static long number(Map<String, Object> d, String key) {
        return d.get(key) instanceof Number n ? n.longValue() : -1;
    }
}
