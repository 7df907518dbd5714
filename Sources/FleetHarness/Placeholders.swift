import FleetCore
import Foundation

/// Replaces `${dotted.path}` in strings with values from a sandbox's credentials JSON.
public struct Placeholders: Sendable {
    /// The values placeholders read from (the JSON of `GET /__fleetmock/sandboxes/{id}`).
    public var context: JSONValue

    public init(context: JSONValue) { self.context = context }

    /// An unknown placeholder.
    public struct Unresolved: Error, CustomStringConvertible {
        public var placeholder: String
        public var description: String { "unknown placeholder ${\(placeholder)}" }
    }

    /// `value` with every placeholder replaced. A string that is exactly one placeholder takes the
    /// value's JSON type.
    public func apply(_ value: JSONValue) throws -> JSONValue {
        switch value {
        case .string(let text): return try substitute(text)
        case .array(let items): return .array(try items.map(apply))
        case .object(let pairs): return .object(try pairs.map { ($0.0, try apply($0.1)) })
        default: return value
        }
    }

    /// These placeholders plus `saved.<name>` = `value` (a step's kept result).
    public func saving(_ name: String, _ value: JSONValue) -> Placeholders {
        guard case .object(var pairs) = context else { return self }
        var saved = context["saved"]?.objectValue ?? []
        saved.removeAll { $0.0 == name }
        saved.append((name, value))
        pairs.removeAll { $0.0 == "saved" }
        pairs.append(("saved", .object(saved)))
        return Placeholders(context: .object(pairs))
    }

    /// The value at a dotted path (`vehicles.0.vin`); a timestamp may be shifted by a duration:
    /// `clock.now - 1d`, `clock.now + 90m` (RFC 3339 in, RFC 3339 with seconds out).
    public func lookup(_ expression: String) -> JSONValue? {
        for sign in [" - ", " + "] {
            guard let range = expression.range(of: sign) else { continue }
            let base = String(expression[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            let offset = String(expression[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            guard let text = lookup(base)?.stringValue, let date = Timestamp.parse(text),
                  let seconds = DurationText.seconds(offset) else { return nil }
            return .string(Timestamp.seconds(date.addingTimeInterval(sign == " - " ? -seconds : seconds)))
        }
        return value(at: expression)
    }

    private func value(at path: String) -> JSONValue? {
        var current: JSONValue? = context
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let here = current else { return nil }
            if let index = Int(part), let list = here.arrayValue {
                current = list.indices.contains(index) ? list[index] : nil
            } else {
                current = here[String(part)]
            }
        }
        return current
    }

    private func substitute(_ text: String) throws -> JSONValue {
        guard text.contains("${") else { return .string(text) }
        if text.hasPrefix("${"), text.hasSuffix("}"), text.dropFirst(2).firstIndex(of: "}") == text.index(before: text.endIndex) {
            let path = String(text.dropFirst(2).dropLast())
            guard let value = lookup(path) else { throw Unresolved(placeholder: path) }
            return value
        }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                output += rest[start.lowerBound...]
                rest = ""
                break
            }
            let path = String(rest[start.upperBound..<end])
            guard let value = lookup(path) else { throw Unresolved(placeholder: path) }
            output += value.stringValue ?? value.text
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .string(output)
    }
}
