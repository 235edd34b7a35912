package io.pktstack.shell.internal;

import java.util.List;

/** Several reports of one kind ({@code brconfig -a}, {@code nicinfo} with no interface), one after the other. */
record ReportList(List<? extends Report> reports, String separator) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Report r : reports) {
            sb.append(r.render()).append(separator);
        }
        return sb.toString();
    }
}
