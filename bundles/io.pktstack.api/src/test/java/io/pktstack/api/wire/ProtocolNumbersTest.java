package io.pktstack.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProtocolNumbersTest {

    @Test
    void etherTypeNamesKeepUnknownValues() {
        assertEquals("IPv4", EtherType.name(EtherType.IPV4));
        assertEquals("ARP", EtherType.name(0x0806));
        assertEquals("IPv6", EtherType.name(0x86DD));
        assertEquals("0x88b5", EtherType.name(0x88b5));
        assertEquals("0x002e", EtherType.name(0x002e));
        assertTrue(EtherType.isEtherType(0x0600));
        assertFalse(EtherType.isEtherType(1500));
    }

    @Test
    void ipProtocolNamesKeepUnknownValues() {
        assertEquals("ICMP", IpProtocol.name(1));
        assertEquals("TCP", IpProtocol.name(6));
        assertEquals("UDP", IpProtocol.name(17));
        assertEquals("ICMPv6", IpProtocol.name(58));
        assertEquals("ip-proto-132", IpProtocol.name(132));
    }
}
