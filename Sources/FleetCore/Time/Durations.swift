import Foundation

/// Parses durations such as `90s`, `15m`, `2h`, `1h30m`, `500ms`, `3d` (Go's units plus days).
public enum DurationText {
    /// Seconds in `text`, or `nil` when it is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("ns", 1e-9),
                                         ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if rest.hasPrefix("-") { negative = true; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return negative ? -total : total
    }
}

/// RFC 3339 timestamps as the vendors write them (UTC, `Z`, milliseconds).
public enum Timestamp {
    /// `2026-11-21T10:00:00.000Z`.
    public static func millis(_ date: Date) -> String {
        let totalMs = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let wholeSeconds = Int64((Double(totalMs) / 1000).rounded(.down))
        let ms = totalMs - wholeSeconds * 1000
        let base = seconds(Date(timeIntervalSince1970: Double(wholeSeconds)))
        return String(base.dropLast()) + "." + String(format: "%03d", Int(ms)) + "Z"
    }

    /// Milliseconds since the Unix epoch.
    public static func epochMillis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `2026-11-21T10:00:00Z`.
    public static func seconds(_ date: Date) -> String {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
        return date.formatted(style)
    }

    /// Parses RFC 3339 with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(text) { return date }
        return nil
    }
}
