package io.pktstack.core.internal.dhcp;

import static io.pktstack.core.internal.wire.Addresses.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.core.internal.dhcp.DhcpClientMachine.State;
import io.pktstack.core.internal.wire.Addresses;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The client's state machine (RFC 2131 §4.4) on a fake clock, its actions recorded. */
class DhcpClientMachineTest {

    static final long S = DhcpClientMachine.SECOND;
    static final long MAC = 0x0200_0000_0042L;
    static final int SERVER = parse("10.7.0.1");
    static final int ADDRESS = parse("10.7.0.100");

    final List<String> log = new ArrayList<>();
    final List<DhcpMessage> sent = new ArrayList<>();
    long wake = -1;
    long now = 1_000 * S;

    final DhcpClientMachine m = new DhcpClientMachine(MAC, "guest", new DhcpClientMachine.Actions() {
        @Override
        public void send(DhcpMessage msg, int to) {
            sent.add(msg);
            log.add(DhcpMessage.typeName(msg.type()) + " to " + (to == -1 ? "broadcast" : Addresses.text(to))
                    + " from " + Addresses.text(msg.ciaddr()));
        }

        @Override
        public void configure(int address, int prefix, int router) {
            log.add("configure " + Addresses.text(address) + "/" + prefix + " via " + Addresses.text(router));
        }

        @Override
        public void unconfigure(int address, int prefix, int router) {
            log.add("unconfigure " + Addresses.text(address) + "/" + prefix);
        }

        @Override
        public void wakeAt(long nanos) {
            wake = nanos;
        }
    }, new SplittableRandom(2131));

    DhcpMessage last() {
        return sent.get(sent.size() - 1);
    }

    DhcpMessage reply(int type, int yiaddr, DhcpOptions.Builder o) {
        return new DhcpMessage(DhcpMessage.BOOTREPLY, last().xid(), 0, 0, 0, yiaddr, 0, 0, MAC, o.type(type).build());
    }

    DhcpOptions.Builder leaseOptions(long seconds) {
        return new DhcpOptions.Builder().serverId(SERVER).lease(seconds, seconds / 2, seconds * 7 / 8)
                .subnetMask(parse("255.255.255.0")).routers(SERVER);
    }

    void at(long t) {
        now = t;
        m.timer(now);
    }

