import Foundation

/// The upstream a request is addressed to.
public enum Vendor: String, Sendable, CaseIterable {
    case smartcar
    case dimo
    /// fleetmock's own control API.
    case fleetmock
}

/// The upstream service a request is addressed to; the raw values are the names fault rules and the
/// catalogue use (`"service": "api"`).
public enum VendorService: String, Sendable, CaseIterable {
    // Smartcar
    case connect, oauth, api, management, compatibility, v3
    // DIMO
    case auth
    case tokenExchange = "token-exchange"
    case identity, telemetry, fetch, attestation
    case vehicleTriggers = "vehicle-triggers"
    case deviceDefinitions = "device-definitions"
    case valuations, trips, conversations
    /// The Login with DIMO pages (not a fault target: they answer people, not SDKs).
    case login
    // fleetmock
    case control

    /// The vendor that serves it.
    public var vendor: Vendor {
        switch self {
        case .connect, .oauth, .api, .management, .compatibility, .v3: .smartcar
        case .control: .fleetmock
        default: .dimo
        }
    }

    /// Whether fault rules and the `X-Fleetmock-Fault` header apply.
    public var takesFaults: Bool { self != .control && self != .login }

    /// Whether requests are GraphQL documents (their root fields take part in fault matching).
    public var isGraphQL: Bool { self == .identity || self == .telemetry || self == .fetch }
}

/// Where a request goes, worked out once from its path alone: vendor, service and the sandbox a
/// `/sandbox/{id}/…` prefix names. Both vendors' paths live on one origin and do not collide.
public struct RequestTarget: Sendable, Equatable {
    public var service: VendorService
    /// The path without a `/sandbox/{id}` prefix.
    public var path: String
    /// The sandbox named by a `/sandbox/{id}` prefix, if any.
    public var pathSandbox: String?

    public var vendor: Vendor { service.vendor }

    /// Classifies a normalized path; nil when it belongs to no vendor (a 404 for every surface).
    public static func classify(path: String) -> RequestTarget? {
        if path == "/__fleetmock" || path.hasPrefix("/__fleetmock/") {
            return RequestTarget(service: .control, path: path, pathSandbox: nil)
        }
        if let service = smartcarService(path: path) { return RequestTarget(service: service, path: path, pathSandbox: nil) }
        let (sandbox, bare) = sandboxPrefix(path)
        if let service = dimoService(path: bare) { return RequestTarget(service: service, path: bare, pathSandbox: sandbox) }
        return nil
    }

    /// The non-empty segments of a path, split on its bytes (no grapheme breaking: `/` is ASCII, so
    /// every cut falls on a character boundary).
    public static func segments(_ path: String) -> [Substring] {
        var result: [Substring] = []
        result.reserveCapacity(8)
        let bytes = path.utf8
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "/") {
                if index > start { result.append(path[start..<index]) }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if start < bytes.endIndex { result.append(path[start..<bytes.endIndex]) }
        return result
    }

    /// Splits a `/sandbox/{id}/…` prefix off a path.
    public static func sandboxPrefix(_ path: String) -> (sandbox: String?, path: String) {
        guard path.hasPrefix("/sandbox/") else { return (nil, path) }
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true)
        if parts.count == 3, parts[0] == "sandbox" { return (String(parts[1]), "/" + parts[2]) }
        return (nil, path)
    }

    /// Smartcar: Connect, the token endpoint, any `vX.Y` API path, the `v…` management and
    /// compatibility roots, and v3.
    static func smartcarService(path: String) -> VendorService? {
        let segments = Self.segments(path)
        guard let first = segments.first else { return nil }
        if path == "/oauth/authorize" || first == "connect" { return .connect }
        if path == "/oauth/token" { return .oauth }
        if first == "v3" { return .v3 }
        guard first.hasPrefix("v"), !isDIMOValuations(segments) else { return nil }
        let numeric = isNumericVersion(first)
        guard segments.count >= 2 else { return numeric ? .api : nil }
        switch segments[1] {
        case "management": return .management
        case "compatibility": return .compatibility
        case "vehicles", "user": return .api
        default: return numeric ? .api : nil
        }
    }

    /// `v` followed by digits, a dot and digits (`v2.0`, `v1.10`): Smartcar's API versions.
    public static func isNumericVersion<S: StringProtocol>(_ segment: S) -> Bool {
        segment.hasPrefix("v") && isMajorMinor(segment.dropFirst())
    }

    /// Digits, a dot and digits (`2.0`, `1.10`): a version without its `v`.
    ///
    /// Inlinable so that callers in other modules get a copy specialized for their string type:
    /// every Smartcar request checks its version segment here.
    @inlinable
    public static func isMajorMinor<S: StringProtocol>(_ text: S) -> Bool {
        var digitsBeforeDot = 0, digitsAfterDot = 0, sawDot = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                if sawDot { return false }
                sawDot = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if sawDot { digitsAfterDot += 1 } else { digitsBeforeDot += 1 }
            } else {
                return false
            }
        }
        return sawDot && digitsBeforeDot > 0 && digitsAfterDot > 0
    }

    /// The actions below DIMO's `/v2/vehicles/{tokenId}/`.
    public static let dimoValuationActions = ["valuations", "valuation", "offers", "instant-offer"]

    /// DIMO's valuations API shares the `/v2/vehicles/…` prefix with Smartcar's unversioned roots;
    /// the action names it (the router matches the same way, whatever the token id segment holds).
    public static func isDIMOValuations<S: StringProtocol>(_ segments: [S]) -> Bool {
        segments.count == 4 && segments[0] == "v2" && segments[1] == "vehicles" && dimoValuationActions.contains { $0 == segments[3] }
    }

    /// DIMO's services, by path (after any sandbox prefix).
    static func dimoService(path bare: String) -> VendorService? {
        if bare.hasPrefix("/auth/") || bare == "/keys" || bare.hasPrefix("/.well-known/") { return .auth }
        if bare.hasPrefix("/v1/tokens/exchange") { return .tokenExchange }
        if bare.hasPrefix("/identity/query") { return .identity }
        if bare.hasPrefix("/telemetry/query") { return .telemetry }
        if bare.hasPrefix("/fetch/query") { return .fetch }
        if bare.hasPrefix("/v2/attestation/") || bare.hasPrefix("/v1/vc/") { return .attestation }
        if bare.hasPrefix("/v1/webhooks") { return .vehicleTriggers }
        if bare.hasPrefix("/device-definitions") { return .deviceDefinitions }
        let segments = Self.segments(bare)
        if segments.count == 4 && segments[0] == "v2" && segments[1] == "vehicles" { return .valuations }
        if bare.hasPrefix("/v1/vehicle/") { return .trips }
        if bare == "/" || bare == "/agents" || bare.hasPrefix("/agents/") { return .conversations }
        if bare == "/login" || bare.hasPrefix("/login/") { return .login }
        return nil
    }
}
