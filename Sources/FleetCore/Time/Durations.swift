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
        let totalMs = date.epochMillis
        let wholeSeconds = Int64((Double(totalMs) / 1000).rounded(.down))
        let ms = totalMs - wholeSeconds * 1000
        if let fast = utc(wholeSeconds, millis: Int(ms)) { return fast }
        let base = seconds(Date(timeIntervalSince1970: Double(wholeSeconds)))
        return String(base.dropLast()) + "." + String(format: "%03d", Int(ms)) + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` by arithmetic (days to a civil date in the proleptic Gregorian
    /// calendar), for years 1970-9999; nil outside them. Every response carries timestamps, and a
    /// formatter per call showed in profiles.
    static func utc(_ epochSeconds: Int64, millis: Int?) -> String? {
        guard epochSeconds >= 0, epochSeconds < 253_402_300_800 else { return nil }
        let days = epochSeconds / 86400, secondOfDay = Int(epochSeconds % 86400)
        // Civil from days (shifted to an era starting on 0000-03-01).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        if let millis {
            out.append(UInt8(ascii: "."))
            digits(millis, 3)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-21T10:00:00Z`.
    public static func seconds(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        if whole.isFinite, abs(whole) < 1e15, let fast = utc(Int64(whole), millis: nil) { return fast }
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
