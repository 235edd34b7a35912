package io.pktstack.core.internal.dhcp;

import io.pktstack.core.internal.wire.Addresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DHCP server's memory of who has which address, per interface, and
 * where a new client's address comes from. Leases are kept after they expire
 * or are released, so a client that comes back (same MAC, after its own
 * restart or the host's) gets the address it had whenever nobody else holds
 * it; a new client gets an address never leased, else the one free longest.
 *
 * <p>Bound, released and declined leases are written to a file (ISC
 * dhcpd's {@code dhcpd.leases} in spirit: one line per lease, epoch seconds)
 * after every change and read at start, so a host restart does not hand an
 * address still leased to one guest to another. Offers are held in memory
 * only, for {@link #OFFER_HOLD_SECONDS}. Not thread-safe: the server
 * serialises calls.
 */
public final class LeaseTable {

    /** How long an offered address is kept for the client it was offered to (RFC 2131 §4.3.1 leaves it open). */
    public static final long OFFER_HOLD_SECONDS = 60;

    /** What a lease is now. */
    public enum State { OFFERED, ACTIVE, RELEASED, DECLINED }

    /** One client's address on one interface; {@code mac} is 0 for an address declined (its holder is unknown). */
    public record Lease(String ifName, long mac, int address, long expires, State state) {

        boolean liveAt(long now) {
            return expires - now > 0 && state != State.RELEASED;
        }
    }

    private final Path file;
    private final Map<String, List<Lease>> byIf = new HashMap<>();

    /** Leases from {@code file} if it exists (null: in memory only). Lines that do not parse are skipped and reported. */
    public LeaseTable(Path file, java.util.function.Consumer<String> warn) {
        this.file = file;
        if (file != null && Files.isRegularFile(file)) {
            try {
                int n = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    n++;
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#")) {
                        continue;
                    }
                    try {
                        Lease l = parseLine(t);
                        leases(l.ifName).add(l);
                    } catch (IllegalArgumentException e) {
                        warn.accept(file + ":" + n + ": " + e.getMessage() + " (line skipped)");
                    }
                }
            } catch (IOException e) {
                warn.accept("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    private List<Lease> leases(String ifName) {
        return byIf.computeIfAbsent(ifName, k -> new ArrayList<>());
    }

    /** Every lease, by interface then address. */
    public List<Lease> all() {
        List<Lease> out = new ArrayList<>();
        byIf.values().forEach(out::addAll);
        out.sort(Comparator.comparing(Lease::ifName).thenComparing(l -> Integer.toUnsignedLong(l.address())));
        return out;
    }

    /** {@code mac}'s lease on {@code ifName}, live or not, or null. */
    public Lease of(String ifName, long mac) {
        for (Lease l : leases(ifName)) {
            if (l.mac == mac && l.state != State.DECLINED) {
                return l;
            }
        }
        return null;
    }

    /** True if {@code address} on {@code ifName} is held at {@code now} by someone other than {@code mac}. */
    public boolean heldByOther(String ifName, int address, long mac, long now) {
        for (Lease l : leases(ifName)) {
            if (l.address == address && l.mac != mac && l.liveAt(now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The address to offer {@code mac} from {@code [start, end]} (unsigned
     * order), or 0 if every one is held: the one it had, else the one it asks
     * for, else one never leased, else the one free for longest. Addresses in
     * {@code reserved} (static bindings, the server's own) are never picked.
     */
    public int choose(String ifName, long mac, int requested, int start, int end, long now,
            java.util.function.IntPredicate reserved) {
        Lease mine = of(ifName, mac);
        if (mine != null && inRange(mine.address, start, end) && !reserved.test(mine.address)
                && !heldByOther(ifName, mine.address, mac, now)) {
            return mine.address;
        }
        if (requested != 0 && inRange(requested, start, end) && !reserved.test(requested)
                && !heldByOther(ifName, requested, mac, now)) {
            return requested;
        }
        Map<Integer, Long> lastUse = new HashMap<>();
        for (Lease l : leases(ifName)) {
            lastUse.merge(l.address, l.liveAt(now) ? Long.MAX_VALUE : l.expires, Math::max);
        }
        int best = 0;
        long bestFreeSince = Long.MAX_VALUE;
        for (long a = Integer.toUnsignedLong(start); a <= Integer.toUnsignedLong(end); a++) {
            int addr = (int) a;
            if (reserved.test(addr)) {
                continue;
            }
            Long used = lastUse.get(addr);
            if (used == null) {
                return addr; // never leased
            }
            if (used != Long.MAX_VALUE && used < bestFreeSince) {
                best = addr;
                bestFreeSince = used;
            }
        }
        return best;
    }

    static boolean inRange(int a, int start, int end) {
        return Integer.compareUnsigned(a, start) >= 0 && Integer.compareUnsigned(a, end) <= 0;
    }

    /**
     * Records {@code mac}'s lease of {@code address}, replacing whatever it had
     * on the interface and any record of another client for that address
     * (chosen because it was free); written to the file unless an offer.
     */
    public void put(String ifName, long mac, int address, long expires, State state) {
        List<Lease> l = leases(ifName);
        l.removeIf(x -> (x.mac == mac && x.state != State.DECLINED) || x.address == address);
        l.add(new Lease(ifName, mac, address, expires, state));
        if (state != State.OFFERED) {
            save();
        }
    }

    /** Forgets an offer that was not taken (the client chose another server). */
    public void dropOffer(String ifName, long mac) {
        leases(ifName).removeIf(x -> x.mac == mac && x.state == State.OFFERED);
    }

    /** Marks an address a client found in use (RFC 2131 §4.3.3): nobody gets it until {@code until}. */
    public void decline(String ifName, long mac, int address, long until) {
        List<Lease> l = leases(ifName);
        l.removeIf(x -> x.address == address);
        l.add(new Lease(ifName, 0, address, until, State.DECLINED));
        save();
    }

    /** The client gave its address back (RFC 2131 §4.3.4): kept as its last address, free for others. */
    public void release(String ifName, long mac, int address, long now) {
        Lease x = of(ifName, mac);
        if (x != null && x.address == address) {
            put(ifName, mac, address, now, State.RELEASED);
        }
    }

    /** Writes the table: a temporary file moved over the old one, so a crash leaves one or the other whole. */
    private void save() {
        if (file == null) {
            return;
        }
        StringBuilder b = new StringBuilder("# pktstack dhcpd leases: interface, client MAC, address, end of lease (epoch seconds), state\n");
        for (Lease l : all()) {
            if (l.state != State.OFFERED) {
                b.append("lease ").append(Addresses.text(l.address)).append(" { interface ").append(l.ifName)
                        .append("; hardware ethernet ").append(Addresses.mac(l.mac)).append("; ends ").append(l.expires)
                        .append("; state ").append(l.state.name().toLowerCase()).append("; }\n");
            }
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".new");
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the lease file " + file, e);
        }
    }

    /** {@code lease A { interface IF; hardware ethernet M; ends N; state S; }} */
    static Lease parseLine(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "lease (\\S+) \\{ interface (\\S+); hardware ethernet ([0-9a-f:]{17}); ends (-?\\d+); state (active|released|declined); \\}")
                .matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a lease line: " + line);
        }
        long mac = Long.parseLong(m.group(3).replace(":", ""), 16);
        return new Lease(m.group(2), mac, Addresses.parse(m.group(1)), Long.parseLong(m.group(4)),
                State.valueOf(m.group(5).toUpperCase()));
    }
}
