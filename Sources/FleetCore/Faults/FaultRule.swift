import Foundation
import Synchronization

/// Which requests a fault rule applies to. Every field given must match.
public struct FaultMatch: Codable, Sendable, Equatable {
    /// `smartcar` or `dimo`.
    public var vendor: String?
    /// The vendor's service, e.g. `api`, `oauth`, `connect`, `management`, `v3`, `token-exchange`, `identity`, `telemetry`.
    public var service: String?
    /// HTTP method, any case.
    public var method: String?
    /// A path template: `*` or `{name}` match one segment, `**` the rest; a trailing slash is ignored.
    /// The router's own template for a route (`/v{version}/vehicles/{id}/odometer`) matches that route.
    public var path: String?
    /// A GraphQL root field (or operation name) of the request.
    public var graphqlField: String?
    /// A vehicle id as it appears in the request: VIN, Smartcar id or DIMO token id.
    public var vehicle: String?
    /// A client id (Smartcar app or DIMO license).
    public var client: String?

    public init(vendor: String? = nil, service: String? = nil, method: String? = nil, path: String? = nil,
                graphqlField: String? = nil, vehicle: String? = nil, client: String? = nil) {
        self.vendor = vendor
        self.service = service
        self.method = method
        self.path = path
        self.graphqlField = graphqlField
        self.vehicle = vehicle
        self.client = client
    }
}

/// What a fault does to a matching request.
public struct FaultAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A catalogue error in the vendor's envelope.
        case error
        /// Any status with a vendor-shaped body.
        case status
        /// Delay, then answer normally.
        case latency
        /// Close the connection without an answer.
        case reset
        /// 200 with an empty body.
        case empty
        /// A body that is not valid JSON, with a JSON content type.
        case malformed
        /// The real answer cut off half-way.
        case truncated
        /// Never answer (until the client gives up, or `hangSeconds`).
        case hang
        /// A GraphQL error on a field, the rest of the data intact.
        case graphqlError
        /// N requests per window, then the vendor's rate-limit error.
        case quota
        /// The real answer with one JSON field removed (`field`, a dotted path such as `data.distance`).
        case dropField
    }

    public var kind: Kind
    /// For `error`: a catalogue id (see `GET /__fleetmock/catalog`).
    public var catalogId: String?
    /// For `status`.
    public var status: Int?
    /// Seconds for a `Retry-After` header.
    public var retryAfter: Int?
    /// For `latency` (and added before any other action).
    public var latencyMs: Int?
    public var jitterMs: Int?
    /// For `hang`: how long to hold the request (default 120 s).
    public var hangSeconds: Int?
    /// For `graphqlError` and `status`: the message.
    public var message: String?
    /// For `quota`.
    public var limit: Int?
    public var windowSeconds: Int?
    /// For `dropField`: the dotted path of the field to remove (list items by index).
    public var field: String?

    public init(kind: Kind, catalogId: String? = nil, status: Int? = nil, retryAfter: Int? = nil, latencyMs: Int? = nil,
                jitterMs: Int? = nil, hangSeconds: Int? = nil, message: String? = nil, limit: Int? = nil, windowSeconds: Int? = nil) {
        self.kind = kind
        self.catalogId = catalogId
        self.status = status
        self.retryAfter = retryAfter
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.hangSeconds = hangSeconds
        self.message = message
        self.limit = limit
        self.windowSeconds = windowSeconds
    }
}

/// When a matching request is actually faulted.
public struct FaultSchedule: Codable, Sendable, Equatable {
    /// Fire at most this many times.
    public var times: Int?
    /// Let this many matching requests through first.
    public var afterSuccesses: Int?
    /// Fire with this probability (0...1), drawn from `seed`.
    public var probability: Double?
    public var seed: UInt64?
    /// Stop at this sandbox-clock time.
    public var until: Date?
    /// One entry per matching request, `fail` or `pass`; the rule ends when it is used up.
    public var sequence: [String]?

    public init(times: Int? = nil, afterSuccesses: Int? = nil, probability: Double? = nil, seed: UInt64? = nil, until: Date? = nil, sequence: [String]? = nil) {
        self.times = times
        self.afterSuccesses = afterSuccesses
        self.probability = probability
        self.seed = seed
        self.until = until
        self.sequence = sequence
    }
}

/// A fault rule of one sandbox.
public struct FaultRule: Codable, Sendable, Equatable {
    public var id: String
    public var match: FaultMatch
    public var action: FaultAction
    public var schedule: FaultSchedule
    /// Where it came from: `api`, `scenario`, `cli`.
    public var source: String
    public var createdAt: Date
    /// How many requests matched and how many were faulted.
    public var matched: Int = 0
    public var fired: Int = 0

    public init(id: String, match: FaultMatch, action: FaultAction, schedule: FaultSchedule, source: String, createdAt: Date) {
        self.id = id
        self.match = match
        self.action = action
        self.schedule = schedule
        self.source = source
        self.createdAt = createdAt
    }

