package io.pktstack.shell.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.InetAddress;

/** What {@code route add} or {@code route delete} did, in route(8)'s words. */
record RouteChange(RouteRequest request) implements Report {

    @Override
    public String render() {
        InterfaceAddress d = request.destination();
        String dest = d.prefixLength() == 0 ? "default" : InterfaceList.format(d.address()) + "/" + d.prefixLength();
        InetAddress gw = request.gateway();
        return (request.delete() ? "delete net " + dest : "add net " + dest + ": gateway " + InterfaceList.format(gw))
                + "\n";
    }
}
