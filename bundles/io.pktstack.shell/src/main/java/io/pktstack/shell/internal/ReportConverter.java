package io.pktstack.shell.internal;

import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;

/** Gogo converter that renders every {@link Report} a command returns, on the console and through ctl alike. */
@Component(service = Converter.class)
public final class ReportConverter implements Converter {

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        return null; // we only format
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        if (target instanceof Report r) {
            String s = r.render();
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        }
        return null;
    }
}
