package io.pktstack.board.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A profile's configurations other than driver instances, applied through
 * ConfigurationAdmin as the Feature specification describes ({@code PID} or
 * {@code FACTORY~NAME}), remembering what each replaced so a failed apply can
 * put it back.
 */
final class Configurations {

    private final ConfigurationAdmin admin;

    Configurations(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    Undo undo() {
        return new Undo();
    }

    /** The configurations one apply changed, with their earlier properties ({@code null}: there was none). */
    final class Undo {
        private record Change(Configuration configuration, Dictionary<String, Object> before) {
        }

        private final List<Change> changes = new ArrayList<>();

        void apply(String where, String pid, Map<String, Object> values) {
            try {
                int tilde = pid.indexOf('~');
                Configuration c = tilde < 0 ? admin.getConfiguration(pid, "?")
                        : admin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?");
                Dictionary<String, Object> before = c.getProperties();
                changes.add(new Change(c, before == null ? null : copy(before)));
                c.update(new Hashtable<>(values));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(where + ": configuration '" + pid + "': " + e.getMessage(), e);
            }
        }

        void revert() {
            for (int i = changes.size() - 1; i >= 0; i--) {
                Change ch = changes.get(i);
                try {
                    if (ch.before == null) {
                        ch.configuration.delete();
                    } else {
                        ch.configuration.update(ch.before);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // deleted meanwhile: nothing left to put back
                }
            }
            changes.clear();
        }

        private static Dictionary<String, Object> copy(Dictionary<String, Object> d) {
            Hashtable<String, Object> h = new Hashtable<>();
            for (var keys = d.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                h.put(k, d.get(k));
            }
            return h;
        }
    }
}
