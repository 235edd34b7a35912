package io.pktstack.api.options;

/**
 * One {@code -d NAME [suboptions]} of an io-pkt command line.
 *
 * @param driver the driver name ({@code e1000}, {@code vdevpeer-net}, …)
 * @param options its suboptions, possibly empty
 */
public record DriverSpec(String driver, SubOptions options) {

    @Override
    public String toString() {
        return options.isEmpty() ? "-d " + driver : "-d " + driver + " " + options;
    }
}
