import Foundation

/// A CEL value while a condition is evaluated.
public enum CELValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case list([CELValue])
    case map([String: CELValue])

    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }
}

/// Evaluates a condition the check (`CELCondition.check`) accepted, over concrete variables: literals, variables
/// (dotted ones like `value.latitude` too), the operators with CEL's cross-type numeric comparisons, `in`,
/// indexing, `size`, `int`/`double`/`string`, the string methods `contains`/`startsWith`/`endsWith`, and upstream's
/// `geoDistance(lat1, lon1, lat2, lon2)` in kilometres (haversine). Anything else does not evaluate.
struct CELEvaluator {
    struct Failure: Error {}

    let literals: [Int: CELToken]
    let variables: [String: CELValue]

    func eval(_ node: CELNode) throws -> CELValue {
        switch node {
        case .literal(let type, let offset):
            return try literal(type, offset)
        case .ident(let name, _):
            guard let value = variables[name] else { throw Failure() }
            return value
        case .select(let base, let field, _):
            if let path = Self.path(base), let value = variables["\(path).\(field)"] { return value }
            guard case .map(let fields) = try eval(base), let value = fields[field] else { throw Failure() }
            return value
        case .list(let items, _):
            return .list(try items.map(eval))
        case .map(let items, _):
            var out: [String: CELValue] = [:]
            var index = 0
            while index + 1 < items.count {
                guard case .string(let key) = try eval(items[index]) else { throw Failure() }
                out[key] = try eval(items[index + 1])
                index += 2
            }
            return .map(out)
        case .call(let name, let args, _):
            return try call(name, args)
        case .method(let receiver, let name, let args, _):
            return try method(try eval(receiver), name, try args.map(eval))
        }
    }

    /// `value.latitude` as a dotted name, when the node is a chain of identifiers.
    static func path(_ node: CELNode) -> String? {
        switch node {
        case .ident(let name, _): return name
        case .select(let base, let field, _): return path(base).map { "\($0).\(field)" }
        default: return nil
        }
    }

    func literal(_ type: CELType, _ offset: Int) throws -> CELValue {
        guard let token = literals[offset] else { throw Failure() }
        var text = token.text
        switch type {
        case .bool: return .bool(text == "true")
        case .null: return .null
        case .int:
            if text.lowercased().hasPrefix("0x") { return .int(Int64(text.dropFirst(2), radix: 16) ?? 0) }
            guard let value = Int64(text) else { throw Failure() }
            return .int(value)
        case .uint:
            text.removeLast()
            if text.lowercased().hasPrefix("0x") { return .uint(UInt64(text.dropFirst(2), radix: 16) ?? 0) }
            guard let value = UInt64(text) else { throw Failure() }
            return .uint(value)
        case .double:
            guard let value = Double(text) else { throw Failure() }
            return .double(value)
        case .string:
            return .string(Self.unquote(text))
        default:
            throw Failure()
        }
    }

