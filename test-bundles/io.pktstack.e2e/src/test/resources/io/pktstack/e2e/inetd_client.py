#!/usr/bin/env python3
"""Linux's end of InetdIT: talks to the stack's inetd services and checks their answers.

  inetd_client.py echo-many HOST PORT N SIZE   N connections open at once, distinct data on each,
                                                every byte echoed; then FIN, and echo closes
  inetd_client.py tcp SERVICE HOST PORT         one connection to discard, chargen or daytime
  inetd_client.py udp SERVICE HOST PORT         one datagram to echo, discard, chargen or daytime
Prints one line "ok ..." and exits 0, or explains and exits 1.
"""
import random, re, socket, sys, time

CHARGEN = bytes(range(32, 127))
CTIME = re.compile(rb"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d "
                   rb"\d\d:\d\d:\d\d \d{4}\r\n$")


def fail(msg):
    print("FAILED: " + msg)
    sys.exit(1)


def chargen_line(n):
    start = n % 95
    ring = CHARGEN + CHARGEN
    return ring[start:start + 72] + b"\r\n"


def recv_exactly(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def recv_all(s):
    buf = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return bytes(buf)
        buf += chunk


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def echo_many(host, port, n, size):
    conns = []
    for i in range(n):
        s = socket.socket(family(host), socket.SOCK_STREAM)
        s.settimeout(60)
        s.connect((host, port))
        conns.append(s)
    # every connection is open before any data moves: n at once
    data = [random.Random(i).randbytes(size) + b"connection %d" % i for i in range(n)]
    for s, d in zip(conns, data):
        s.sendall(d)
    for i, (s, d) in enumerate(zip(conns, data)):
        got = recv_exactly(s, len(d))
        if got != d:
            fail("connection %d: %d of %d bytes echoed, first difference at %s" % (
                i, len(got), len(d), next((k for k in range(len(got)) if got[k] != d[k]), len(got))))
    for i, s in enumerate(conns):
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            fail("connection %d: echo sent more than it got" % i)
        s.close()
    print("ok %d connections, %d bytes echoed" % (n, sum(len(d) for d in data)))


def tcp(service, host, port):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect((host, port))
    if service == "discard":
        payload = random.Random(9).randbytes(100000)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        if recv_all(s) != b"":
            fail("discard answered")
        print("ok discard took %d bytes" % len(payload))
    elif service == "chargen":
        got = recv_exactly(s, 74 * 200)
        want = b"".join(chargen_line(k) for k in range(200))
        if got != want:
            fail("chargen pattern differs: %r" % got[:148])
        print("ok chargen %d bytes in RFC 864's pattern" % len(got))
    elif service == "daytime":
        got = recv_all(s)
        if not CTIME.match(got):
            fail("daytime said %r" % got)
        print("ok daytime %r" % got.decode())
    else:
        fail("no TCP check for " + service)
    s.close()


def udp(service, host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    payload = b"datagram for " + service.encode()
    for attempt in range(5):
        s.sendto(payload, (host, port))
        if service == "discard":
            try:
                s.recvfrom(2048)
                fail("discard answered")
            except socket.timeout:
                print("ok discard answered nothing")
                return
        try:
            got, src = s.recvfrom(2048)
        except socket.timeout:
            continue  # the first datagram may wait for ARP/ND; UDP may drop it
        if src[1] != port:
            fail("answer from port %d" % src[1])
        if service == "echo" and got != payload:
            fail("echo answered %r" % got)
        if service == "chargen" and (len(got) != 74 or got[72:] != b"\r\n"
                                     or got[:72] != (CHARGEN + CHARGEN)[CHARGEN.index(got[0]):][:72]):
            fail("chargen answered %r" % got)
        if service == "daytime" and not CTIME.match(got):
            fail("daytime answered %r" % got)
        print("ok %s answered %r" % (service, got.decode()))
        return
    fail("no answer from %s" % service)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "echo-many":
        echo_many(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif what == "tcp":
        tcp(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif what == "udp":
        udp(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        fail("unknown check " + what)
