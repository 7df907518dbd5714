import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import Logging

/// Smartcar's routes on the shared router: Connect (`/oauth/authorize`, `/connect/…`), the token
/// endpoint (`/oauth/token`), API v1.0/v2.0 (any numeric `vX.Y`), management, compatibility and v3.
/// Every route runs behind ``SmartcarEnvelope``, which renders what a handler throws in Smartcar's
/// error model; paths Smartcar does not serve get its not-found body from ``notFound(_:context:)``.
public struct SmartcarRoutes: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess
    /// The Connect pages and their sessions (the control API drives them too).
    public let connect: ConnectFlow
    /// The app and vehicle buckets of every sandbox (used when a sandbox's `rateLimits` setting is on).
    let limits = SmartcarRateLimits(limiter: RateLimiter())

    public init(fleet: Fleet) {
        self.fleet = fleet
        access = SmartcarAccess(fleet: fleet)
        connect = ConnectFlow(fleet: fleet, access: access, sessions: ConnectSessions())
    }

    var vehicleAPI: VehicleAPI { VehicleAPI(fleet: fleet, access: access, limits: limits) }

    /// Mounts every Smartcar route on `router`.
    public func addRoutes(to router: some RouterMethods<FleetRequestContext>) {
        let smartcar = router.group().add(middleware: SmartcarEnvelope())
        addConnectRoutes(to: smartcar)
        smartcar.onAny("/oauth/token") { request, context in
            guard request.method == .post else { return SmartcarOAuthError.postOnly.response(requestId: context.smartcarRequestId) }
            let body = await request.collectBody() ?? Data()
            return await TokenEndpoint(access: access).handle(request, body: body, scope: context.scope, requestId: context.smartcarRequestId)
        }
        let v3 = SignalsV3(fleet: fleet, access: access)
        smartcar.get("/v3/vehicles/{id}") { request, context in
            try await v3.handle(request, segments: ["vehicles", context.pathParameter("id")], scope: context.scope, requestId: context.smartcarRequestId)
        }
        smartcar.get("/v3/vehicles/{id}/signals") { request, context in
            try await v3.handle(request, segments: ["vehicles", context.pathParameter("id"), "signals"], scope: context.scope,
                                requestId: context.smartcarRequestId)
        }
        smartcar.get("/v3/vehicles/{id}/signals/{code}") { request, context in
            try await v3.handle(request, segments: ["vehicles", context.pathParameter("id"), "signals", context.pathParameter("code")],
                                scope: context.scope, requestId: context.smartcarRequestId)
        }
        // The versioned API: any `vX.Y` segment; a version that is not numeric is a 404 VERSION.
        let api = smartcar.group("/v{version}")
        addVehicleRoutes(to: api)
        let management = ManagementAPI(fleet: fleet, access: access)
        api.onAny("/management/connections") { request, context in
            try await management.connections(request, scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.get("/compatibility") { request, context in
            try await management.compatibility(request, segments: ["compatibility"], version: context.smartcarVersion,
                                               scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.get("/compatibility/matrix") { request, context in
            try await management.compatibility(request, segments: ["compatibility", "matrix"], version: context.smartcarVersion,
                                               scope: context.scope, requestId: context.smartcarRequestId)
        }
    }

    /// Connect's pages: the authorize entry point and the steps of a session.
    func addConnectRoutes(to smartcar: RouterGroup<FleetRequestContext>) {
        let connect = connect
        smartcar.get("/oauth/authorize") { request, context in try await connect.authorize(request.queryItems, scope: context.scope) }
        smartcar.get("/connect/brands") { request, context in try await connect.brandsPage(request, scope: context.scope) }
        smartcar.get("/connect/login") { request, context in try await connect.loginPage(request, scope: context.scope) }
        smartcar.post("/connect/login") { request, context in try await connect.submitLogin(request, scope: context.scope) }
        smartcar.post("/connect/grant") { request, context in try await connect.submitGrant(request, scope: context.scope) }
        smartcar.get("/connect/exit") { request, context in connect.exitPage(request, scope: context.scope) }
    }

    /// `/user`, `/vehicles` and everything below `/vehicles/{id}`.
    func addVehicleRoutes(to api: RouterGroup<FleetRequestContext>) {
        let vehicles = vehicleAPI
        api.get("/user") { request, context in
            try await vehicles.user(request, scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.get("/vehicles") { request, context in
            try await vehicles.list(request, scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.post("/vehicles/{id}/batch") { request, context in
            try await vehicles.batch(request, vehicleId: context.pathParameter("id"), body: try await Self.jsonBody(request),
                                     version: context.smartcarVersion, scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.post("/vehicles/{id}/webhooks/{webhookId}") { request, context in
            try await vehicles.subscribe(request, vehicleId: context.pathParameter("id"), webhookId: context.pathParameter("webhookId"),
                                         scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.delete("/vehicles/{id}/webhooks/{webhookId}") { request, context in
            try await vehicles.unsubscribe(request, vehicleId: context.pathParameter("id"), webhookId: context.pathParameter("webhookId"),
                                           scope: context.scope, requestId: context.smartcarRequestId)
        }
        api.delete("/vehicles/{id}/application") { request, context in
            try await vehicles.disconnect(request, vehicleId: context.pathParameter("id"), scope: context.scope, requestId: context.smartcarRequestId)
        }
        for (method, path, endpoint) in VehicleEndpoint.table {
            let template = path.isEmpty ? "/vehicles/{id}" : "/vehicles/{id}/\(path)"
            api.on(RouterPath(template), method: method) { request, context in
                let body = method == .get || method == .delete ? nil : try await Self.jsonBody(request)
                return try await vehicles.endpoint(endpoint, request, vehicleId: context.pathParameter("id"), body: body,
                                                   scope: context.scope, requestId: context.smartcarRequestId)
            }
        }
    }

    /// A JSON request body; nil when empty, 400 VALIDATION when it does not parse.
    static func jsonBody(_ request: Request) async throws -> JSONValue? {
        let data = await request.collectBody() ?? Data()
        guard !data.isEmpty else { return nil }
        guard let parsed = JSONValue.parse(data) else {
            throw SmartcarAPIError.validation("Request body must be valid JSON", field: "body")
        }
        return parsed
    }

    /// Smartcar's answer for a request the resolution addressed to Smartcar but no route serves:
    /// Connect's own page, or 404 `RESOURCE_NOT_FOUND` (`VERSION` when the version segment is not numeric).
    public func notFound(_ request: Request, context: FleetRequestContext) -> Response {
        guard let target = context.target else {
            return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH").response(version: .v2, requestId: Identifiers.randomUUID())
        }
        let requestId = context.scope.requestId ?? Identifiers.randomUUID()
        context.scope.requestId = requestId
        switch target.service {
        case .connect:
            return connect.notFound(path: target.path)
        case .oauth:
            return SmartcarOAuthError.postOnly.response(requestId: requestId)
        case .v3:
            return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH").response(version: .v2, requestId: requestId)
        default:
            let first = RequestTarget.segments(target.path).first ?? ""
            guard first.hasPrefix("v"), let version = SmartcarAPIVersion(versionParameter: String(first.dropFirst())) else {
                return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "VERSION").response(version: .v2, requestId: requestId)
            }
            return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH").response(version: version, requestId: requestId)
        }
    }
}

extension SmartcarAPIVersion {
    /// The error model of a version (the `X.Y` of a `vX.Y` path segment, the router's `{version}`):
    /// v1.x speaks v1, any later numeric version v2; nil when it is not a numeric version.
    init?(versionParameter: String) {
        guard RequestTarget.isMajorMinor(versionParameter) else { return nil }
        // The major number, read only as far as telling 0 and 1 from the rest.
        var major = 0
        for byte in versionParameter.utf8 {
            guard byte != UInt8(ascii: "."), major <= 1 else { break }
            major = major * 10 + Int(byte - UInt8(ascii: "0"))
        }
        self = major <= 1 ? .v1 : .v2
    }
}

extension FleetRequestContext {
    /// The `SC-Request-Id` of this request (set by ``SmartcarEnvelope``).
    var smartcarRequestId: String { scope.requestId ?? "" }

    /// The error model the request's version segment asks for (v2 outside the versioned API).
    var smartcarVersion: SmartcarAPIVersion {
        guard let version = parameters.get("version") else { return .v2 }
        return SmartcarAPIVersion(versionParameter: version) ?? .v2
    }
}

/// Smartcar's group middleware: gives the request its `SC-Request-Id`, refuses a version segment
/// that is not numeric, and renders whatever a handler throws in Smartcar's error model for the
/// request's API version.
struct SmartcarEnvelope: RouterMiddleware {
    typealias Context = FleetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestId = Identifiers.randomUUID()
        context.scope.requestId = requestId
        // The versioned API's gate: `/vJohnny/…` is a 404 `RESOURCE_NOT_FOUND:VERSION` before anything else.
        var version = SmartcarAPIVersion.v2
        if let segment = context.parameters.get("version") {
            guard let numeric = SmartcarAPIVersion(versionParameter: segment) else {
                return SmartcarAPIError.of("RESOURCE_NOT_FOUND", "VERSION").response(version: .v2, requestId: requestId)
            }
            version = numeric
        }
        do {
            return try await next(request, context)
        } catch let error as SmartcarAPIError {
            return error.response(version: version, requestId: requestId)
        } catch let error as FleetError {
            switch error {
            case .notFound: return SmartcarAPIError.validation().response(version: version, requestId: requestId)
            case .invalid(let field, let reason): return SmartcarAPIError.validation(reason, field: field).response(version: version, requestId: requestId)
            case .conflict: return SmartcarAPIError.of("VEHICLE_STATE", "UNKNOWN").response(version: version, requestId: requestId)
            }
        } catch {
            context.logger.error("smartcar handler failed: \(error)")
            return SmartcarAPIError.of("SERVER", "INTERNAL").response(version: version, requestId: requestId)
        }
    }
}

