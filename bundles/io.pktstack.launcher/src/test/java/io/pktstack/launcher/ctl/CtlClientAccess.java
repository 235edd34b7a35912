package io.pktstack.launcher.ctl;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The client's call with short timeouts, for the server's tests in another package. */
public final class CtlClientAccess {

    private CtlClientAccess() {
    }

    public static CtlClient.Response call(Path socket, String line, Duration accept, Duration silence)
            throws IOException {
        return CtlClient.call(socket, new CtlProtocol.Line(line), accept, silence);
    }
}
