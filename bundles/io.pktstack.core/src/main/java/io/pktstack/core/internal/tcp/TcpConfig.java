package io.pktstack.core.internal.tcp;

import java.util.concurrent.TimeUnit;

/**
 * TCP's tunables ({@code sysctl net.inet.tcp.*}), read by connections when
 * they start and, for timers, whenever they arm one. BSD's names and, where
 * BSD's defaults suit a virtual link, its defaults.
 */
public final class TcpConfig {

    /** Default send buffer (net.inet.tcp.sendspace). */
    public volatile int sendSpace = 256 * 1024;
    /** Default receive buffer (net.inet.tcp.recvspace); also sets the window scale offered. */
    public volatile int recvSpace = 256 * 1024;
    /** MSS assumed when the peer sends no MSS option (net.inet.tcp.mssdflt; RFC 9293 §3.7.1: 536). */
    public volatile int mssDefault = 536;
    /** Congestion control of new connections: "cubic" (default) or "newreno". */
    public volatile String congestionControl = "cubic";
    /** Delayed ACK: wait at most this long before acknowledging one segment (net.inet.tcp.delacktime, ms). */
    public volatile int delayedAckMillis = 40;
    /** 0 turns delayed ACKs off (net.inet.tcp.delayed_ack). */
    public volatile boolean delayedAck = true;
    public volatile int keepIdleSeconds = 7200;
    public volatile int keepIntervalSeconds = 75;
    public volatile int keepCount = 8;
    /** Maximum segment lifetime; TIME_WAIT lasts twice this (net.inet.tcp.msl, seconds). */
    public volatile int mslSeconds = 30;
    /** SACK (RFC 2018) offered and accepted (net.inet.tcp.sack.enable). */
    public volatile boolean sack = true;
    /** Window scaling and timestamps (RFC 7323; net.inet.tcp.rfc1323). */
    public volatile boolean rfc1323 = true;
    /** SYN cookies when the SYN queue is full (net.inet.tcp.syncookies). */
    public volatile boolean synCookies = true;
    /** Half-open connections a listener keeps before answering with cookies (net.inet.tcp.syncache.limit). */
    public volatile int synQueueLimit = 256;
    /** Lower bound of the retransmission timeout (net.inet.tcp.rexmit_min, ms). */
    public volatile int minRtoMillis = 200;
    /** Upper bound of the retransmission timeout (RFC 6298 (2.5): at least 60 s). */
    public volatile int maxRtoMillis = 60_000;
    /** Retransmissions of one segment before the connection is dropped (BSD TCP_MAXRXTSHIFT). */
    public volatile int maxRetransmits = 12;
    /** Retransmissions of a SYN or SYN-ACK before giving up. */
    public volatile int synRetries = 6;
    /** Challenge ACKs per second at most, stack-wide (RFC 5961 §7; net.inet.tcp.ack_on_limit). */
    public volatile int challengeAckLimit = 1000;
    /** Restart from the initial window after an idle RTO (RFC 5681 §4.1). */
    public volatile boolean slowStartAfterIdle = true;
    /** Seconds an orphaned connection may sit in FIN_WAIT_2 (net.inet.tcp.finwait2_timeout). */
    public volatile int finWait2Seconds = 60;

    long timeWaitNanos() {
        return TimeUnit.SECONDS.toNanos(2L * mslSeconds);
    }

    long minRtoNanos() {
        return TimeUnit.MILLISECONDS.toNanos(minRtoMillis);
    }

    long maxRtoNanos() {
        return TimeUnit.MILLISECONDS.toNanos(maxRtoMillis);
    }

    CongestionControl newCongestionControl() {
        return "newreno".equals(congestionControl) ? new NewReno() : new Cubic();
    }
}
