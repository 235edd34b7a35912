package io.pktstack.shell.internal;

import io.pktstack.api.router.PfState;
import java.util.List;

/**
 * {@code pfctl -s state}, as pf prints it: interface, protocol, the
 * translated side with the original in parentheses, the peer, and the
 * state of both ends; then age, expiry and traffic as {@code -v} adds.
 */
record PfStatesReport(List<PfState> states) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (PfState s : states) {
            String outside = s.outside().getHostAddress() + ":" + s.outsidePort();
            String inside = s.inside().getHostAddress() + ":" + s.insidePort();
            String peer = s.peer().getHostAddress() + ":" + s.peerPort();
            String flow = s.rule().equals("nat") ? outside + " (" + inside + ") -> " + peer
                    : inside + " (" + outside + ") <- " + peer;
            sb.append(String.format("%s %s %s       %s%n", s.ifName(), s.protocol(), flow, s.state()));
            sb.append(String.format("   age %s, expires in %s, %d:%d pkts:bytes, rule %s%n", hms(s.ageSeconds()),
                    hms(s.expiresInSeconds()), s.packets(), s.bytes(), s.rule()));
        }
        return sb.toString();
    }

    static String hms(long s) {
        return String.format("%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
