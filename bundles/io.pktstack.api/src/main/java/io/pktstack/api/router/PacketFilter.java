package io.pktstack.api.router;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Address translation and port forwarding in pf's syntax, as io-pkt uses
 * pf: {@code nat on IF from PREFIX to any -> (IF)} and
 * {@code rdr on IF proto tcp|udp from any to (IF) port N -> ADDR port M},
 * with a state table of the translated flows.
 */
@ProviderType
public interface PacketFilter {

    /**
     * Replaces the rule set with {@code text} ({@code pfctl -f FILE}),
     * whole or not at all: a bad line is refused with an
     * {@link IllegalArgumentException} naming {@code source}, its line number
     * and the token, and the rules in force stay as they were. States of the
     * old rules are kept.
     *
     * @return the rules now in force, as {@link #rules()}
     */
    List<String> load(String text, String source);

    /**
     * Reads {@code text} as {@link #load} would and returns its rules, but
     * puts nothing in force ({@code pfctl -n -f FILE}).
     */
    List<String> check(String text, String source);

    /** {@code pfctl -e} / {@code pfctl -d}. */
    void enable(boolean on);

    /** The rules in force, one line each in pf's own form ({@code pfctl -s rules}, {@code -s nat}). */
    List<String> rules();

    /** The state table ({@code pfctl -s state}). */
    List<PfState> states();

    /** Removes every state ({@code pfctl -F states}); returns how many there were. */
    int flushStates();

    /** Enabled or not, counters, limits and timeouts ({@code pfctl -s info}, {@code -s timeouts}, {@code -s memory}). */
    PfStatus status();
}
