package io.pktstack.shell.internal;

/**
 * What a command returns: data that scripts can use (the record's fields) and
 * that {@link ReportConverter} renders as the BSD tool would print it.
 */
interface Report {
    /** The text the BSD tool would print, lines ending in newline. */
    String render();
}
