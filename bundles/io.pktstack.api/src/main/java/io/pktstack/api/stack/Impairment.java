package io.pktstack.api.stack;

import java.util.Map;

/**
 * Fault injection on an interface ({@code impair}), for both its directions:
 * each percentage is the chance for one frame, drawn independently. A frame
 * that is reordered is held back so that later frames overtake it; delayed
 * frames keep their order. Corruption flips one bit behind the Ethernet header
 * so that a checksum somewhere above must catch it.
 *
 * @param lossPercent frames dropped
 * @param duplicatePercent frames sent twice
 * @param reorderPercent frames held back behind the ones after them
 * @param delayMillis every frame delayed by this much
 * @param corruptPercent frames with one bit flipped
 * @param counters what the impairment did so far, by name (read-only; empty when setting)
 * @since 1.2
 */
public record Impairment(double lossPercent, double duplicatePercent, double reorderPercent, long delayMillis,
        double corruptPercent, Map<String, Long> counters) {

    public Impairment {
        check("loss", lossPercent);
        check("duplicate", duplicatePercent);
        check("reorder", reorderPercent);
        check("corrupt", corruptPercent);
        if (delayMillis < 0 || delayMillis > 10_000) {
            throw new IllegalArgumentException("delay " + delayMillis + " ms out of range 0..10000");
        }
        counters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counters)); // in order
    }

    /** Settings without counters. */
    public Impairment(double lossPercent, double duplicatePercent, double reorderPercent, long delayMillis,
            double corruptPercent) {
        this(lossPercent, duplicatePercent, reorderPercent, delayMillis, corruptPercent, Map.of());
    }

    private static void check(String what, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException(what + " " + percent + " % out of range 0..100");
        }
    }

    /** True if it changes nothing (all zero). */
    public boolean isNone() {
        return lossPercent == 0 && duplicatePercent == 0 && reorderPercent == 0 && delayMillis == 0
                && corruptPercent == 0;
    }
}