    /// Whether the schedule can still fire at `now`.
    public func isActive(at now: Date) -> Bool {
        if let times = schedule.times, fired >= times { return false }
        if let until = schedule.until, now >= until { return false }
        if let sequence = schedule.sequence, matched >= sequence.count { return false }
        return true
    }
}

/// What the vendor surfaces know about a request, for matching.
public struct FaultRequest: Sendable {
    public var vendor: String
    public var service: String
    public var method: String
    public var path: String
    public var graphqlFields: [String]
    public var client: String?
    /// The route template the router matched (`/v{version}/vehicles/{id}/odometer`), if any.
    public var route: String?

    public init(vendor: String, service: String, method: String, path: String, graphqlFields: [String] = [], client: String? = nil,
                route: String? = nil) {
        self.vendor = vendor
        self.service = service
        self.method = method
        self.path = path
        self.graphqlFields = graphqlFields
        self.client = client
        self.route = route
    }
}

extension FaultMatch {
    /// Whether a request matches.
    public func matches(_ request: FaultRequest) -> Bool {
        if let vendor, vendor.lowercased() != request.vendor { return false }
        if let service, service.lowercased() != request.service { return false }
        if let method, method.uppercased() != request.method.uppercased() { return false }
        if let path, !Self.pathMatches(template: path, path: request.path), !Self.sameRoute(path, request.route) { return false }
        if let graphqlField, !request.graphqlFields.contains(graphqlField) { return false }
        if let vehicle {
            let segments = request.path.split(separator: "/").map { $0.lowercased() }
            if !segments.contains(vehicle.lowercased()) && !request.graphqlFields.contains("tokenId:\(vehicle)") { return false }
        }
        if let client, client.lowercased() != request.client?.lowercased() { return false }
        return true
    }

    /// Whether a rule's path names the route template the router matched, exactly (trailing slash aside).
    static func sameRoute(_ template: String, _ route: String?) -> Bool {
        guard let route else { return false }
        var trimmed = Substring(template)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed == route
    }

    static func pathMatches(template: String, path: String) -> Bool {
        let t = template.split(separator: "/").map(String.init)
        let p = path.split(separator: "/").map(String.init)
        var i = 0
        for (index, part) in t.enumerated() {
            if part == "**" { return index == t.count - 1 }
            guard i < p.count else { return false }
            if part != "*", !(part.hasPrefix("{") && part.hasSuffix("}")), part != p[i] { return false }
            i += 1
        }
        return i == p.count
    }
}

/// Every sandbox's fault rules, in memory, safe under concurrency. Decisions are deterministic:
/// counters and each rule's seeded generator advance under one lock.
public final class FaultBook: Sendable {
    private struct Entry {
        var rule: FaultRule
        var rng: SeededRandom
        var window: [Date] = []
    }

    private let state = Mutex([String: [Entry]]())

    public init() {}

    public var isEmpty: Bool { state.withLock { $0.values.allSatisfy(\.isEmpty) } }

    public func rules(sandbox: String) -> [FaultRule] {
        state.withLock { ($0[sandbox] ?? []).map(\.rule) }
    }

    public func add(_ rule: FaultRule, sandbox: String) {
        state.withLock { $0[sandbox, default: []].append(Entry(rule: rule, rng: SeededRandom(seed: rule.schedule.seed ?? 0x5EED))) }
    }

    @discardableResult
    public func remove(id: String, sandbox: String) -> Bool {
        state.withLock { all in
            let before = all[sandbox]?.count ?? 0
            all[sandbox]?.removeAll { $0.rule.id == id }
            return (all[sandbox]?.count ?? 0) < before
        }
    }

    public func clear(sandbox: String) {
        _ = state.withLock { $0.removeValue(forKey: sandbox) }
    }

    /// The first rule that fires for this request, counting the match in every rule it matches.
    /// A quota rule fires only past its limit in its window.
    public func decide(_ request: FaultRequest, sandbox: String, now: Date) -> FaultRule? {
        state.withLock { all in
            guard var entries = all[sandbox], !entries.isEmpty else { return nil }
            var chosen: FaultRule?
            for index in entries.indices {
                var entry = entries[index]
                guard entry.rule.isActive(at: now), entry.rule.match.matches(request) else { continue }
                let ordinal = entry.rule.matched
                entry.rule.matched += 1
                var fire = true
                if let skip = entry.rule.schedule.afterSuccesses, ordinal < skip { fire = false }
                if let sequence = entry.rule.schedule.sequence {
                    fire = ordinal < sequence.count && sequence[ordinal].lowercased() == "fail"
                }
                if fire, let p = entry.rule.schedule.probability {
                    fire = Double.random(in: 0..<1, using: &entry.rng) < p
                }
                if fire, entry.rule.action.kind == .quota {
                    let window = TimeInterval(entry.rule.action.windowSeconds ?? 60)
                    entry.window = entry.window.filter { now.timeIntervalSince($0) < window }
                    entry.window.append(now)
                    fire = entry.window.count > (entry.rule.action.limit ?? 0)
                }
                if fire, chosen == nil {
                    entry.rule.fired += 1
                    chosen = entry.rule
                }
                entries[index] = entry
            }
            all[sandbox] = entries
            return chosen
        }
    }
}
