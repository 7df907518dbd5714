import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Smartcar's HTTP surface on one origin: Connect (`/oauth/authorize`, `/connect/…`), the token
/// endpoint (`/oauth/token`), API v1.0/v2.0 (`/vX.Y/…`), management, compatibility and v3.
/// Requests on other paths pass through to the next responder.
public struct SmartcarSurface: RouterMiddleware {
    public typealias Context = FleetRequestContext
    let fleet: Fleet
    let access: SmartcarAccess
    public let connect: ConnectFlow
    /// The app and vehicle buckets of every sandbox (used when a sandbox's `rateLimits` setting is on).
    let limits = SmartcarRateLimits(limiter: RateLimiter())

    public init(fleet: Fleet) {
        self.fleet = fleet
        access = SmartcarAccess(fleet: fleet)
        connect = ConnectFlow(fleet: fleet, access: access, sessions: ConnectSessions())
    }

    static let apiRoots: Set<String> = ["vehicles", "user", "compatibility", "management"]

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.normalizedPath
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        guard let first = segments.first else { return try await next(request, context) }

        let requestId = Self.newRequestId()
        if path == "/oauth/authorize" || first == "connect" {
            context.scope.vendor = "smartcar"
            context.scope.requestId = requestId
            return try await connect.handle(request, path: path, scope: context.scope)
        }
        context.scope.requestId = requestId
        if path == "/oauth/token" {
            context.scope.vendor = "smartcar"
            guard request.method == .post else {
                return SmartcarOAuthError(status: 405, error: "invalid_request", description: "The token endpoint accepts POST only.").response(requestId: requestId)
            }
            let body = await request.collectBody() ?? Data()
            return await TokenEndpoint(access: access).handle(request, body: body, scope: context.scope, requestId: requestId)
        }
        if first == "v3" {
            context.scope.vendor = "smartcar"
            return await respond(version: .v2, requestId: requestId) {
                try await SignalsV3(fleet: fleet, access: access).handle(request, segments: Array(segments.dropFirst()), scope: context.scope, requestId: requestId)
            }
        }
        // Numeric versions are Smartcar's whatever follows; other `v…` prefixes only before one of its roots.
        let numericVersion = first.wholeMatch(of: /v\d+\.\d+/) != nil
        guard first.hasPrefix("v"), numericVersion || (segments.count >= 2 && Self.apiRoots.contains(segments[1])),
              !Self.isDIMOValuations(segments) else {
            return try await next(request, context)
        }
        context.scope.vendor = "smartcar"
        // Any numeric vX.Y is served by the latest; v1.x speaks the v1 error model; anything else is a 404.
        guard let match = first.wholeMatch(of: /v(\d+)\.(\d+)/), let major = Int(match.1) else {
            return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "VERSION").response(version: .v2, requestId: requestId)
        }
        let version: SmartcarAPIVersion = major <= 1 ? .v1 : .v2
        let rest = Array(segments.dropFirst())
        return await respond(version: version, requestId: requestId) {
            var body: JSONValue?
            if request.method == .post || request.method == .put || request.method == .patch {
                let data = await request.collectBody() ?? Data()
                if !data.isEmpty {
                    guard let parsed = JSONValue.parse(data) else {
                        throw SmartcarAPIError.validation("Request body must be valid JSON", field: "body")
                    }
                    body = parsed
                }
            }
            switch rest.first ?? "" {
            case "management":
                guard rest == ["management", "connections"] else { throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH") }
                return try await ManagementAPI(fleet: fleet, access: access).connections(request, scope: context.scope, requestId: requestId)
            case "compatibility":
                guard request.method == .get, rest == ["compatibility"] || rest == ["compatibility", "matrix"] else {
                    throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH")
                }
                return try await ManagementAPI(fleet: fleet, access: access).compatibility(request, segments: rest, version: version, scope: context.scope, requestId: requestId)
            default:
                let api = VehicleAPI(fleet: fleet, access: access, limits: limits)
                guard let response = try await api.handle(request, segments: rest, version: version, body: body, scope: context.scope, requestId: requestId) else {
                    throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH")
                }
                return response
            }
        }
    }

    /// DIMO's valuations API shares the `/v2/vehicles/…` prefix; its paths are left to the DIMO surface.
    static func isDIMOValuations(_ segments: [String]) -> Bool {
        segments.count == 4 && segments[0] == "v2" && segments[1] == "vehicles" && Int64(segments[2]) != nil
            && ["valuations", "valuation", "offers", "instant-offer"].contains(segments[3])
    }

    /// Runs a handler and renders whatever it throws in Smartcar's envelope.
    func respond(version: SmartcarAPIVersion, requestId: String, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as SmartcarAPIError {
            return error.response(version: version, requestId: requestId)
        } catch let error as FleetError {
            switch error {
            case .notFound: return SmartcarAPIError.validation().response(version: version, requestId: requestId)
            case .invalid(let field, let reason): return SmartcarAPIError.validation(reason, field: field).response(version: version, requestId: requestId)
            case .conflict: return SmartcarAPIError.of("VEHICLE_STATE", "UNKNOWN").response(version: version, requestId: requestId)
            }
        } catch {
            return SmartcarAPIError.of("SERVER", "INTERNAL").response(version: version, requestId: requestId)
        }
    }

    static func newRequestId() -> String {
        var rng = SystemRandomNumberGenerator()
        return Identifiers.uuid(using: &rng)
    }
}
