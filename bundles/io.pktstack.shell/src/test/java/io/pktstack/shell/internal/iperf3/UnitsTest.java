package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** iperf3's unit_snprintf, adaptive: the figures as Linux's iperf3 prints them. */
class UnitsTest {

    @Test
    void bytesInPowersOf1024WithFourPlaces() {
        assertEquals("0.00 Byte", Units.bytes(0));
        assertEquals(" 999 Byte", Units.bytes(999));
        assertEquals("1.00 KByte", Units.bytes(1024));
        assertEquals("64.1 KByte", Units.bytes(65_638));
        assertEquals(" 895 KByte", Units.bytes(916_762));
        assertEquals("1.17 GByte", Units.bytes(1_253_635_072));
        assertEquals("10.0 MByte", Units.bytes(10.0 * 1024 * 1024));
        assertEquals("1024 KByte", Units.bytes(1024 * 1024 - 1)); // 1023.999 KB: four places, no rounding up a unit
    }

    @Test
    void bitRatesInPowersOf1000() {
        assertEquals("10.1 Gbit", Units.bits(1_262_500_000));
        assertEquals("7.75 Gbit", Units.bits(968_750_000));
        assertEquals(" 345 Mbit", Units.bits(43_125_000));
        assertEquals("0.00 bit", Units.bits(0));
    }
}
