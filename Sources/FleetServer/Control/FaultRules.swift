import FleetCore
import FleetHTTP
import Foundation

/// Reads and writes fault rules as the control API (and scenario files) spell them.
enum FaultRules {
    static let matchKeys: Set<String> = ["vendor", "service", "method", "path", "graphqlField", "vehicle", "client"]
    static let actionKeys: Set<String> = ["kind", "catalogId", "status", "retryAfter", "latencyMs", "jitterMs", "hangSeconds", "message", "limit", "windowSeconds", "field"]
    static let scheduleKeys: Set<String> = ["times", "afterSuccesses", "probability", "seed", "until", "sequence"]
    static let services = ["api", "oauth", "connect", "management", "compatibility", "v3", "auth", "token-exchange", "identity", "telemetry",
                           "fetch", "attestation", "vehicle-triggers", "device-definitions", "valuations", "trips", "conversations"]

    /// A rule from its JSON; a bad field is a 400 naming it.
    static func parse(_ body: JSONValue, catalog: FaultCatalog, now: Date, source: String) throws -> FaultRule {
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        for (key, _) in object where !["match", "action", "schedule", "id"].contains(key) {
            throw ControlError.invalid(key, "unknown field; a rule has match, action and schedule")
        }
        let match = try parseMatch(body)
        let action = try parseAction(body, catalog: catalog)
        let schedule = try parseSchedule(body)
        var rng = SystemRandomNumberGenerator()
        let id = body["id"]?.stringValue ?? "flt_" + Identifiers.hexToken(length: 10, using: &rng)
        return FaultRule(id: id, match: match, action: action, schedule: schedule, source: source, createdAt: now)
    }

    /// A section's pairs, refusing keys it does not have.
    private static func section(_ body: JSONValue, _ name: String, _ keys: Set<String>) throws -> [(String, JSONValue)] {
        guard let value = body[name] else { return [] }
        guard let pairs = value.objectValue else { throw ControlError.invalid(name, "must be an object") }
        for (key, _) in pairs where !keys.contains(key) {
            throw ControlError.invalid("\(name).\(key)", "unknown field; allowed: \(keys.sorted().joined(separator: ", "))")
        }
        return pairs
    }

    private static func string(_ v: JSONValue, _ field: String) throws -> String {
        guard let s = v.stringValue else { throw ControlError.invalid(field, "must be a string") }
        return s
    }

    private static func int(_ v: JSONValue, _ field: String, _ range: ClosedRange<Int64>) throws -> Int {
        guard let i = v.intValue, range.contains(i) else { throw ControlError.invalid(field, "must be an integer from \(range.lowerBound) to \(range.upperBound)") }
        return Int(i)
    }

    private static func parseMatch(_ body: JSONValue) throws -> FaultMatch {
        var match = FaultMatch()
        for (key, value) in try section(body, "match", matchKeys) {
            let text = try string(value, "match.\(key)")
            switch key {
            case "vendor":
                guard ["smartcar", "dimo"].contains(text.lowercased()) else { throw ControlError.invalid("match.vendor", "must be smartcar or dimo") }
                match.vendor = text.lowercased()
            case "service":
                guard services.contains(text.lowercased()) else { throw ControlError.invalid("match.service", "must be one of \(services.joined(separator: ", "))") }
                match.service = text.lowercased()
            case "method":
                guard ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(text.uppercased()) else { throw ControlError.invalid("match.method", "must be an HTTP method") }
                match.method = text.uppercased()
            case "path":
                guard text.hasPrefix("/") else { throw ControlError.invalid("match.path", "must start with /") }
                match.path = text
            case "graphqlField": match.graphqlField = text
            case "vehicle": match.vehicle = text
            default: match.client = text
            }
        }
        return match
    }

