package io.pktstack.hostio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux pieces vhost-user is made of, against the real kernel: a Unix
 * socket that carries descriptors, memfd memory mapped by two "processes"
 * through a passed descriptor, and eventfds. Every test ends with as many
 * descriptors open as it started with.
 */
class FdPassingTest {

    @TempDir
    Path dir;
    UnixSocket server;
    UnixSocket client;
    UnixSocket accepted;
    long fdsBefore;
    final Arena arena = Arena.ofConfined();
    final MemorySegment buf = arena.allocate(4096, 8);

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @BeforeEach
    void connectPair() throws Exception {
        fdsBefore = openFds();
        Path node = dir.resolve("sock");
        server = UnixSocket.listen(node, PosixFilePermissions.fromString("rw-------"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(node)));
        client = UnixSocket.connect(node);
        try (Poller p = new Poller(1)) {
            p.set(0, server.fd());
            assertEquals(1, p.poll(1, 5000));
        }
        accepted = server.accept();
        assertNotNull(accepted);
    }

    @AfterEach
    void closeAndCountDescriptors() throws Exception {
        accepted.close();
        client.close();
        Path node = dir.resolve("sock");
        server.close();
        assertFalse(Files.exists(node), "a listening socket removes its node when closed");
        arena.close();
        assertEquals(fdsBefore, openFds(), "descriptors leaked");
    }

    private long receiveWaiting(UnixSocket s, int[] fds) throws Exception {
        try (Poller p = new Poller(1)) {
            p.set(0, s.fd());
            assertEquals(1, p.poll(1, 5000));
        }
        return s.receive(buf, buf.byteSize(), fds);
    }

    @Test
    void bytesAndAMemfdCrossAndBothSidesSeeTheSameMemory() throws Exception {
        try (SharedMemory mine = SharedMemory.create("pktstack-test", 8192)) {
            mine.segment().set(ValueLayout.JAVA_LONG, 4096, 0x1122334455667788L);
            buf.set(ValueLayout.JAVA_INT, 0, 42);
            client.send(buf, 4, new int[] {mine.fd()}, 1, 1000);
            int[] fds = new int[UnixSocket.MAX_FDS];
            assertEquals(4, receiveWaiting(accepted, fds));
            assertEquals(42, buf.get(ValueLayout.JAVA_INT, 0));
            assertEquals(1, accepted.receivedFds());
            assertFalse(accepted.controlTruncated());
            try (SharedMemory theirs = SharedMemory.map(fds[0], 4096, 4096)) {
                assertEquals(0x1122334455667788L, theirs.segment().get(ValueLayout.JAVA_LONG, 0));
                theirs.segment().set(ValueLayout.JAVA_INT, 8, 7);
                assertEquals(7, mine.segment().get(ValueLayout.JAVA_INT, 4096 + 8), "one memory, two mappings");
            }
        }
    }

    @Test
    void aRegionBeyondTheEndOfTheFileIsRefusedAndTheDescriptorClosed() throws Exception {
        try (SharedMemory mine = SharedMemory.create("pktstack-test", 8192)) {
            client.send(buf, 1, new int[] {mine.fd()}, 1, 1000);
            int[] fds = new int[UnixSocket.MAX_FDS];
            receiveWaiting(accepted, fds);
            HostIoException e = assertThrows(HostIoException.class, () -> SharedMemory.map(fds[0], 4096, 8192));
            assertTrue(e.getMessage().contains("beyond the end"), e.getMessage());
            assertThrows(HostIoException.class, () -> SharedMemory.map(-1, 0, 10));
            assertThrows(HostIoException.class, () -> SharedMemory.map(Integer.MAX_VALUE, Long.MAX_VALUE, 2));
        }
    }

    @Test
    void aMemfdCannotBeShrunkUnderItsPeer() throws Exception {
        try (SharedMemory mine = SharedMemory.create("pktstack-test", 8192)) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment e = Libc.errnoSegment(a);
                assertEquals(-1, Libc.ftruncate(e, mine.fd(), 4096), "F_SEAL_SHRINK");
                assertEquals(-1, Libc.ftruncate(e, mine.fd(), 16384), "F_SEAL_GROW");
            }
        }
    }

    @Test
    void moreDescriptorsThanTheReceiverTakesAreClosedNotLeaked() throws Exception {
        EventFd[] many = new EventFd[5];
        int[] raw = new int[5];
        for (int i = 0; i < many.length; i++) {
            many[i] = EventFd.create();
            raw[i] = many[i].fd();
        }
        client.send(buf, 1, raw, 5, 1000);
        int[] fds = new int[2];
        receiveWaiting(accepted, fds);
        assertEquals(2, accepted.receivedFds());
        assertTrue(accepted.controlTruncated());
        UnixSocket.closeAll(fds, 0, 2);
        for (EventFd e : many) {
            e.close();
        }
    }

    @Test
    void eventfdsPassedOverTheSocketSignalAcrossAndOthersAreRefused() throws Exception {
        try (EventFd kick = EventFd.create(); SharedMemory notAnEventfd = SharedMemory.create("x", 4096)) {
            client.send(buf, 1, new int[] {kick.fd(), notAnEventfd.fd()}, 2, 1000);
            int[] fds = new int[UnixSocket.MAX_FDS];
            receiveWaiting(accepted, fds);
            assertEquals(2, accepted.receivedFds());
            try (EventFd theirs = EventFd.adopt(fds[0])) {
                assertFalse(kick.drain());
                theirs.signal();
                theirs.signal();
                try (Poller p = new Poller(1)) {
                    p.set(0, kick.fd());
                    assertEquals(1, p.poll(1, 1000));
                    assertTrue(p.readable(0));
                }
                assertTrue(kick.drain());
                assertFalse(kick.drain(), "drained: both signals read at once");
            }
            HostIoException e = assertThrows(HostIoException.class, () -> EventFd.adopt(fds[1]));
            assertTrue(e.getMessage().contains("memfd:x"), e.getMessage());
        }
    }

    @Test
    void theOtherEndClosingReadsAsEndOfStreamAndSendFails() throws Exception {
        client.close();
        int[] fds = new int[1];
        assertEquals(0, receiveWaiting(accepted, fds));
        assertThrows(HostIoException.class, () -> accepted.send(buf, 8, fds, 0, 100));
        client = UnixSocket.connect(dir.resolve("sock")); // for the common teardown
        UnixSocket extra = server.accept();
        assertNotNull(extra);
        extra.close();
    }

    @Test
    void theProcessAtTheOtherEndIsKnown() {
        assertEquals(ProcessHandle.current().pid(), accepted.peerPid());
    }

    @Test
    void connectingWhereNothingListensFailsWithTheReason() {
        HostIoException e = assertThrows(HostIoException.class, () -> UnixSocket.connect(dir.resolve("nobody")));
        assertEquals(Libc.ENOENT, e.errno());
        assertThrows(HostIoException.class, () -> UnixSocket.connect(dir.resolve("x".repeat(120))));
    }
}
