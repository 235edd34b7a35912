package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pktstack.shell.internal.inetd.InternalService;
import io.pktstack.shell.internal.inetd.ServiceKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** inetd's service names: NAME for TCP and UDP, NAME/tcp, NAME/udp; bad ones named. */
class InetdCommandTest {

    @Test
    void namesMeanServicesOnProtocols() {
        assertEquals(List.of(new ServiceKey(InternalService.ECHO, true), new ServiceKey(InternalService.ECHO, false),
                new ServiceKey(InternalService.DAYTIME, false), new ServiceKey(InternalService.CHARGEN, true)),
                List.copyOf(InetdCommand.keys(List.of("echo", "daytime/udp", "chargen/tcp", "echo/tcp"))));
    }

    @Test
    void refusesUnknownNamesAndProtocolsNamingThem() {
        assertEquals("inetd: unknown service 'time' (internal services: echo, discard, daytime, chargen)",
                assertThrows(IllegalArgumentException.class, () -> InetdCommand.keys(List.of("echo", "time")))
                        .getMessage());
        assertEquals("inetd: unknown protocol 'sctp' in 'echo/sctp' (tcp or udp)",
                assertThrows(IllegalArgumentException.class, () -> InetdCommand.keys(List.of("echo/sctp")))
                        .getMessage());
        assertEquals("inetd: unknown service 'ECHO' (internal services: echo, discard, daytime, chargen)",
                assertThrows(IllegalArgumentException.class, () -> InetdCommand.keys(List.of("ECHO"))).getMessage());
    }

    @Test
    void refusesUnknownOptionsBeforeStartingAnything() {
        InetdCommand c = new InetdCommand(new io.pktstack.shell.internal.iperf3.LoopbackTcpStack(), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.inetd("echo", "-x"));
        assertEquals("inetd: unknown option '-x' (usage: " + InetdCommand.USAGE + ")", e.getMessage());
        assertEquals("no internal service runs\n", c.inetd().render());
        assertEquals("inetd: echo does not run",
                assertThrows(IllegalStateException.class, () -> c.inetd("-k", "echo")).getMessage());
    }
}
