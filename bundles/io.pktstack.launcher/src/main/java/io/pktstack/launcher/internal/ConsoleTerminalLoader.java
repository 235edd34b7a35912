package io.pktstack.launcher.internal;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Lets the Gogo console find a real terminal. Its bundle builds the terminal
 * while it starts, on bnd's launcher thread, whose context class loader is the
 * application's; jline looks for its terminal providers through the context
 * class loader first, finds none on the application class path, and falls
 * back to a dumb terminal with a warning: no line editing, history or
 * completion. Without a context class loader it uses its own bundle's, which
 * has them. So while the console bundle starts (a synchronous listener runs on
 * the starting thread) the thread has none, and gets its own back after.
 *
 * <p>This bundle must start before the console's (it comes before them in
 * pktstack.bndrun; startup commands see the console's commands, as the
 * launcher component waits for bnd's launcher service, registered once every
 * bundle has started). A start without a terminal on stdin, told so by
 * {@code org.jline.terminal.dumb}, is left alone: looking for providers
 * there only costs start-up time. The console's shell thread, started
 * meanwhile, keeps no context class loader for its life: code it runs that
 * loads classes through one gets the JDK's.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class ConsoleTerminalLoader implements BundleActivator, SynchronousBundleListener {

    static final String CONSOLE_BUNDLE = "org.apache.felix.gogo.jline";

    private Thread thread;
    private ClassLoader saved;

    private static final System.Logger LOG = System.getLogger(ConsoleTerminalLoader.class.getName());

    @Override
    public void start(BundleContext context) {
        if (Boolean.getBoolean("org.jline.terminal.dumb")) {
            return; // no terminal on stdin (bin/pktstack): the dumb terminal is the right one, found at once
        }
        context.addBundleListener(this);
        for (Bundle b : context.getBundles()) {
            if (CONSOLE_BUNDLE.equals(b.getSymbolicName()) && (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                LOG.log(System.Logger.Level.WARNING, CONSOLE_BUNDLE + " started before " + context.getBundle()
                        .getSymbolicName() + ": its console may be a dumb terminal (see pktstack.bndrun's order)");
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
        context.removeBundleListener(this);
    }

    @Override
    public synchronized void bundleChanged(BundleEvent event) {
        if (!CONSOLE_BUNDLE.equals(event.getBundle().getSymbolicName())) {
            return;
        }
        switch (event.getType()) {
            case BundleEvent.STARTING -> {
                thread = Thread.currentThread();
                saved = thread.getContextClassLoader();
                thread.setContextClassLoader(null);
            }
            // Started, or its activator failed (Felix then reports STOPPING and STOPPED on the same thread).
            case BundleEvent.STARTED, BundleEvent.STOPPING, BundleEvent.STOPPED -> {
                if (thread == Thread.currentThread()) {
                    thread.setContextClassLoader(saved);
                    thread = null;
                    saved = null;
                }
            }
            default -> {
            }
        }
    }
}