    private static func parseAction(_ body: JSONValue, catalog: FaultCatalog) throws -> FaultAction {
        let actionPairs = try section(body, "action", actionKeys)
        guard !actionPairs.isEmpty else { throw ControlError.invalid("action", "is required") }
        guard let kindText = body["action"]?["kind"]?.stringValue else { throw ControlError.invalid("action.kind", "is required") }
        guard let kind = FaultAction.Kind(rawValue: kindText) else {
            throw ControlError.invalid("action.kind", "must be one of \(FaultAction.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var action = FaultAction(kind: kind)
        for (key, value) in actionPairs {
            switch key {
            case "kind": break
            case "catalogId":
                let id = try string(value, "action.catalogId")
                guard catalog.faults[id] != nil else {
                    throw ControlError.invalid("action.catalogId", "no catalogue entry '\(id)'; closest: \(Closest.ids(to: id, in: catalog.ids).joined(separator: ", "))")
                }
                action.catalogId = id
            case "status": action.status = try int(value, "action.status", 100...599)
            case "retryAfter": action.retryAfter = try int(value, "action.retryAfter", 0...86400)
            case "latencyMs": action.latencyMs = try int(value, "action.latencyMs", 0...600_000)
            case "jitterMs": action.jitterMs = try int(value, "action.jitterMs", 0...600_000)
            case "hangSeconds": action.hangSeconds = try int(value, "action.hangSeconds", 1...3600)
            case "message": action.message = try string(value, "action.message")
            case "limit": action.limit = try int(value, "action.limit", 0...1_000_000)
            case "field":
                let path = try string(value, "action.field")
                guard !path.isEmpty, !path.split(separator: ".", omittingEmptySubsequences: false).contains("") else {
                    throw ControlError.invalid("action.field", "must be a dotted path such as distance or data.signalsLatest.speed")
                }
                action.field = path
            default: action.windowSeconds = try int(value, "action.windowSeconds", 1...86400)
            }
        }
        if kind == .error, action.catalogId == nil { throw ControlError.invalid("action.catalogId", "is required for kind error") }
        if kind == .status, action.status == nil { throw ControlError.invalid("action.status", "is required for kind status") }
        if kind == .latency, action.latencyMs == nil { throw ControlError.invalid("action.latencyMs", "is required for kind latency") }
        if kind == .quota, action.limit == nil { throw ControlError.invalid("action.limit", "is required for kind quota") }
        if kind == .dropField, action.field == nil { throw ControlError.invalid("action.field", "is required for kind dropField") }
        return action
    }

    private static func parseSchedule(_ body: JSONValue) throws -> FaultSchedule {
        var schedule = FaultSchedule()
        for (key, value) in try section(body, "schedule", scheduleKeys) {
            switch key {
            case "times": schedule.times = try int(value, "schedule.times", 1...1_000_000)
            case "afterSuccesses": schedule.afterSuccesses = try int(value, "schedule.afterSuccesses", 0...1_000_000)
            case "probability":
                guard let p = value.doubleValue, p >= 0, p <= 1 else { throw ControlError.invalid("schedule.probability", "must be a number from 0 to 1") }
                schedule.probability = p
            case "seed":
                guard let seed = value.intValue, seed >= 0 else { throw ControlError.invalid("schedule.seed", "must be a non-negative integer") }
                schedule.seed = UInt64(seed)
            case "until":
                guard let text = value.stringValue, let date = Timestamp.parse(text) else { throw ControlError.invalid("schedule.until", "must be an RFC 3339 timestamp") }
                schedule.until = date
            default:
                guard let items = value.arrayValue, !items.isEmpty else { throw ControlError.invalid("schedule.sequence", "must be a non-empty array of \"fail\" and \"pass\"") }
                var sequence: [String] = []
                for (i, item) in items.enumerated() {
                    guard let text = item.stringValue?.lowercased(), text == "fail" || text == "pass" else {
                        throw ControlError.invalid("schedule.sequence[\(i)]", "must be \"fail\" or \"pass\"")
                    }
                    sequence.append(text)
                }
                schedule.sequence = sequence
            }
        }
        return schedule
    }

    static func render(_ rule: FaultRule) -> JSONValue {
        func optional(_ pairs: [(String, JSONValue?)]) -> JSONValue {
            .object(pairs.compactMap { key, value in value.map { (key, $0) } })
        }
        let m = rule.match, a = rule.action, s = rule.schedule
        return .object([
            ("id", .string(rule.id)),
            ("match", optional([("vendor", m.vendor.map(JSONValue.string)), ("service", m.service.map(JSONValue.string)),
                                ("method", m.method.map(JSONValue.string)), ("path", m.path.map(JSONValue.string)),
                                ("graphqlField", m.graphqlField.map(JSONValue.string)), ("vehicle", m.vehicle.map(JSONValue.string)),
                                ("client", m.client.map(JSONValue.string))])),
            ("action", optional([("kind", .string(a.kind.rawValue)), ("catalogId", a.catalogId.map(JSONValue.string)),
                                 ("status", a.status.map { .integer(Int64($0)) }), ("retryAfter", a.retryAfter.map { .integer(Int64($0)) }),
                                 ("latencyMs", a.latencyMs.map { .integer(Int64($0)) }), ("jitterMs", a.jitterMs.map { .integer(Int64($0)) }),
                                 ("hangSeconds", a.hangSeconds.map { .integer(Int64($0)) }), ("message", a.message.map(JSONValue.string)),
                                 ("limit", a.limit.map { .integer(Int64($0)) }), ("windowSeconds", a.windowSeconds.map { .integer(Int64($0)) }),
                                 ("field", a.field.map(JSONValue.string))])),
            ("schedule", optional([("times", s.times.map { .integer(Int64($0)) }), ("afterSuccesses", s.afterSuccesses.map { .integer(Int64($0)) }),
                                   ("probability", s.probability.map { .number($0) }), ("seed", s.seed.map { .integer(Int64(bitPattern: $0)) }),
                                   ("until", s.until.map { .string(Timestamp.millis($0)) }), ("sequence", s.sequence.map { .array($0.map(JSONValue.string)) })])),
            ("source", .string(rule.source)),
            ("createdAt", .string(Timestamp.millis(rule.createdAt))),
            ("matched", .integer(Int64(rule.matched))),
            ("fired", .integer(Int64(rule.fired))),
        ])
    }
}
