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
 * {@code ip netns exec NS java ... LinuxPktgen IF DSTMAC BYTES FRAMES BATCH}.
 * Prints {@code sent N frames in T ns}.
 */
public final class LinuxPktgen {

    private LinuxPktgen() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LinuxPktgen IF DSTMAC BYTES FRAMES BATCH");
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
}
