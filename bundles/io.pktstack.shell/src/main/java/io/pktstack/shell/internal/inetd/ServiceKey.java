package io.pktstack.shell.internal.inetd;

/** A service on a protocol, as inetd.conf pairs them: "echo/tcp". */
public record ServiceKey(InternalService service, boolean tcp) implements Comparable<ServiceKey> {

    @Override
    public String toString() {
        return service.serviceName() + "/" + (tcp ? "tcp" : "udp");
    }

    @Override
    public int compareTo(ServiceKey o) {
        int c = Integer.compare(service.port, o.service.port);
        return c != 0 ? c : Boolean.compare(o.tcp, tcp);
    }
}
