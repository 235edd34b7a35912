package io.pktstack.api.shell;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs one shell command line (Gogo syntax, the operator's commands) as the
 * console would, capturing what it printed and returned. Registered once the
 * operator's commands are.
 */
@ProviderType
public interface CommandLines {

    /** Runs {@code line} in a fresh session; never throws for a failing command. */
    Outcome run(String line);

    /**
     * Runs one command given as its argument vector, in a fresh session:
     * {@code argv.get(0)} names the command and every other element reaches it
     * exactly as given (no quoting, variables, {@code ;} or pipes are
     * interpreted), as a program's arguments reach it from a Unix shell. Never
     * throws: an empty vector, or a first element that is not a command name,
     * fails with status 1.
     *
     * @since 1.1
     */
    Outcome run(java.util.List<String> argv);

    /**
     * What one line did.
     *
     * @param status 0 when the command succeeded, 1 when it failed (a ping with no reply fails)
     * @param out what it printed, then its result as the shell formats it
     * @param err its error message, if it failed
     */
    record Outcome(int status, String out, String err) {
        public boolean ok() {
            return status == 0;
        }
    }
}
