package dev.wan.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parses {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}, plain seconds, or ISO-8601 {@code PT5M}; never negative. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        Duration d = parse(value, v);
        if (d.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is negative: a duration is 0 or more"
                    + " (e.g. 90s, 5m, 2h, 1d)");
        }
        return d;
    }

    private static Duration parse(String value, String v) {
        try {
            if (v.startsWith("p")) {
                return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
            }
            char unit = v.charAt(v.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use e.g. 90s, 5m, 2h, 1d");
        }
    }
}
