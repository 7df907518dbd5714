import FleetCore
import Foundation

/// One place where an observed value differs from what a scenario expects.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    /// Where, e.g. `error.retry_after` or `result.vehicles[0]`.
    public var path: String
    public var expected: String
    public var observed: String

    public var description: String { "\(path.isEmpty ? "(value)" : path): expected \(expected), observed \(observed)" }
}

/// Compares an observed JSON value with a scenario's MATCH (see scenarios/README.md, "Matching").
public enum OutcomeMatcher {
    /// Every mismatch between `expected` and `observed`; empty when they match.
    public static func mismatches(expected: JSONValue, observed: JSONValue?, path: String = "") -> [Mismatch] {
        if let matcher = Matcher(expected) {
            return matcher.check(observed).map { [Mismatch(path: path, expected: $0, observed: describe(observed))] } ?? []
        }
        guard let observed else { return [Mismatch(path: path, expected: describe(expected), observed: "nothing (absent)")] }
        switch expected {
        case .object(let pairs):
            guard observed.objectValue != nil else { return [Mismatch(path: path, expected: "an object", observed: describe(observed))] }
            return pairs.flatMap { key, value in
                mismatches(expected: value, observed: observed[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        case .array(let items):
            guard let list = observed.arrayValue else { return [Mismatch(path: path, expected: "a list", observed: describe(observed))] }
            guard list.count == items.count else {
                return [Mismatch(path: path, expected: "\(items.count) items \(describe(expected))", observed: "\(list.count) items \(describe(observed))")]
            }
            return zip(items, list).enumerated().flatMap { index, pair in
                mismatches(expected: pair.0, observed: pair.1, path: "\(path)[\(index)]")
            }
        default:
            return expected == observed ? [] : [Mismatch(path: path, expected: describe(expected), observed: describe(observed))]
        }
    }

    /// Short JSON text of a value, for messages.
    public static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "nothing (absent)" }
        let text = value.text
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// A `{$…: …}` matcher.
    private enum Matcher {
        case type(String)
        case present(Bool)
        case compare(String, Double)
        case approx(Double, Double)
        case regex(String)
        case contains(JSONValue)
        case length(Int)
        case any

        init?(_ value: JSONValue) {
            guard let pairs = value.objectValue, let first = pairs.first, first.0.hasPrefix("$") else { return nil }
            switch (first.0, first.1, pairs.count) {
            case ("$type", .string(let name), 1): self = .type(name)
            case ("$present", .bool(let flag), 1): self = .present(flag)
            case ("$absent", .bool(let flag), 1): self = .present(!flag)
            case ("$gt", _, 1), ("$gte", _, 1), ("$lt", _, 1), ("$lte", _, 1):
                guard let bound = first.1.doubleValue else { return nil }
                self = .compare(first.0, bound)
            case ("$approx", _, 2):
                guard let target = first.1.doubleValue, let within = value["$within"]?.doubleValue else { return nil }
                self = .approx(target, within)
            case ("$regex", .string(let pattern), 1): self = .regex(pattern)
            case ("$contains", let needle, 1): self = .contains(needle)
            case ("$len", _, 1):
                guard let count = first.1.intValue else { return nil }
                self = .length(Int(count))
            case ("$any", _, 1): self = .any
            default: return nil
            }
        }

        /// nil when `observed` satisfies the matcher, else what was expected.
        func check(_ observed: JSONValue?) -> String? {
            switch self {
            case .any: return nil
            case .present(let present):
                return (observed != nil) == present ? nil : (present ? "a value" : "no such key")
            case .type(let name):
                guard let observed else { return "a \(name)" }
                let actual: String
                switch observed {
                case .null: actual = "null"
                case .bool: actual = "boolean"
                case .number, .integer: actual = "number"
                case .string: actual = "string"
                case .array: actual = "array"
                case .object: actual = "object"
                }
                return actual == name ? nil : "a \(name)"
            case .compare(let op, let bound):
                let symbol = ["$gt": ">", "$gte": "≥", "$lt": "<", "$lte": "≤"][op] ?? op
                guard let number = observed?.doubleValue else { return "a number \(symbol) \(bound)" }
                let holds: Bool
                switch op {
                case "$gt": holds = number > bound
                case "$gte": holds = number >= bound
                case "$lt": holds = number < bound
                default: holds = number <= bound
                }
                return holds ? nil : "a number \(symbol) \(bound)"
            case .approx(let target, let within):
                guard let number = observed?.doubleValue, abs(number - target) <= within else { return "\(target) ± \(within)" }
                return nil
            case .regex(let pattern):
                guard let text = observed?.stringValue, text.range(of: pattern, options: .regularExpression) != nil else {
                    return "a string matching /\(pattern)/"
                }
                return nil
            case .contains(let needle):
                if let text = observed?.stringValue, let part = needle.stringValue { return text.contains(part) ? nil : "a string containing \(needle.text)" }
                if let list = observed?.arrayValue {
                    return list.contains { OutcomeMatcher.mismatches(expected: needle, observed: $0).isEmpty } ? nil : "a list containing \(needle.text)"
                }
                return "something containing \(needle.text)"
            case .length(let count):
                let actual = observed?.arrayValue?.count ?? observed?.stringValue?.count ?? observed?.objectValue?.count
                return actual == count ? nil : "length \(count)"
            }
        }
    }
}
