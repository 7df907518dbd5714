import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Smartcar's HTTP surface on one origin: Connect (`/oauth/authorize`, `/connect/…`), the token
/// endpoint (`/oauth/token`), API v1.0/v2.0 (`/vX.Y/…`), management, compatibility and v3.
/// Serves the requests the resolution addressed to Smartcar; the others pass through untouched.
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

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let target = context.scope.resolution?.target, target.vendor == .smartcar else { return try await next(request, context) }
        let path = target.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { segment in
            segment.contains("%") ? String(segment).removingPercentEncoding ?? String(segment) : String(segment)
        }
        let requestId = Self.newRequestId()
        context.scope.requestId = requestId
        switch target.service {
        case .connect:
            return try await connect.handle(request, path: path, scope: context.scope)
        case .oauth:
            guard request.method == .post else {
                return SmartcarOAuthError(status: 405, error: "invalid_request", description: "The token endpoint accepts POST only.").response(requestId: requestId)
            }
            let body = await request.collectBody() ?? Data()
            return await TokenEndpoint(access: access).handle(request, body: body, scope: context.scope, requestId: requestId)
        case .v3:
            return await respond(version: .v2, requestId: requestId) {
                try await SignalsV3(fleet: fleet, access: access).handle(request, segments: Array(segments.dropFirst()), scope: context.scope, requestId: requestId)
            }
        default:
            return await api(request, segments: segments, scope: context.scope, requestId: requestId)
        }
    }

    /// API v1.0/v2.0 (any `vX.Y`), management and compatibility.
    func api(_ request: Request, segments: [String], scope: RequestScope, requestId: String) async -> Response {
        // Any numeric vX.Y is served by the latest; v1.x speaks the v1 error model; anything else is a 404.
        guard let first = segments.first, RequestTarget.isNumericVersion(first),
              let major = Int(first.dropFirst().prefix { $0 != "." }) else {
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
                return try await ManagementAPI(fleet: fleet, access: access).connections(request, scope: scope, requestId: requestId)
            case "compatibility":
                guard request.method == .get, rest == ["compatibility"] || rest == ["compatibility", "matrix"] else {
                    throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH")
                }
                return try await ManagementAPI(fleet: fleet, access: access).compatibility(request, segments: rest, version: version, scope: scope, requestId: requestId)
            default:
                let api = VehicleAPI(fleet: fleet, access: access, limits: limits)
                guard let response = try await api.handle(request, segments: rest, version: version, body: body, scope: scope, requestId: requestId) else {
                    throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH")
                }
                return response
            }
        }
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
        Identifiers.randomUUID()
    }
}
