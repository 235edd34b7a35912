package io.pktstack.core.internal;

import io.pktstack.api.stack.Tunable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The stack's tunables by their sysctl names. Each reads the value in effect
 * from where the stack keeps it and, if writable, applies a new one there at
 * once; nothing here is a copy that could go stale.
 *
 * <p>They are defined on first use, not when the stack starts: each is a pair
 * of lambdas, and a start that spun a hundred lambda classes (interpreted, on
 * a CPU that three other starting instances want) for a sysctl nobody may run
 * paid for them on every launch.
 */
final class Tunables {

    private record Def(String name, long min, long max, String description, LongSupplier get, LongConsumer set,
            List<String> symbols) {
        Tunable snapshot() {
            return new Tunable(name, get.getAsLong(), min, max, set != null, description, symbols);
        }
    }

    private final TreeMap<String, Def> defs = new TreeMap<>();
    private final Consumer<Tunables> definitions;
    private boolean defined; // guarded by this

    /** @param definitions defines every tunable (with {@link #define} and its kin) when one is first wanted */
    Tunables(Consumer<Tunables> definitions) {
        this.definitions = definitions;
    }

    /** The definitions, made on the first call. */
    private synchronized TreeMap<String, Def> defs() {
        if (!defined) {
            try {
                definitions.accept(this);
            } catch (RuntimeException | Error e) {
                defs.clear(); // none rather than some: the next call tries again
                throw e;
            }
            defined = true;
        }
        return defs;
    }

    /** Defines a tunable; {@code set == null} makes it read-only. */
    void define(String name, long min, long max, String description, LongSupplier get, LongConsumer set) {
        defs.put(name, new Def(name, min, max, description, get, set, List.of()));
    }

    /** A tunable whose values name things: value i is {@code symbols.get(i)}. */
    void defineSymbolic(String name, List<String> symbols, String description, LongSupplier get, LongConsumer set) {
        defs.put(name, new Def(name, 0, symbols.size() - 1, description, get, set, List.copyOf(symbols)));
    }

    /** An on/off tunable (0 or 1). */
    void defineSwitch(String name, String description, java.util.function.BooleanSupplier get,
            java.util.function.Consumer<Boolean> set) {
        define(name, 0, 1, description + " (0 off, 1 on)", () -> get.getAsBoolean() ? 1 : 0, v -> set.accept(v != 0));
    }

    List<Tunable> all() {
        List<Tunable> out = new ArrayList<>();
        for (Def d : defs().values()) {
            out.add(d.snapshot());
        }
        return out;
    }

    /** Checks every value first, then sets them in order: a bad one changes nothing. */
    synchronized List<Tunable> set(Map<String, Long> values) {
        for (Map.Entry<String, Long> v : values.entrySet()) {
            Def d = require(v.getKey());
            if (d.set == null) {
                throw new IllegalArgumentException("'" + d.name + "' is read-only");
            }
            if (v.getValue() < d.min || v.getValue() > d.max) {
                throw new IllegalArgumentException("value " + v.getValue() + " of '" + d.name + "' out of range "
                        + d.min + ".." + d.max);
            }
        }
        List<Tunable> out = new ArrayList<>();
        for (Map.Entry<String, Long> v : values.entrySet()) {
            Def d = defs().get(v.getKey());
            d.set.accept(v.getValue());
            out.add(d.snapshot());
        }
        return out;
    }

    private Def require(String name) {
        Def d = defs().get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown tunable '" + name + "'");
        }
        return d;
    }
}
