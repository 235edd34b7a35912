package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;

/**
 * A transport or control protocol above IP (ICMP, ICMPv6, UDP, TCP), looked up
 * by protocol number. The IP input has validated the IP header and found the
 * packet addressed to the stack; {@link Inbound} says where it came from and
 * where its payload lies.
 */
interface ProtocolHandler {

    /**
     * Takes one packet for this protocol. Returns true if it kept the frame (it
     * owns it now: queued it, or sent it out again as an answer); on false the
     * caller releases the frame. Must not throw on any content of the frame.
     */
    boolean input(Inbound in, Frame f, PathContext ctx);
}
