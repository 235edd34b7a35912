package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.hostio.SharedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * vhost-user messages against byte fixtures in the layout of
 * vhost-user.rst ("Message specification"): little-endian u32 request, u32
 * flags, u32 size, then the payload; what pktstack's front-end writes must be
 * byte for byte what QEMU writes, and fields read back must come from the
 * offsets the spec gives.
 */
class VhostMessageTest {

    static final HexFormat HEX = HexFormat.of();
    final Arena arena = Arena.ofConfined();
    final VhostMessage m = new VhostMessage(arena);

    private String wire() {
        return HEX.formatHex(m.buf.asSlice(0, m.length()).toArray(ValueLayout.JAVA_BYTE));
    }

    private void load(String hex) {
        byte[] b = HEX.parseHex(hex);
        MemorySegment.copy(b, 0, m.buf, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    @Test
    void getFeaturesAndItsReply() {
        m.start(VhostUser.GET_FEATURES, VhostUser.VERSION);
        assertEquals("01000000" + "01000000" + "00000000", wire());
        load("01000000" + "05000000" + "08000000" + "a7ffaf3001010000");
        assertEquals(VhostUser.GET_FEATURES, m.request());
        assertEquals(VhostUser.VERSION | VhostUser.FLAG_REPLY, m.flags());
        assertEquals(0x10130afffa7L, m.u64(0), "the feature bits QEMU's guest negotiated (VM-GUESTS.md)");
    }

    @Test
    void setVringAddrCarriesIndexFlagsDescUsedAvailLog() {
        m.start(VhostUser.SET_VRING_ADDR, VhostUser.VERSION | VhostUser.FLAG_NEED_REPLY).putU32(1).putU32(0)
                .putU64(0x7f1234560000L).putU64(0x7f1234561040L).putU64(0x7f1234561000L).putU64(0);
        assertEquals("09000000" + "09000000" + "28000000" + "01000000" + "00000000"
                + "00005634127f0000" + "40105634127f0000" + "00105634127f0000" + "0000000000000000", wire());
        assertTrue(m.needsReply());
        assertEquals(0x7f1234561040L, m.u64(16), "used ring");
        assertEquals(0x7f1234561000L, m.u64(24), "available ring");
    }

    @Test
    void vringStateAndKickWithItsNoFdFlag() {
        m.start(VhostUser.SET_VRING_BASE, VhostUser.VERSION).putU32(0).putU32(0x1234);
        assertEquals("0a000000" + "01000000" + "08000000" + "00000000" + "34120000", wire());
        m.start(VhostUser.SET_VRING_CALL, VhostUser.VERSION).putU64(1 | VhostUser.VRING_NOFD);
        assertEquals("0d000000" + "01000000" + "08000000" + "0101000000000000", wire());
    }

    @Test
    void aMemoryTableOfOneRegionAsQemuSendsIt() throws Exception {
        try (SharedMemory mem = SharedMemory.create("fixture", 65536)) {
            m.start(VhostUser.SET_MEM_TABLE, VhostUser.VERSION);
            MemoryTable.write(m, mem, 0);
            long uva = mem.segment().address();
            String le = HEX.formatHex(MemorySegment.ofArray(new long[] {uva}).toArray(ValueLayout.JAVA_BYTE));
            // nregions 1, padding, then guest_phys_addr 0, memory_size 64 KiB, userspace_addr, mmap_offset 0.
            assertEquals("05000000" + "01000000" + "28000000" + "01000000" + "00000000" + "0000000000000000"
                    + "0000010000000000" + le + "0000000000000000", wire());
            assertEquals(1, m.fdCount);
            assertEquals(mem.fd(), m.fds[0]);
            m.fdCount = 0; // the descriptor is the memory's own
        }
    }

    @Test
    void setConfigWritesTheMacAfterOffsetSizeFlags() {
        m.start(VhostUser.SET_CONFIG, VhostUser.VERSION).putU32(0).putU32(6).putU32(0)
                .putBytes(HEX.parseHex("020000000001"));
        assertEquals("19000000" + "01000000" + "12000000" + "00000000" + "06000000" + "00000000" + "020000000001",
                wire());
    }

    @Test
    void aFieldBeyondThePayloadIsNeverRead() {
        load("02000000" + "01000000" + "04000000" + "01000000");
        assertThrows(IndexOutOfBoundsException.class, () -> m.u64(0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.u32(4));
        assertEquals(1, m.u32(0));
        load("02000000" + "01000000" + "ffffffff");
        assertThrows(IndexOutOfBoundsException.class, () -> m.u64(0), "a negative size reads nothing");
    }
}
