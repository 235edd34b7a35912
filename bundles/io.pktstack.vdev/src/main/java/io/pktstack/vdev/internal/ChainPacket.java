package io.pktstack.vdev.internal;

import io.pktstack.api.wire.TcpSegmenter;
import io.pktstack.vdev.DescriptorChain;
import java.lang.foreign.MemorySegment;

/** The packet in a transmit chain: its bytes after the first {@code skip} (the virtio_net_hdr). */
final class ChainPacket implements TcpSegmenter.Source {

    private DescriptorChain chain;
    private long skip;

    ChainPacket over(DescriptorChain c, long skipBytes) {
        this.chain = c;
        this.skip = skipBytes;
        return this;
    }

    @Override
    public long length() {
        return chain.totalLength() - skip;
    }

    @Override
    public void copyTo(long from, MemorySegment dst, long dstOffset, int len) {
        copy(chain, skip + from, dst, dstOffset, len);
    }

    /** Copies {@code len} bytes starting at byte {@code pos} of the chain's buffers. */
    static void copy(DescriptorChain c, long pos, MemorySegment dst, long dstOffset, int len) {
        long p = pos;
        long d = dstOffset;
        int left = len;
        for (int i = 0; i < c.count() && left > 0; i++) {
            int l = c.length(i);
            if (p >= l) {
                p -= l;
                continue;
            }
            int n = (int) Math.min(left, l - p);
            MemorySegment.copy(c.segment(i), c.offset(i) + p, dst, d, n);
            d += n;
            left -= n;
            p = 0;
        }
        if (left > 0) {
            throw new IndexOutOfBoundsException("copy of " + len + " bytes at " + pos + " beyond the chain");
        }
    }

    /** Copies {@code len} bytes from {@code src} into the chain's buffers starting at byte {@code pos}. */
    static void copyIn(MemorySegment src, long srcOffset, DescriptorChain c, long pos, int len) {
        long p = pos;
        long s = srcOffset;
        int left = len;
        for (int i = 0; i < c.count() && left > 0; i++) {
            int l = c.length(i);
            if (p >= l) {
                p -= l;
                continue;
            }
            int n = (int) Math.min(left, l - p);
            MemorySegment.copy(src, s, c.segment(i), c.offset(i) + p, n);
            s += n;
            left -= n;
            p = 0;
        }
        if (left > 0) {
            throw new IndexOutOfBoundsException("copy of " + len + " bytes at " + pos + " beyond the chain");
        }
    }
}
