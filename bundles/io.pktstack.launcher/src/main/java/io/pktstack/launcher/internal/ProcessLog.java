package io.pktstack.launcher.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The instance's log: every record (System.Logger and java.util.logging alike)
 * as one line on the process's own standard error, file descriptor 2.
 *
 * <p>Not {@code System.err}: Gogo replaces it with a stream that follows the
 * calling thread, and threads inherit it. A line logged while a {@code ctl}
 * request ran went to that client's standard error, and a line logged later
 * by a thread the request started (a driver's thread made by {@code mount})
 * went to a session that no longer exists. The log must not depend on who
 * asked for the work that logs.
 */
final class ProcessLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final Logger root = Logger.getLogger("");
    private final Handler handler;
    private final Handler[] replaced;

    private ProcessLog(Handler handler, Handler[] replaced) {
        this.handler = handler;
        this.replaced = replaced;
    }

    /** Sends the root logger's records to file descriptor 2 instead of its console handlers. */
    static ProcessLog install() {
        Logger root = Logger.getLogger("");
        Handler h = new StreamHandler(new FileOutputStream(FileDescriptor.err), new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line must be in the log when the event happens, not when a buffer fills
            }
        };
        h.setLevel(java.util.logging.Level.ALL);
        Handler[] consoles = java.util.Arrays.stream(root.getHandlers()).filter(x -> x instanceof ConsoleHandler)
                .toArray(Handler[]::new);
        for (Handler c : consoles) {
            root.removeHandler(c);
        }
        root.addHandler(h);
        return new ProcessLog(h, consoles);
    }

    /** Puts the console handlers back (the framework stops, or a test ends). */
    void uninstall() {
        root.removeHandler(handler);
        for (Handler c : replaced) {
            root.addHandler(c);
        }
        handler.flush();
    }

    /** {@code 16:53:29.123 WARNING [io.pktstack.core] vp0: ...}, then the stack trace of a throwable, if any. */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append(TIME.format(LocalTime.ofInstant(r.getInstant(), ZoneId.systemDefault()))).append(' ')
                    .append(r.getLevel().getName()).append(" [").append(r.getLoggerName()).append("] ")
                    .append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                StringWriter w = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(w));
                sb.append(w);
            }
            return sb.toString();
        }
    }
}
