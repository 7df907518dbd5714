import Foundation

/// A check of webhook conditions: CEL's grammar (as cel-go parses it) and a light type check over the variables
/// the triggers API declares, so obviously invalid conditions are refused as upstream refuses them. Not a full
/// CEL implementation: macros and most functions are typed loosely, and syntax messages only approximate ANTLR's;
/// the layout follows cel-go (`ERROR: <input>:1:5: …\n | source\n | ....^`).
public enum CELCondition {
    public enum Kind: Sendable, Equatable {
        /// A signal webhook; the signal's value type (`float64`, `string`, `vss.Location`).
        case signal(valueType: String)
        case event
    }

    /// nil when the condition is accepted, else the error text (after upstream's `invalid CEL condition: `).
    public static func check(_ source: String, kind: Kind) -> String? {
        if case .failure(let rejection) = CELProgram.compile(source, kind: kind) { return rejection.message }
        return nil
    }

    /// The type check of a parsed condition: nil when accepted, else the error text.
    static func typeCheck(_ node: CELNode, scalars: [Unicode.Scalar], kind: Kind) -> String? {
        let functions: Set<String> = kind == .event ? [] : ["geoDistance"]
        let checker = CELChecker(variables: variables(for: kind), functions: functions)
        let type = checker.check(node)
        if let error = checker.error { return error.display(in: scalars) }
        // Upstream evaluates the program once on zero values and wants a bool.
        switch type {
        case .bool, .error:
            return nil
        case .dyn:
            if case .ident(let name, _) = node, let zero = zeroTypes(for: kind)[name] { return "output type is not bool: \(zero.valueName)" }
            return nil
        default:
            return "output type is not bool: \(type.valueName)"
        }
    }

    /// The variables of upstream's CEL environments (`source` typed as a string).
    static func variables(for kind: Kind) -> [String: CELType] {
        switch kind {
        case .signal:
            return [
                "valueNumber": .dyn, "valueString": .string, "value": .dyn,
                "value.latitude": .dyn, "value.longitude": .dyn, "value.hdop": .dyn, "source": .string,
                "previousValueNumber": .double, "previousValueString": .string, "previousValue": .dyn,
                "previousValue.latitude": .dyn, "previousValue.longitude": .dyn, "previousValue.hdop": .dyn,
                "previousSource": .string,
            ]
        case .event:
            return [
                "source": .string, "name": .string, "durationNs": .dyn, "metadata": .string,
                "previousSource": .string, "previousName": .string, "previousDurationNs": .dyn, "previousMetadata": .string,
            ]
        }
    }

    /// What the dynamic variables hold when upstream test-evaluates a condition.
    static func zeroTypes(for kind: Kind) -> [String: CELType] {
        switch kind {
        case .signal(let valueType):
            var out: [String: CELType] = ["valueNumber": .int]
            if valueType == "float64" { out["value"] = .int; out["previousValue"] = .int }
            if valueType == "string" { out["value"] = .string; out["previousValue"] = .string }
            return out
        case .event:
            return ["durationNs": .int, "previousDurationNs": .int]
        }
    }
}

enum CELType: Equatable, Sendable {
    case bool, int, uint, double, string, bytes, null, dyn, list, map, error

    /// As cel-go's checker prints types.
    var name: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .null: return "null_type"
        case .dyn: return "dyn"
        case .list: return "list(dyn)"
        case .map: return "map(dyn, dyn)"
        case .error: return "*error*"
        }
    }

    /// As cel-go prints the type of a value.
    var valueName: String {
        switch self {
        case .list: return "list"
        case .map: return "map"
        default: return name
        }
    }

    var isNumeric: Bool {
        switch self {
        case .int, .uint, .double: return true
        default: return false
        }
    }

    /// The types `size()` takes.
    static let sized: [CELType] = [.string, .bytes, .list, .map, .dyn]
}

/// A syntax or type error at a code-point offset of the source.
struct CELError: Error, Sendable {
    let offset: Int
    let message: String

    func display(in scalars: [Unicode.Scalar]) -> String {
        var line = 1
        var lineStart = 0
        var i = 0
        while i < offset, i < scalars.count {
            if scalars[i] == "\n" {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var lineEnd = lineStart
        while lineEnd < scalars.count, scalars[lineEnd] != "\n" { lineEnd += 1 }
        var snippet = ""
        snippet.unicodeScalars.append(contentsOf: scalars[lineStart..<lineEnd])
        snippet = snippet.replacingOccurrences(of: "\t", with: " ")
        let column = max(0, offset - lineStart)
        return "ERROR: <input>:\(line):\(column + 1): \(message)\n | \(snippet)\n | \(String(repeating: ".", count: column))^"
    }
}