    void bind(long leaseSeconds) {
        m.start(now);
        m.received(reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(leaseSeconds)), now);
        m.received(reply(DhcpMessage.ACK, ADDRESS, leaseOptions(leaseSeconds)), now);
        log.clear();
    }

    @Test
    void discoverIsRetransmittedWithExponentialBackoff() {
        m.start(now);
        assertEquals(List.of("DHCPDISCOVER to broadcast from 0.0.0.0"), log);
        assertEquals(State.SELECTING, m.state());
        assertTrue(last().broadcast(), "asks for broadcast replies: it has no address to receive on");
        long[] expected = {4, 8, 16, 32, 64, 64};
        for (long e : expected) {
            long delay = wake - now;
            assertTrue(delay >= (e - 1) * S && delay <= (e + 1) * S, "wait of " + delay / 1e9 + " s, expected " + e + " ± 1");
            at(wake);
        }
        assertEquals(7, sent.size());
    }

    @Test
    void anOfferIsRequestedAndTheAckBindsAddressPrefixAndRoute() {
        m.start(now);
        m.received(reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(600)), now);
        DhcpMessage req = last();
        assertEquals(DhcpMessage.REQUEST, req.type());
        assertEquals(ADDRESS, req.options().requestedIp());
        assertEquals(SERVER, req.options().serverId());
        assertEquals("guest", req.options().hostname());
        assertEquals(State.REQUESTING, m.state());

        m.received(reply(DhcpMessage.ACK, ADDRESS, leaseOptions(600)), now);
        assertEquals(State.BOUND, m.state());
        assertEquals("configure 10.7.0.100/24 via 10.7.0.1", log.get(log.size() - 1));
        assertEquals(now + 300 * S, wake, "T1");
        assertEquals(600, m.secondsLeft(now));
    }

    @Test
    void aReplyForAnotherExchangeIsIgnored() {
        m.start(now);
        DhcpMessage offer = reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(600));
        assertFalse(m.received(new DhcpMessage(2, offer.xid() + 1, 0, 0, 0, ADDRESS, 0, 0, MAC, offer.options()), now));
        assertFalse(m.received(new DhcpMessage(2, offer.xid(), 0, 0, 0, ADDRESS, 0, 0, MAC + 1, offer.options()), now));
        assertEquals(State.SELECTING, m.state());
    }

    @Test
    void renewsAtT1ByUnicastAndStaysBoundOnAck() {
        bind(600);
        at(wake);
        assertEquals(List.of("DHCPREQUEST to 10.7.0.1 from 10.7.0.100"), log);
        assertEquals(State.RENEWING, m.state());
        assertEquals(0, last().options().serverId(), "RFC 2131 §4.3.2: no server identifier while renewing");
        assertEquals(now + 225 * S / 2, wake, "half the time to T2 (525 - 300 = 225 s), at least 60 s");
        m.received(reply(DhcpMessage.ACK, ADDRESS, leaseOptions(600)), now);
        assertEquals(State.BOUND, m.state());
        assertEquals(1, log.size(), "no reconfiguration for the same address");
        assertEquals(600, m.secondsLeft(now));
    }

    @Test
    void rebindsAtT2ByBroadcastAndStartsOverWhenTheLeaseEnds() {
        bind(600);
        long bound = now;
        at(wake); // T1
        while (m.state() == State.RENEWING) {
            at(wake);
        }
        assertEquals(State.REBINDING, m.state());
        assertEquals(bound + 525 * S, now, "T2");
        assertTrue(log.get(log.size() - 1).startsWith("DHCPREQUEST to broadcast from 10.7.0.100"));
        while (m.state() == State.REBINDING) {
            at(wake);
        }
        assertEquals(bound + 600 * S, now);
        assertTrue(log.contains("unconfigure 10.7.0.100/24"));
        assertEquals("DHCPDISCOVER to broadcast from 0.0.0.0", log.get(log.size() - 1));
        assertEquals(State.SELECTING, m.state());
    }

    @Test
    void aNakWhileRequestingStartsOver() {
        m.start(now);
        m.received(reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(600)), now);
        m.received(reply(DhcpMessage.NAK, 0, new DhcpOptions.Builder().serverId(SERVER)), now);
        assertEquals(State.SELECTING, m.state());
        assertEquals(DhcpMessage.DISCOVER, last().type());
    }

    @Test
    void noAckAfterFourRequestsStartsOver() {
        m.start(now);
        m.received(reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(600)), now);
        for (int i = 0; i < DhcpClientMachine.REQUEST_ATTEMPTS; i++) {
            at(wake);
        }
        assertEquals(State.SELECTING, m.state());
        assertEquals(DhcpMessage.DISCOVER, last().type());
    }

    @Test
    void releaseGivesTheAddressBackToTheServer() {
        bind(600);
        m.release(now);
        assertEquals(List.of("DHCPRELEASE to 10.7.0.1 from 10.7.0.100", "unconfigure 10.7.0.100/24"), log);
        assertEquals(State.RELEASED, m.state());
        assertEquals(-1, m.secondsLeft(now));
        at(now + 1000 * S);
        assertEquals(2, log.size(), "nothing more after a release");
    }

    @Test
    void anAckWithoutALeaseTimeIsIgnored() {
        m.start(now);
        m.received(reply(DhcpMessage.OFFER, ADDRESS, leaseOptions(600)), now);
        assertFalse(m.received(reply(DhcpMessage.ACK, ADDRESS, new DhcpOptions.Builder().serverId(SERVER)), now));
        assertEquals(State.REQUESTING, m.state());
    }
}