    /// A string literal's value: prefix and quotes removed, the common escapes decoded (none in raw strings).
    static func unquote(_ literal: String) -> String {
        var text = Substring(literal)
        var raw = false
        while let first = text.first, "rRbB".contains(first) {
            if first == "r" || first == "R" { raw = true }
            text = text.dropFirst()
        }
        let quoteLength = text.hasPrefix("\"\"\"") || text.hasPrefix("'''") ? 3 : 1
        text = text.dropFirst(quoteLength).dropLast(quoteLength)
        guard !raw else { return String(text) }
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    func call(_ name: String, _ args: [CELNode]) throws -> CELValue {
        switch name {
        case "_&&_", "_||_":
            let isAnd = name == "_&&_"
            // CEL's commutative logic: a decisive side wins even when the other does not evaluate.
            let left = try? eval(args[0])
            if left == .bool(!isAnd) { return .bool(!isAnd) }
            let right = try eval(args[1])
            if right == .bool(!isAnd) { return .bool(!isAnd) }
            guard left == .bool(isAnd), right == .bool(isAnd) else { throw Failure() }
            return .bool(isAnd)
        case "_?_:_":
            guard case .bool(let condition) = try eval(args[0]) else { throw Failure() }
            return try eval(condition ? args[1] : args[2])
        default:
            break
        }
        let values = try args.map(eval)
        switch (name, values.count) {
        case ("!_", 1):
            guard case .bool(let b) = values[0] else { throw Failure() }
            return .bool(!b)
        case ("-_", 1):
            switch values[0] {
            case .int(let i): return .int(-i)
            case .double(let d): return .double(-d)
            default: throw Failure()
            }
        case ("_==_", 2): return .bool(try Self.equal(values[0], values[1]))
        case ("_!=_", 2): return .bool(!(try Self.equal(values[0], values[1])))
        case ("_<_", 2): return .bool(try Self.compare(values[0], values[1]) < 0)
        case ("_<=_", 2): return .bool(try Self.compare(values[0], values[1]) <= 0)
        case ("_>_", 2): return .bool(try Self.compare(values[0], values[1]) > 0)
        case ("_>=_", 2): return .bool(try Self.compare(values[0], values[1]) >= 0)
        case ("_+_", 2), ("_-_", 2), ("_*_", 2), ("_/_", 2), ("_%_", 2):
            return try Self.arithmetic(name, values[0], values[1])
        case ("@in", 2):
            switch values[1] {
            case .list(let items): return .bool(try items.contains { try Self.equal(values[0], $0) })
            case .map(let fields):
                guard case .string(let key) = values[0] else { throw Failure() }
                return .bool(fields[key] != nil)
            default: throw Failure()
            }
        case ("_[_]", 2):
            switch (values[0], values[1]) {
            case (.list(let items), .int(let index)) where index >= 0 && index < items.count: return items[Int(index)]
            case (.map(let fields), .string(let key)):
                guard let value = fields[key] else { throw Failure() }
                return value
            default: throw Failure()
            }
        case ("size", 1): return try method(values[0], "size", [])
        case ("int", 1):
            switch values[0] {
            case .int: return values[0]
            case .uint(let u): return .int(Int64(clamping: u))
            case .double(let d) where d.isFinite && abs(d) < 9.2e18: return .int(Int64(d))
            case .string(let s): return .int(try Int64(s) ?? { throw Failure() }())
            default: throw Failure()
            }
        case ("double", 1):
            if let n = values[0].number { return .double(n) }
            if case .string(let s) = values[0], let d = Double(s) { return .double(d) }
            throw Failure()
        case ("string", 1):
            switch values[0] {
            case .string: return values[0]
            case .int(let i): return .string(String(i))
            case .uint(let u): return .string(String(u))
            case .double(let d): return .string(String(d))
            case .bool(let b): return .string(b ? "true" : "false")
            default: throw Failure()
            }
        case ("geoDistance", 4):
            let numbers = values.compactMap(\.number)
            guard numbers.count == 4 else { throw Failure() }
            return .double(Self.haversineKm(numbers[0], numbers[1], numbers[2], numbers[3]))
        default:
            throw Failure()
        }
    }

    func method(_ receiver: CELValue, _ name: String, _ args: [CELValue]) throws -> CELValue {
        switch (receiver, name, args.count) {
        case (.string(let s), "size", 0): return .int(Int64(s.unicodeScalars.count))
        case (.list(let items), "size", 0): return .int(Int64(items.count))
        case (.map(let fields), "size", 0): return .int(Int64(fields.count))
        case (.string(let s), "contains", 1):
            guard case .string(let part) = args[0] else { throw Failure() }
            return .bool(part.isEmpty || s.contains(part))
        case (.string(let s), "startsWith", 1):
            guard case .string(let part) = args[0] else { throw Failure() }
            return .bool(s.hasPrefix(part))
        case (.string(let s), "endsWith", 1):
            guard case .string(let part) = args[0] else { throw Failure() }
            return .bool(s.hasSuffix(part))
        default:
            throw Failure()
        }
    }

    static func equal(_ a: CELValue, _ b: CELValue) throws -> Bool {
        if let x = a.number, let y = b.number { return x == y }
        return a == b
    }

    static func compare(_ a: CELValue, _ b: CELValue) throws -> Int {
        if let x = a.number, let y = b.number { return x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default: throw Failure()
        }
    }

    static func arithmetic(_ op: String, _ a: CELValue, _ b: CELValue) throws -> CELValue {
        if op == "_+_" {
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            default: break
            }
        }
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case "_+_": let (r, o) = x.addingReportingOverflow(y); if o { throw Failure() }; return .int(r)
            case "_-_": let (r, o) = x.subtractingReportingOverflow(y); if o { throw Failure() }; return .int(r)
            case "_*_": let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw Failure() }; return .int(r)
            case "_/_": guard y != 0 else { throw Failure() }; return .int(x / y)
            default: guard y != 0 else { throw Failure() }; return .int(x % y)
            }
        }
        guard let x = a.number, let y = b.number else { throw Failure() }
        switch op {
        case "_+_": return .double(x + y)
        case "_-_": return .double(x - y)
        case "_*_": return .double(x * y)
        case "_/_": return .double(x / y)
        default: throw Failure()
        }
    }

    static func haversineKm(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 6371.0
        let dLat = (lat2 - lat1) * .pi / 180
        let dLon = (lon2 - lon1) * .pi / 180
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * .pi / 180) * cos(lat2 * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * atan2(sqrt(a), sqrt(1 - a))
    }
}
