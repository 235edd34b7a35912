package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.BridgeEntry;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The learning bridge (IEEE 802.1D transparent bridging) through the stack's
 * public surface: three fake links joined in bridge0, frames injected on one
 * member and collected from all of them.
 */
class BridgeTest extends StackTestBase {

    // Stations behind the members (locally administered unicast MACs).
    static final String A = "02aa00000001"; // behind vp0
    static final String B = "02bb00000002"; // behind vp1
    static final String C = "02cc00000003"; // behind vp2
    static final String BCAST = "ffffffffffff";
    /** 46 bytes of payload after an experimental EtherType (IEEE 802 local experimental 0x88b5): a 60-byte frame. */
    static final String PAYLOAD = "88b5" + "7061796c6f6164" + "00".repeat(39);

    FakeLink vp0;
    FakeLink vp1;
    FakeLink vp2;

    static String frame(String dst, String src) {
        return dst + src + PAYLOAD;
    }

    /** Like {@link #frame} with a distinguishing last byte, to check order inside a batch. */
    static String frame(String dst, String src, int tag) {
        String f = frame(dst, src);
        return f.substring(0, f.length() - 2) + String.format("%02x", tag);
    }

    @BeforeEach
    void bridgeOfThree() {
        vp0 = add(new FakeLink("02:00:00:00:00:10"), "vp");
        vp1 = add(new FakeLink("02:00:00:00:00:11"), "vp");
        vp2 = add(new FakeLink("02:00:00:00:00:12"), "vp");
        stack.createBridge("bridge0");
        stack.setUp("bridge0", true);
        stack.bridgeAdd("bridge0", "vp0");
        stack.bridgeAdd("bridge0", "vp1");
        stack.bridgeAdd("bridge0", "vp2");
        clearAll();
    }

    private void clearAll() {
        vp0.takeSent();
        vp1.takeSent();
        vp2.takeSent();
    }

    private Map<String, String> table() {
        return stack.bridgeTable("bridge0").stream()
                .collect(Collectors.toMap(e -> Hex.norm(e.mac().toString().replace(":", "")), BridgeEntry::member));
    }

    @Test
    void membersAreListedInOrderAndPromiscuous() {
        assertEquals(List.of("vp0", "vp1", "vp2"), stack.bridgeMembers("bridge0"));
        InterfaceInfo info = stack.interfaceInfo("vp1");
        assertEquals("bridge0", info.bridge());
        assertTrue(info.flags().contains(InterfaceInfo.Flag.PROMISC));
    }

    @Test
    void unknownUnicastIsFloodedToEveryOtherMemberAndTheSourceIsLearned() {
        vp0.inject(frame(B, A));

        assertEquals(List.of(frame(B, A)), vp1.takeSent());
        assertEquals(List.of(frame(B, A)), vp2.takeSent());
        assertEquals(List.of(), vp0.takeSent(), "never back out of the input port");
        assertEquals(Map.of(A, "vp0"), table());
    }

