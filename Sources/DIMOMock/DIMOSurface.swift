import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// DIMO's HTTP surface on one origin: the auth server, token exchange, the GraphQL APIs
/// (`/identity/query`, `/telemetry/query`) and the REST services, each with its own error format.
/// Requests on other paths pass through.
public struct DIMOSurface: RouterMiddleware {
    public typealias Context = FleetRequestContext
    let fleet: Fleet
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let vehicleTokens: JWTIssuer

    public init(fleet: Fleet) {
        self.fleet = fleet
        access = DIMOAccess(fleet: fleet)
        developerTokens = JWTIssuer(access: access, issuer: JWTIssuer.developerIssuer)
        vehicleTokens = JWTIssuer(access: access, issuer: JWTIssuer.vehicleIssuer)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.normalizedPath
        let method = request.method
        let scope = context.scope
        let auth = WebAuth(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens)
        switch (method, path) {
        case (.post, "/auth/web3/generate_challenge"):
            scope.vendor = "dimo"
            return try await auth.generateChallenge(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (.post, "/auth/web3/submit_challenge"):
            scope.vendor = "dimo"
            return try await auth.submitChallenge(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (.get, "/keys"):
            scope.vendor = "dimo"
            return try await auth.keys()
        case (.get, "/.well-known/openid-configuration"):
            scope.vendor = "dimo"
            return auth.discovery(origin: "")
        case (.post, "/v1/tokens/exchange"):
            scope.vendor = "dimo"
            return try await TokenExchange(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens)
                .handle(request, body: await request.collectBody() ?? Data(), scope: scope)
        default:
            return try await next(request, context)
        }
    }

    /// The control API's share: owners grant SACD privileges on vehicles to the sandbox's license.
    public func share(sandboxId: String, tokenIds: [Int64], privileges: [Int], expiresAt: Date?) async throws -> [DIMOSacdRecord] {
        guard let license = try await access.license(sandboxId: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
        let unknown = privileges.filter { DIMOPrivilege.names[$0] == nil }
        if let first = unknown.first { throw FleetError.invalid(field: "permissions", reason: "unknown privilege id \(first); use 1-8") }
        return try await access.share(sandboxId: sandboxId, tokenIds: tokenIds, grantee: license.clientId, privileges: privileges, expiresAt: expiresAt)
    }
}
