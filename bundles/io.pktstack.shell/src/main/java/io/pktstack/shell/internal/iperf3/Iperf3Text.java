package io.pktstack.shell.internal.iperf3;

import io.pktstack.shell.internal.AddressText;
import java.util.List;
import java.util.Locale;

/**
 * A test in iperf3 3.12's human layout (iperf_locale.c formats, iperf_api.c
 * print_interval_results, iperf_print_intermediate, iperf_print_results): the
 * connection lines, an interval line per stream (and a [SUM] line with
 * several), then the sender and receiver summary. The server prints, as
 * iperf3's does, only its own half of the summary: it prints before the
 * results exchange.
 */
final class Iperf3Text {

    static final String SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -\n";
    private static final String HEADER = "[ ID] Interval           Transfer     Bitrate\n";
    private static final String HEADER_RETR = "[ ID] Interval           Transfer     Bitrate         Retr\n";
    private static final String HEADER_RETR_CWND = "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n";
    private static final String BW = "[%3d] %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n";
    private static final String BW_RETR = "[%3d] %6.2f-%-6.2f sec  %ss  %ss/sec  %3d             %s\n";
    private static final String BW_RETR_CWND = "[%3d] %6.2f-%-6.2f sec  %ss  %ss/sec  %3d   %ss       %s\n";
    private static final String SUM_BW = "[SUM] %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n";
    private static final String SUM_BW_RETR = "[SUM] %6.2f-%-6.2f sec  %ss  %ss/sec  %3d             %s\n";

    private Iperf3Text() {
    }

    static String render(Iperf3Results r) {
        StringBuilder out = new StringBuilder();
        Iperf3Results.Setup setup = r.setup();
        if (setup.client()) {
            out.append(f("Connecting to host %s, port %d\n", setup.host(), setup.port()));
            if (setup.params().reverse()) {
                out.append(f("Reverse mode, remote host %s is sending\n", setup.host()));
            }
        } else {
            out.append("-----------------------------------------------------------\n");
            out.append(f("Server listening on %d (test #%d)\n", setup.port(), setup.testNumber()));
            out.append("-----------------------------------------------------------\n");
            out.append(f("Accepted connection from %s, port %d\n", AddressText.format(setup.controlPeer().getAddress()),
                    setup.controlPeer().getPort()));
        }
        for (Iperf3Results.Connected c : setup.connected()) {
            out.append(f("[%3d] local %s port %d connected to %s port %d\n", c.id(),
                    AddressText.format(c.local().getAddress()), c.local().getPort(),
                    AddressText.format(c.remote().getAddress()), c.remote().getPort()));
        }
        intervals(r, out);
        summary(r, out);
        if (setup.client()) {
            out.append("\niperf Done.\n");
        }
        return out.toString();
    }

    private static void intervals(Iperf3Results r, StringBuilder out) {
        boolean retr = r.ending().localHasRetransmits();
        boolean several = r.setup().params().parallel() > 1;
        List<Interval> list = r.intervals();
        for (int k = 0; k < list.size(); k++) {
            Interval in = list.get(k);
            if (k == 0) {
                out.append(retr ? HEADER_RETR_CWND : HEADER);
            } else if (several) {
                out.append(SEPARATOR);
            }
            double seconds = in.seconds();
            for (Interval.Stream s : in.streams()) {
                String bytes = Units.bytes(s.bytes());
                String rate = Units.bits(seconds > 0 ? s.bytes() / seconds : 0);
                if (retr && s.sender() && s.tcp()) {
                    out.append(f(BW_RETR_CWND, s.id(), in.start(), in.end(), bytes, rate, s.retransmits(),
                            Units.bytes(Math.max(0, s.cwnd())), ""));
                } else {
                    out.append(f(BW, s.id(), in.start(), in.end(), bytes, rate, ""));
                }
            }
            if (several) {
                String bytes = Units.bytes(in.bytes());
                String rate = Units.bits(seconds > 0 ? in.bytes() / seconds : 0);
                if (retr && r.localSends()) {
                    out.append(f(SUM_BW_RETR, in.start(), in.end(), bytes, rate, in.retransmits(), ""));
                } else {
                    out.append(f(SUM_BW, in.start(), in.end(), bytes, rate, ""));
                }
            }
        }
    }

    private static void summary(Iperf3Results r, StringBuilder out) {
        boolean client = r.setup().client();
        boolean sends = r.localSends();
        // The server prints before the exchange: it knows only its own side's retransmissions.
        boolean retr = sends ? r.ending().localHasRetransmits()
                : client && r.ending().peerSenderHasRetransmits() == 1;
        boolean showSender = client || sends;
        boolean showReceiver = client || !sends;
        double senderTime = r.senderSeconds();
        double receiverTime = r.receiverSeconds();
        out.append(SEPARATOR);
        out.append(retr ? HEADER_RETR : HEADER);
        long totalSent = 0;
        long totalReceived = 0;
        long totalRetr = 0;
        for (StreamSummary s : r.summaries()) {
            long sent = sends ? s.bytes() : s.peerBytes();
            long received = sends ? s.peerBytes() : s.bytes();
            long retransmits = Math.max(0, sends ? s.retransmits() : s.peerRetransmits());
            totalSent += sent;
            totalReceived += received;
            totalRetr += retransmits;
            if (showSender) {
                line(out, s.id(), retr, senderTime, sent, retransmits, "sender");
            }
            if (showReceiver) {
                line(out, s.id(), false, receiverTime, received, 0, "receiver");
            }
        }
        if (r.setup().params().parallel() > 1) {
            if (showSender) {
                sumLine(out, retr, senderTime, totalSent, totalRetr, "sender");
            }
            if (showReceiver) {
                sumLine(out, false, receiverTime, totalReceived, 0, "receiver");
            }
        }
    }

    private static void line(StringBuilder out, int id, boolean retr, double time, long bytes, long retransmits,
            String role) {
        String b = Units.bytes(bytes);
        String rate = Units.bits(time > 0 ? bytes / time : 0);
        out.append(retr ? f(BW_RETR, id, 0.0, time, b, rate, retransmits, role) : f(BW, id, 0.0, time, b, rate, role));
    }

    private static void sumLine(StringBuilder out, boolean retr, double time, long bytes, long retransmits,
            String role) {
        String b = Units.bytes(bytes);
        String rate = Units.bits(time > 0 ? bytes / time : 0);
        out.append(retr ? f(SUM_BW_RETR, 0.0, time, b, rate, retransmits, role) : f(SUM_BW, 0.0, time, b, rate, role));
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
