import FleetCore
import FleetHTTP
import Foundation

/// Markup that is safe to send. Interpolating a `String` escapes it; interpolating `HTML` keeps it.
/// Every dynamic value in the dashboard goes through this type, so untrusted text (nicknames, fault
/// messages, journal bodies) can never become markup.
struct HTML: ExpressibleByStringInterpolation, Sendable {
    private(set) var text: String

    /// Markup written by this code, never by a user.
    init(trusted text: String) { self.text = text }

    init(stringLiteral value: String) { text = value }

    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    static let empty = HTML(trusted: "")

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }

        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        mutating func appendInterpolation(_ markup: HTML) { text += markup.text }
        mutating func appendInterpolation(_ list: [HTML]) { for markup in list { text += markup.text } }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        /// A number with a fixed count of decimals (no locale, no exponent).
        mutating func appendInterpolation(_ value: Double, decimals: Int) { text += HTML.format(value, decimals: decimals) }
    }

    /// Escapes text for HTML (the one escaping every fleetmock page uses).
    static func escape(_ value: String) -> String { HTMLEscaping.escape(value) }

    static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        return String(format: "%.\(max(0, min(decimals, 6)))f", value)
    }

    /// Joins pieces of markup.
    static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.text).joined(separator: separator.text))
    }
}

/// A path segment for a link: percent-encodes everything but unreserved characters.
func pathSegment(_ value: String) -> String {
    PercentEncoding.escape(value)
}
