package io.pktstack.api.stack;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The test JVM's host resolver (registered in META-INF/services): it records
 * every name it is asked to look up and resolves none, so a test can show that
 * parsing an address never reaches DNS.
 */
public final class RecordingResolverProvider extends InetAddressResolverProvider {

    static final List<String> LOOKUPS = new CopyOnWriteArrayList<>();

    @Override
    public InetAddressResolver get(Configuration configuration) {
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.add(host);
                throw new UnknownHostException(host + " (test resolver resolves nothing)");
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                throw new UnknownHostException("test resolver resolves nothing");
            }
        };
    }

    @Override
    public String name() {
        return "pktstack-test-recording";
    }
}
