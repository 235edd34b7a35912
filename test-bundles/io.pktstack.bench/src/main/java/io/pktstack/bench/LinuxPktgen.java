package io.pktstack.bench;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.hostio.PacketSocket;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Linux reference's generator: the same frames pktstack's pktgen sends
 * (EtherType 0x88b5, the given size), handed to the kernel in batches with
 * {@code sendmmsg} on an AF_PACKET socket, so the kernel's forwarding path is
 * what gets measured. Run inside a namespace:
 * {@code ip netns exec NS java ... LinuxPktgen IF DSTMAC BYTES FRAMES BATCH [SRCIP DSTIP]}.
 * With addresses the frames are IPv4/UDP (as {@code pktgen -4} sends them), for a router to forward.
 * Prints {@code sent N frames in T ns}.
 */
public final class LinuxPktgen {

    private LinuxPktgen() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 7) {
            System.err.println("usage: LinuxPktgen IF DSTMAC BYTES FRAMES BATCH [SRCIP DSTIP]");
            System.exit(2);
        }
        String ifName = args[0];
        MacAddress dst = MacAddress.parse(args[1]);
        int bytes = Integer.parseInt(args[2]);
        long frames = Long.parseLong(args[3]);
        int batch = Integer.parseInt(args[4]);
        try (FramePool pool = new FramePool(batch, FramePool.DEFAULT_SLOT_SIZE);
             PacketSocket socket = PacketSocket.open(ifName)) {
            Frame[] f = new Frame[batch];
            pool.take(f, batch);
            long src = 0x02_00_00_be_0c_01L;
            for (Frame x : f) {
                x.length(bytes);
                MemorySegment s = x.segment().asSlice(x.offset(), bytes);
                s.fill((byte) 0);
                for (int i = 0; i < 6; i++) {
                    s.set(ValueLayout.JAVA_BYTE, i, (byte) (dst.bits() >>> (40 - 8 * i)));
                    s.set(ValueLayout.JAVA_BYTE, 6 + i, (byte) (src >>> (40 - 8 * i)));
                }
                s.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x88);
                s.set(ValueLayout.JAVA_BYTE, 13, (byte) 0xb5);
                if (args.length == 7) {
                    ipv4Udp(s, java.net.InetAddress.getByName(args[5]).getAddress(),
                            java.net.InetAddress.getByName(args[6]).getAddress(), bytes);
                }
            }
            long sent = 0;
            long start = System.nanoTime();
            while (sent < frames) {
                int n = (int) Math.min(batch, frames - sent);
                int k = socket.send(f, n); // the kernel copies: the same frames go again
                if (k == 0) {
                    Thread.onSpinWait();
                }
                sent += k;
            }
            long nanos = System.nanoTime() - start;
            System.out.println("sent " + sent + " frames in " + nanos + " ns");
            pool.release(f, batch);
        }
    }

    /** EtherType IPv4, a header with DF, TTL 64 and its checksum, UDP 1024 -> 9 without a checksum (as pktgen -4). */
    static void ipv4Udp(MemorySegment s, byte[] src, byte[] dst, int bytes) {
        ValueLayout.OfShort be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        s.set(be, 12, (short) 0x0800);
        byte[] h = {0x45, 0, (byte) ((bytes - 14) >>> 8), (byte) (bytes - 14), 0, 0, 0x40, 0, 64, 17, 0, 0,
            src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3]};
        long sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((h[i] & 0xFF) << 8) | (h[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        h[10] = (byte) (~sum >>> 8);
        h[11] = (byte) ~sum;
        MemorySegment.copy(MemorySegment.ofArray(h), 0, s, 14, 20);
        s.set(be, 34, (short) 1024);
        s.set(be, 36, (short) 9);
        s.set(be, 38, (short) (bytes - 34));
        s.set(be, 40, (short) 0);
    }
}
