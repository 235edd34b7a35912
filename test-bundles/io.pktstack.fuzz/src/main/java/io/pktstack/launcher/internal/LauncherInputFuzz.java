package io.pktstack.launcher.internal;

import io.pktstack.fuzz.FuzzInput;
import io.pktstack.fuzz.Words;
import io.pktstack.launcher.ctl.CtlProtocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target {@code launcher-input}: what reaches the launcher from a
 * command line, a startup script and the control socket: the launcher's
 * arguments with io-pkt's after them, script files (comments,
 * continuations, CRs), and control requests as bytes. Bad input is refused
 * with IllegalArgumentException; an argument vector survives the control
 * socket's encoding exactly.
 */
public final class LauncherInputFuzz {

    static final List<String> VOCABULARY = new ArrayList<>(List.of("--root", "--name", "--feature", "--script", "-c",
            "--exit", "--rooot", "--", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0", "host", "qnx7-guest1", "a/b",
            "../x", ".x", "x".repeat(70), "/tmp", "features/host.json", "ifconfig vt0 10.0.0.1/24", "#", "\\", "\r"));

    static {
        VOCABULARY.addAll(Words.NUMBERS);
    }

    private LauncherInputFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        switch (in.u8() % 3) {
            case 0 -> {
                try {
                    LaunchArguments a = LaunchArguments.parse(Words.of(in, VOCABULARY, 12));
                    if (!io.pktstack.launcher.ctl.InstanceNames.valid(a.name())) {
                        throw new AssertionError("accepted instance name '" + a.name() + "'");
                    }
                } catch (IllegalArgumentException e) {
                    if (e.getMessage() == null) {
                        throw new AssertionError("a refusal without a message", e);
                    }
                }
            }
            case 1 -> {
                for (String cmd : ScriptFile.parse(in.utf8(4096))) {
                    if (cmd.isBlank() || cmd.startsWith("#")) {
                        throw new AssertionError("script gave command '" + cmd + "'");
                    }
                }
            }
            default -> {
                byte[] raw = in.bytes(4096);
                try {
                    CtlProtocol.Request r = CtlProtocol.decode(raw);
                    if (r instanceof CtlProtocol.Argv(var args)) {
                        CtlProtocol.Request again = CtlProtocol.decode(CtlProtocol.encode(r));
                        if (!again.equals(r)) {
                            throw new AssertionError(args + " encoded and decoded is " + again);
                        }
                    }
                } catch (IllegalArgumentException e) {
                    // refused, with a reason: what a client gets back
                }
                List<String> argv = Words.of(in, VOCABULARY, 8);
                try {
                    CtlProtocol.Request r = new CtlProtocol.Argv(argv);
                    if (!CtlProtocol.decode(CtlProtocol.encode(r)).equals(r)) {
                        throw new AssertionError(argv + " did not survive the control socket");
                    }
                } catch (IllegalArgumentException e) {
                    if (argv.stream().noneMatch(a -> a.indexOf('\0') >= 0) && String.join("", argv).length() < 60_000) {
                        throw new AssertionError("refused " + argv, e);
                    }
                }
            }
        }
    }
}
