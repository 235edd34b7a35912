package io.pktstack.shell.internal;

import io.pktstack.api.stack.Impairment;
import java.util.Map;

/** {@code impair IF}: the settings in effect and what the impairment did, or that there is none. */
record ImpairReport(String ifName, Impairment impairment) implements Report {

    @Override
    public String render() {
        if (impairment == null) {
            return ifName + ": no impairment\n";
        }
        StringBuilder sb = new StringBuilder(ifName).append(": loss ").append(pct(impairment.lossPercent()))
                .append(" duplicate ").append(pct(impairment.duplicatePercent())).append(" reorder ")
                .append(pct(impairment.reorderPercent())).append(" delay ").append(impairment.delayMillis())
                .append(" ms corrupt ").append(pct(impairment.corruptPercent())).append('\n');
        for (Map.Entry<String, Long> c : impairment.counters().entrySet()) {
            sb.append('\t').append(c.getValue()).append(" frames ").append(c.getKey()).append('\n');
        }
        return sb.toString();
    }

    private static String pct(double p) {
        return (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)) + "%";
    }
}
