package io.pktstack.api.wire;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;

/**
 * Fuzz target {@code wire-tcp}: TCP segments (RFC 9293) and their options
 * (MSS, window scale, SACK-permitted, SACK, timestamps; RFC 7323, RFC 2018)
 * from arbitrary bytes. Beyond the view rules: options parse only from inside
 * the header and never report more SACK blocks than fit; options written by
 * the writers parse back to the values written; a filled-in checksum verifies.
 */
public final class TcpFuzz {

    private static final TcpSegment TCP = new TcpSegment();
    private static final TcpOptions OPT = new TcpOptions();

    private TcpFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput f = new FuzzInput(data);
        if ((f.u8() & 3) == 0) {
            writtenOptionsParseBack(f);
            return;
        }
        WireFuzz.Input in = WireFuzz.take(f);
        if (!TCP.wrapChecked(in.seg(), in.off(), in.len())) {
            return;
        }
        MemorySegment exact = WireFuzz.accepted(in, TcpSegment.MIN_HEADER_LEN, "TCP");
        TCP.wrap(exact, 0, in.len());
        int hl = TCP.headerLength();
        WireFuzz.check(hl >= 20 && hl <= 60 && hl <= in.len(), "TCP header length " + hl + " of " + in.len());
        WireFuzz.check(TCP.optionsOffset() + TCP.optionsLength() == hl, "options not the rest of the header");
        WireFuzz.check(TCP.payloadOffset() + TCP.payloadLength() == in.len(), "payload not the rest of the segment");
        WireFuzz.check(TCP.sequenceLength() >= TCP.payloadLength(), "sequence length below the payload");
        WireFuzz.use(TCP.srcPort() + TCP.dstPort() + TCP.seq() + TCP.ackNumber() + TCP.flags() + TCP.window()
                + TCP.checksum() + TCP.urgentPointer() + TcpSegment.flagString(TCP.flags()).length()
                + (TCP.verifyChecksumV4(0x0a000001, 0x0a000002) ? 1 : 0));
        boolean ok = OPT.parse(TCP);
        WireFuzz.check(OPT.sackBlocks >= 0 && OPT.sackBlocks <= TcpOptions.MAX_SACK_BLOCKS, "sack blocks " + OPT.sackBlocks);
        WireFuzz.check(OPT.windowScale >= -1 && OPT.windowScale <= TcpOptions.MAX_WINDOW_SCALE, "scale " + OPT.windowScale);
        WireFuzz.check(OPT.mss >= -1 && OPT.mss <= 0xffff, "mss " + OPT.mss); // -1: absent
        WireFuzz.use(ok ? 1 : 0);
        TCP.fillChecksumV6(1, 2, 3, 4);
        WireFuzz.check(TCP.verifyChecksumV6(1, 2, 3, 4), "a TCP segment whose checksum was filled in does not verify");
    }

    /** Options written with the writers, padded with NOPs, parse back to what was written. */
    private static void writtenOptionsParseBack(FuzzInput f) {
        MemorySegment s = MemorySegment.ofArray(new byte[60]);
        TCP.wrap(s, 0, 60);
        long at = 20;
        int mss = -1;
        int scale = -1;
        boolean sackOk = false;
        int tsVal = 0;
        int tsEcr = 0;
        boolean ts = false;
        int[] edges = new int[8];
        int blocks = 0;
        while (f.hasMore()) {
            int kind = f.u8() % 5;
            long room = 60 - at;
            if (kind == 0 && room >= 4) {
                mss = f.u16();
                at = TcpOptions.writeMss(s, at, mss);
            } else if (kind == 1 && room >= 3) {
                scale = f.intIn(0, TcpOptions.MAX_WINDOW_SCALE);
                at = TcpOptions.writeWindowScale(s, at, scale);
            } else if (kind == 2 && room >= 2) {
                sackOk = true;
                at = TcpOptions.writeSackPermitted(s, at);
            } else if (kind == 3 && room >= 10) {
                ts = true;
                tsVal = f.u32();
                tsEcr = f.u32();
                at = TcpOptions.writeTimestamps(s, at, tsVal, tsEcr);
            } else if (kind == 4 && blocks == 0) {
                int n = Math.min(f.intIn(1, 4), (int) ((room - 2) / 8));
                if (n < 1) {
                    break;
                }
                for (int i = 0; i < 2 * n; i++) {
                    edges[i] = f.u32();
                }
                blocks = n;
                at = TcpOptions.writeSack(s, at, edges, n);
            } else {
                break;
            }
        }
        int hl = (int) ((at + 3) & ~3L);
        for (long p = at; p < hl; p++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, p, (byte) TcpOptions.KIND_NOP);
        }
        TCP.setHeaderLength(hl);
        TCP.wrap(s, 0, hl);
        WireFuzz.check(OPT.parse(TCP), "options written by the writers do not parse");
        WireFuzz.check(mss < 0 || OPT.mss == mss, "mss " + mss + " read back as " + OPT.mss);
        WireFuzz.check(scale < 0 || OPT.windowScale == scale, "scale " + scale + " read back as " + OPT.windowScale);
        WireFuzz.check(OPT.sackPermitted == sackOk, "sack-permitted");
        WireFuzz.check(OPT.timestamps == ts && (!ts || (OPT.tsVal == tsVal && OPT.tsEcr == tsEcr)), "timestamps");
        WireFuzz.check(OPT.sackBlocks == blocks, "sack blocks " + blocks + " read back as " + OPT.sackBlocks);
        for (int i = 0; i < 2 * blocks; i++) {
            WireFuzz.check(OPT.sack[i] == edges[i], "sack edge " + i);
        }
    }
}
