package io.pktstack.core.internal.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.core.internal.wire.Addresses;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** DHCP messages (RFC 2131 §2, RFC 2132) from and to bytes, and every malformed message refused with its reason. */
class DhcpMessageTest {

    /**
     * A DISCOVER as in Wireshark's sample capture dhcp.pcap: xid 0x3d1d from
     * 00:0b:82:01:fc:42, client identifier, requested address 0.0.0.0,
     * parameter list 1 3 6 42, END and padding (bytes laid out by an
     * independent script).
     */
    static final String DISCOVER = "01010600" + "00003d1d" + "0000" + "0000" + "00000000".repeat(4) + "000b8201fc42"
            + "00".repeat(10) + "00".repeat(192) + "63825363"
            + "350101" + "3d0701000b8201fc42" + "320400000000" + "370401030 62a".replace(" ", "") + "ff" + "00".repeat(7);

    /** The OFFER of 192.168.0.10 this stack's server writes for it: fixed part, then options in its order, padded to 300. */
    static final String OFFER = "02010600" + "00003d1d" + "0000" + "0000" + "00000000" + "c0a8000a" + "00000000"
            + "00000000" + "000b8201fc42" + "00".repeat(10) + "00".repeat(192) + "63825363"
            + "350102" + "3604c0a80001" + "33040000 0e10".replace(" ", "") + "3a0400000708" + "3b0400000c4e"
            + "0104ffffff00" + "0304c0a80001" + "0604c0a80001" + "ff" + "00".repeat(14);

    static MemorySegment seg(String hex) {
        return MemorySegment.ofArray(HexFormat.of().parseHex(hex));
    }

    static DhcpMessage parse(String hex) throws DhcpMessage.MalformedException {
        MemorySegment s = seg(hex);
        return DhcpMessage.parse(s, 0, (int) s.byteSize());
    }

    @Test
    void aDiscoverParses() throws Exception {
        DhcpMessage m = parse(DISCOVER);
        assertEquals(272, DISCOVER.length() / 2);
        assertEquals(DhcpMessage.BOOTREQUEST, m.op());
        assertEquals(0x3d1d, m.xid());
        assertEquals(0x000b_8201_fc42L, m.chaddr());
        assertEquals(DhcpMessage.DISCOVER, m.type());
        assertArrayEquals(HexFormat.of().parseHex("01000b8201fc42"), m.options().clientId());
        assertArrayEquals(new byte[] {1, 3, 6, 42}, m.options().parameters());
        assertEquals(0, m.options().requestedIp());
        assertEquals(false, m.broadcast());
    }

    @Test
    void anOfferIsWrittenByteForByte() {
        DhcpOptions o = DhcpOptions.builder(DhcpMessage.OFFER).serverId(Addresses.parse("192.168.0.1"))
                .lease(3600, 1800, 3150).subnetMask(Addresses.mask(24)).routers(Addresses.parse("192.168.0.1"))
                .dns(Addresses.parse("192.168.0.1")).build();
        DhcpMessage m = new DhcpMessage(DhcpMessage.BOOTREPLY, 0x3d1d, 0, 0, 0, Addresses.parse("192.168.0.10"), 0, 0,
                0x000b_8201_fc42L, o);
        MemorySegment out = MemorySegment.ofArray(new byte[400]);
        int n = m.write(out, 50);
        assertEquals(300, n);
        assertEquals(OFFER, HexFormat.of().formatHex(out.asSlice(50, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
    }

    @Test
    void whatIsWrittenParsesBackTheSame() throws Exception {
        DhcpOptions o = DhcpOptions.builder(DhcpMessage.REQUEST).serverId(0x0a000001).requestedIp(0x0a000064)
                .parameters((byte) 1, (byte) 3).hostname("guest-1").maxSize(1500).build();
        DhcpMessage m = new DhcpMessage(DhcpMessage.BOOTREQUEST, 77, 3, DhcpMessage.FLAG_BROADCAST, 0, 0, 0, 0,
                0x0200_0000_0001L, o);
        MemorySegment s = MemorySegment.ofArray(new byte[m.length()]);
        m.write(s, 0);
        assertEquals(m, DhcpMessage.parse(s, 0, m.length()));
    }

    @Test
    void malformedMessagesAreRefusedWithTheReason() {
        String options = DISCOVER.substring(0, 480);
        String[][] cases = {
            {DISCOVER.substring(0, 470), "shorter than 240"},
            {"03" + DISCOVER.substring(2), "op 3"},
            {"0106" + DISCOVER.substring(4), "hardware type 6"},
            {DISCOVER.replace("63825363", "63825364"), "no magic cookie"},
            {options + "35", "option 53 cut off"},
            {options + "3502", "option 53 of 2 bytes runs past"},
            {options + "350101350101ff", "option 53 repeated"},
            {options + "350109ff", "message type 9"},
            {options + "35020101ff", "option 53 of 2 bytes (want 1)"},
            {options + "3d0101ff", "client identifier of 1 bytes"},
            {options + "030500000000 00ff".replace(" ", ""), "option 3 of 5 bytes"},
            {options + "3303000000ff", "option 51 of 3 bytes"},
        };
        for (String[] c : cases) {
            DhcpMessage.MalformedException e = assertThrows(DhcpMessage.MalformedException.class, () -> parse(c[0]), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage() + " / " + c[1]);
        }
    }

    @Test
    void unknownOptionsAreSkippedAndTextIsMadePrintable() throws Exception {
        String options = DISCOVER.substring(0, 480);
        DhcpMessage m = parse(options + "350101" + "fa03010203" + "0c0467750a31" + "ff");
        assertEquals(DhcpMessage.DISCOVER, m.type());
        assertEquals("gu?1", m.options().hostname());
    }

    @Test
    void aMessageWithoutEndStopsAtItsLength() throws Exception {
        DhcpMessage m = parse(DISCOVER.substring(0, 480) + "350103");
        assertEquals(DhcpMessage.REQUEST, m.type());
    }
}
