import CEL
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Checking a webhook's definition (service, metric, condition, cooldown, target) and reading request bodies the way
/// the Go service's encoding/json does.
extension VehicleTriggers {
    // MARK: Validation

    /// `url.ParseRequestURI`, then the scheme must be https.
    static func targetURLProblem(_ url: String) -> String? {
        if url.isEmpty || url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "Invalid webhook URL" }
        if url.hasPrefix("/") { return "Webhook URL must be HTTPS" }
        guard let colon = url.firstIndex(of: ":") else { return "Invalid webhook URL" }
        let scheme = url[..<colon]
        guard let first = scheme.unicodeScalars.first, isASCIILetter(first),
              scheme.unicodeScalars.allSatisfy({ isASCIILetter($0) || (48...57).contains($0.value) || "+-.".unicodeScalars.contains($0) }) else {
            return "Invalid webhook URL"
        }
        if scheme.lowercased() == "https" || isLoopbackHTTP(url) { return nil }
        return "Webhook URL must be HTTPS"
    }

    /// `http://localhost…`, `http://127.0.0.1…` or `http://[::1]…`: fleetmock's one exception to https-only.
    static func isLoopbackHTTP(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http", let host = components.host?.lowercased() else {
            return false
        }
        return ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host)
    }

    static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (65...90).contains(c.value) || (97...122).contains(c.value)
    }

    static func statusProblem(_ status: String) -> String? {
        status == "enabled" || status == "disabled" ? nil : "Invalid status, must be 'enabled' or 'disabled', got '\(status)'"
    }

    /// Upstream's validateCoolDownPeriod.
    static func coolDownProblem(_ seconds: Int64) -> String? {
        seconds < 1 ? "Cool down period must be greater than 0" : nil
    }

    struct Failure: Error {
        let message: String
    }

    /// The service and metric: `signals` with `vss.<signal>` of the catalog, or `events` with `<category>.<event>`.
    static func metric(service: String, metricName: String) -> Result<CELCondition.Kind, Failure> {
        switch service {
        case "signals":
            guard metricName.hasPrefix("vss."), let signal = signalsByName[String(metricName.dropFirst(4))] else {
                return .failure(Failure(message: "Invalid signal name"))
            }
            return .success(.signal(valueType: signal.valueType))
        case "events":
            // Event names as the fleet's events carry them: `behavior.harshBraking`, or a bare name like `ignitionOn`.
            let parts = metricName.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let category = parts.first, let name = parts.last,
                  parts.count == 1 || (!category.isEmpty && category.unicodeScalars.allSatisfy({ (97...122).contains($0.value) })),
                  let head = name.unicodeScalars.first, isASCIILetter(head),
                  name.unicodeScalars.allSatisfy({ isASCIILetter($0) || (48...57).contains($0.value) }) else {
                return .failure(Failure(message: "Invalid event name"))
            }
            return .success(.event)
        default:
            return .failure(Failure(message: "Invalid service: \(service)"))
        }
    }

    /// google/uuid's Validate: the 36-character form, or it in braces, with `urn:uuid:`, or 32 hex digits.
    static func isUUID(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        func hex(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b) }
        switch bytes.count {
        case 32: return bytes.allSatisfy(hex)
        case 36: break
        case 38:
            guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return false }
            bytes = Array(bytes[1..<37])
        case 45:
            guard text.lowercased().hasPrefix("urn:uuid:") else { return false }
            bytes = Array(bytes[9...])
        default: return false
        }
        for (i, b) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if b != UInt8(ascii: "-") { return false }
            } else if !hex(b) {
                return false
            }
        }
        return true
    }

    // MARK: Bodies as encoding/json reads them

    /// The fields of a body that matter, read as encoding/json fills a Go struct.
    struct GoFields {
        var strings: [String: String] = [:]
        var ints: [String: Int64] = [:]
    }

    /// encoding/json into a struct: `null` leaves it empty; keys match exactly or case-insensitively; a value
    /// of the wrong JSON type is an error (the message follows Go's).
    static func decode(_ body: Data, type: String, strings: [String], ints: [String]) -> Result<GoFields, Failure> {
        guard let json = JSONValue.parse(body) else {
            let empty = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            return .failure(Failure(message: empty ? "unexpected end of JSON input" : "invalid character in JSON input"))
        }
        if json.isNull { return .success(GoFields()) }
        guard let pairs = json.objectValue else {
            return .failure(Failure(message: "json: cannot unmarshal \(goKind(json)) into Go value of type webhook.\(type)"))
        }
        var out = GoFields()
        for (key, value) in pairs {
            if let name = goFieldName(key, strings) {
                switch value {
                case .null: continue
                case .string(let text): out.strings[name] = text
                default:
                    return .failure(Failure(message: "json: cannot unmarshal \(goKind(value)) into Go struct field \(type).\(name) of type string"))
                }
            } else if let name = goFieldName(key, ints) {
                switch value {
                case .null: continue
                case .integer(let number): out.ints[name] = number
                case .number(let number):
                    return .failure(Failure(message: "json: cannot unmarshal number \(number) into Go struct field \(type).\(name) of type int"))
                default:
                    return .failure(Failure(message: "json: cannot unmarshal \(goKind(value)) into Go struct field \(type).\(name) of type int"))
                }
            }
        }
        return .success(out)
    }

    /// The struct field a JSON key fills: the exact name, else one equal ignoring case.
    static func goFieldName(_ key: String, _ names: [String]) -> String? {
        names.first { $0 == key } ?? names.first { $0.lowercased() == key.lowercased() }
    }

    static func goKind(_ value: JSONValue) -> String {
        switch value {
        case .bool: return "bool"
        case .integer, .number: return "number"
        default: return value.typeName
        }
    }

    /// `{"assetDIDs": […]}` (VehicleListRequest); nil when the body or a DID does not decode.
    static func assetList(_ body: Data) -> [AssetDID]? {
        guard let json = JSONValue.parse(body) else { return nil }
        if json.isNull { return [] }
        guard let pairs = json.objectValue else { return nil }
        var list: JSONValue = .null
        for (key, value) in pairs where goFieldName(key, ["assetDIDs"]) != nil { list = value }
        if list.isNull { return [] }
        guard let items = list.arrayValue else { return nil }
        var out: [AssetDID] = []
        for item in items {
            guard let text = item.stringValue, case .success(let did) = AssetDID.decode(text) else { return nil }
            out.append(did)
        }
        return out
    }

    /// Go's `time.Time` in JSON (RFC 3339 with the fraction trimmed), at the millisecond the store keeps.
    static func goTime(_ date: Date) -> String {
        var text = Timestamp.millis(date)  // 2026-11-21T10:00:00.120Z
        text.removeLast()
        while text.hasSuffix("0"), text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "Z"
    }
}