    @Test
    void knownUnicastGoesOnlyToItsMember() {
        vp0.inject(frame(B, A)); // learns A behind vp0, floods
        clearAll();

        vp1.inject(frame(A, B)); // A is known: only vp0; learns B behind vp1
        assertEquals(List.of(frame(A, B)), vp0.takeSent());
        assertEquals(List.of(), vp1.takeSent());
        assertEquals(List.of(), vp2.takeSent());

        vp0.inject(frame(B, A)); // now B is known too
        assertEquals(List.of(frame(B, A)), vp1.takeSent());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), vp2.takeSent());
        assertEquals(Map.of(A, "vp0", B, "vp1"), table());
    }

    @Test
    void broadcastIsFloodedToEveryOtherMemberAndDeliveredToTheStack() {
        vp1.inject(frame(BCAST, B));

        assertEquals(List.of(frame(BCAST, B)), vp0.takeSent());
        assertEquals(List.of(frame(BCAST, B)), vp2.takeSent());
        assertEquals(List.of(), vp1.takeSent());
        // The stack's copy reached bridge0's layer 3, which does not speak 0x88b5.
        assertEquals(1, drops("bridge0", DropReason.UNKNOWN_PROTOCOL));
    }

    @Test
    void theMaxaddrTunableLimitsABridgeThatAlreadyExists() {
        stack.setTunables(Map.of("net.link.bridge.maxaddr", 1L));
        vp0.inject(frame(B, A));
        vp1.inject(frame(A, B));
        assertEquals(1, table().size(), "the second station is not learned");
    }

    @Test
    void multicastSourceIsNeverLearned() {
        vp0.inject(frame(B, "0300000000ff"));
        assertEquals(Map.of(), table());
    }

    @Test
    void frameForAStationBehindTheInputPortIsDroppedNotHairpinned() {
        vp0.inject(frame(B, A)); // A behind vp0
        clearAll();

        vp0.inject(frame(A, C)); // C talks to A on A's own segment: not the bridge's business

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), vp1.takeSent());
        assertEquals(List.of(), vp2.takeSent());
        assertEquals(1, drops("vp0", DropReason.BRIDGE_SAME_PORT));
    }

    @Test
    void aStationThatMovesIsFollowed() {
        vp0.inject(frame(B, A));
        vp2.inject(frame(B, A)); // A now behind vp2
        clearAll();

        vp1.inject(frame(A, B));

        assertEquals(List.of(frame(A, B)), vp2.takeSent());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals("vp2", table().get(A));
    }

    @Test
    void framesOfOneBatchKeepTheirOrderPerOutput() {
        vp1.inject(frame(A, B)); // learn B behind vp1 (flooded)
        vp2.inject(frame(A, C)); // learn C behind vp2 (flooded)
        clearAll();

        vp0.inject(frame(B, A, 1), frame(C, A, 2), frame(B, A, 3), frame(BCAST, A, 4), frame(C, A, 5));

        assertEquals(List.of(frame(B, A, 1), frame(B, A, 3), frame(BCAST, A, 4)), vp1.takeSent());
        assertEquals(List.of(frame(C, A, 2), frame(BCAST, A, 4), frame(C, A, 5)), vp2.takeSent());
        assertEquals(List.of(), vp0.takeSent());
    }

    @Test
    void entriesAgeOutAfterTheTimeout() {
        vp0.inject(frame(B, A));
        advanceSeconds(600);
        BridgeEntry a = stack.bridgeTable("bridge0").getFirst();
        assertEquals(MacAddress.parse(A), a.mac());
        assertEquals(600, a.ageSeconds());

        advanceSeconds(Bridge.DEFAULT_TIMEOUT_SECONDS - 600); // exactly the timeout: still known
        clearAll();
        vp1.inject(frame(A, B));
        assertEquals(List.of(frame(A, B)), vp0.takeSent());
        assertEquals(List.of(), vp2.takeSent());

        advanceSeconds(1); // past the timeout: unknown again, so flooded
        clearAll();
        vp1.inject(frame(A, B));
        assertEquals(List.of(frame(A, B)), vp0.takeSent());
        assertEquals(List.of(frame(A, B)), vp2.takeSent());
        assertNull(table().get(A));
        assertEquals("vp1", table().get(B));
    }

    @Test
    void removingAMemberForgetsItsStationsAndStopsFloodingToIt() {
        vp1.inject(frame(A, B)); // B behind vp1
        vp0.inject(frame(B, A)); // A behind vp0
        clearAll();

        stack.bridgeDelete("bridge0", "vp1");

        assertEquals(List.of("vp0", "vp2"), stack.bridgeMembers("bridge0"));
        assertEquals(Map.of(A, "vp0"), table());
        InterfaceInfo info = stack.interfaceInfo("vp1");
        assertNull(info.bridge());
        assertFalse(info.flags().contains(InterfaceInfo.Flag.PROMISC));

        vp0.inject(frame(B, A)); // B unknown again: flooded, but not to vp1
        assertEquals(List.of(frame(B, A)), vp2.takeSent());
        assertEquals(List.of(), vp1.takeSent());

        vp1.inject(frame(A, B)); // vp1 is a plain interface now: unicast to another MAC is not for it
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), vp2.takeSent());
        assertEquals(1, drops("vp1", DropReason.NOT_FOR_US));
    }

    @Test
    void aLinkWhoseDriverGoesAwayLeavesTheBridge() {
        vp1.inject(frame(A, B));
        clearAll();

        stack.removeLink(vp1);

        assertEquals(1, vp1.detaches);
        assertEquals(List.of("vp0", "vp2"), stack.bridgeMembers("bridge0"));
        assertTrue(stack.interfaces().stream().noneMatch(i -> i.name().equals("vp1")));
        vp0.inject(frame(B, A));
        assertEquals(List.of(frame(B, A)), vp2.takeSent());
        assertEquals(List.of(), vp1.takeSent());
    }

    @Test
    void aMemberWithoutCarrierGetsNothing() {
        vp2.inject(frame(A, C)); // C behind vp2
        clearAll();
        vp2.setCarrier(false);

        vp0.inject(frame(BCAST, A), frame(C, A));

        assertEquals(List.of(frame(BCAST, A)), vp1.takeSent());
        assertEquals(List.of(), vp2.takeSent());
        assertEquals(1, drops("vp0", DropReason.BRIDGE_MEMBER_DOWN));

        vp2.inject(frame(A, C)); // and what it still receives is dropped
        assertEquals(1, drops("vp2", DropReason.INTERFACE_DOWN));
        assertEquals(List.of(), vp0.takeSent());
    }

    @Test
    void theStackAnswersArpOnTheBridgeOutOfTheRequestersMemberOnly() {
        address("bridge0", "10.0.2.2/24");
        clearAll(); // the announcement went out of every member
        String bridgeMac = Hex.norm(stack.interfaceInfo("bridge0").mac().toString().replace(":", ""));
        String request = """
                ffff ffff ffff 02aa 0000 0001 0806 0001
                0800 0604 0001 02aa 0000 0001 0a00 020f
                0000 0000 0000 0a00 0202
                """;

        vp0.inject(request);

        String reply = Hex.norm("02aa00000001" + bridgeMac + "0806 0001 0800 0604 0002" + bridgeMac
                + "0a00 0202 02aa 0000 0001 0a00 020f");
        assertEquals(List.of(reply), vp0.takeSent());
        assertEquals(List.of(Hex.norm(request)), vp1.takeSent(), "the broadcast is still flooded");
        assertEquals(List.of(Hex.norm(request)), vp2.takeSent());
    }
}
