package io.pktstack.core.internal.tcp;

/** Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): comparisons valid for distances below 2^31. */
final class Seq {

    private Seq() {
    }

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** True if {@code lo <= x < hi}. */
    static boolean inRange(int x, int lo, int hi) {
        return x - lo >= 0 && x - hi < 0;
    }
}
