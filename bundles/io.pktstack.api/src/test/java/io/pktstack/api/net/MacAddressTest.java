package io.pktstack.api.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void parsesColonForm() {
        assertEquals(0x5254_0012_3456L, MacAddress.parse("52:54:00:12:34:56").bits());
    }

    @Test
    void parsesDashFormAndUpperCase() {
        assertEquals(0xAABB_CCDD_EEFFL, MacAddress.parse("AA-BB-CC-DD-EE-FF").bits());
    }

    @Test
    void parsesTwelveBareHexDigitsAsIoPktWritesThem() {
        assertEquals(0x0200_0000_0001L, MacAddress.parse("020000000001").bits());
    }

    @Test
    void stripsSurroundingBlanks() {
        assertEquals(0x0200_0000_0001L, MacAddress.parse("  02:00:00:00:00:01\n").bits());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00-12:34:56", "52.54.00.12.34.56",
        "52:54:00:12:34:5g", "5254001234", "52540012345g", "0x5254001234", "52:54:00:12:34:+5",
        "\uff15\uff12:54:00:12:34:56", // fullwidth digits: Character.digit accepts them, hex does not
    })
    void rejectsMalformedTextNamingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void rejectsBitsWiderThan48() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MacAddress(0x1_0000_0000_0000L));
        assertTrue(e.getMessage().contains("0x1000000000000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(-1));
    }

    @Test
    void toStringIsLowerCaseColonFormWithLeadingZeros() {
        assertEquals("02:0a:00:00:0b:01", new MacAddress(0x020A_0000_0B01L).toString());
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
        assertEquals("00:00:00:00:00:00", new MacAddress(0).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:12:34:56", "02:0a:00:00:0b:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
        "01:00:5e:00:00:fb", "33:33:ff:00:00:02"})
    void toStringRoundTrips(String text) {
        MacAddress mac = MacAddress.parse(text);
        assertEquals(text, mac.toString());
        assertEquals(mac, MacAddress.parse(mac.toString()));
        assertEquals(mac, MacAddress.parse(mac.toString().replace(":", "")));
    }

    @Test
    void multicastIsTheIgBitOfTheFirstOctet() {
        // IEEE 802-2014 §8.2: I/G is the least significant bit of the first octet.
        MacAddress ipv4Multicast = MacAddress.parse("01:00:5e:00:00:fb");
        assertTrue(ipv4Multicast.isMulticast());
        assertFalse(ipv4Multicast.isUnicast());
        assertFalse(ipv4Multicast.isLocallyAdministered());
        assertFalse(ipv4Multicast.isBroadcast());

        MacAddress lastOctetOdd = MacAddress.parse("52:54:00:12:34:57");
        assertFalse(lastOctetOdd.isMulticast(), "bit 0 of the last octet is not I/G");
        assertTrue(lastOctetOdd.isUnicast());
    }

    @Test
    void locallyAdministeredIsTheUlBitOfTheFirstOctet() {
        MacAddress qemu = MacAddress.parse("52:54:00:12:34:56"); // 0x52 = 0101_0010
        assertTrue(qemu.isLocallyAdministered());
        assertTrue(qemu.isUnicast());
        MacAddress universal = MacAddress.parse("00:1b:21:3a:4f:10");
        assertFalse(universal.isLocallyAdministered());
        assertFalse(MacAddress.parse("50:54:00:12:34:56").isLocallyAdministered());
        MacAddress ipv6Multicast = MacAddress.parse("33:33:ff:00:00:02"); // 0x33: both bits set
        assertTrue(ipv6Multicast.isMulticast());
        assertTrue(ipv6Multicast.isLocallyAdministered());
    }

    @Test
    void broadcastIsMulticastToo() {
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertFalse(MacAddress.parse("ff:ff:ff:ff:ff:fe").isBroadcast());
    }

    @Test
    void generatedAddressesAreLocalUnicastAndDiffer() {
        Set<MacAddress> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            MacAddress mac = MacAddress.generateLocal();
            assertTrue(mac.isLocallyAdministered(), mac.toString());
            assertFalse(mac.isMulticast(), mac.toString());
            assertEquals(0, mac.bits() >>> 48, mac.toString());
            seen.add(mac);
        }
        // 46 random bits: a collision among 1000 has probability ~7e-9.
        assertEquals(1000, seen.size());
        assertNotEquals(MacAddress.generateLocal(), MacAddress.generateLocal());
    }

    @Test
    void bytesInNetworkOrder() {
        MacAddress mac = MacAddress.parse("52:54:00:12:34:56");
        assertArrayEquals(HexFormat.of().parseHex("525400123456"), mac.toBytes());
        byte[] frame = HexFormat.of().parseHex("ffffffffffff52540012345608060001");
        assertEquals(MacAddress.BROADCAST.bits(), MacAddress.bitsOf(frame, 0));
        assertEquals(mac.bits(), MacAddress.bitsOf(frame, 6));
        assertEquals(mac, new MacAddress(MacAddress.bitsOf(mac.toBytes(), 0)));
    }

    @Test
    void onlyUnicastNonZeroAddressesAreStations() {
        assertTrue(MacAddress.parse("02:00:00:00:00:01").isStation());
        assertTrue(MacAddress.parse("52:54:00:12:34:56").isStation());
        assertNull(MacAddress.parse("02:00:00:00:00:01").whyNotStation());
        for (String group : new String[] {"01:00:5e:00:00:01", "33:33:00:00:00:01", "ff:ff:ff:ff:ff:ff", "03:00:00:00:00:00"}) {
            MacAddress m = MacAddress.parse(group);
            assertFalse(m.isStation(), group);
            assertTrue(m.whyNotStation().contains(group) && m.whyNotStation().contains("unicast"), m.whyNotStation());
        }
        assertTrue(MacAddress.BROADCAST.whyNotStation().contains("broadcast"));
        MacAddress zero = MacAddress.parse("000000000000");
        assertTrue(zero.isZero());
        assertFalse(zero.isStation());
        assertTrue(zero.whyNotStation().contains("all zeros"), zero.whyNotStation());
    }
}
