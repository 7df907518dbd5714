import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// DIMO's HTTP surface on one origin: the auth server, token exchange, the GraphQL APIs
/// (`/identity/query`, `/telemetry/query`) and the REST services (with the Agents API's health check at `/`),
/// each with its own error format.
/// Serves the requests the resolution addressed to DIMO; the others pass through untouched.
public struct DIMOSurface: RouterMiddleware {
    public typealias Context = FleetRequestContext
    let fleet: Fleet
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let vehicleTokens: JWTIssuer
    /// The GraphQL endpoints, built in the background from the moment the surface exists (their
    /// schemas take longer to build than the server takes to start); the first query waits for them.
    let graphQL: Task<GraphQLEndpoints, any Error>
    let loginSessions = LoginSessions()

    /// Builds the surface and starts building its GraphQL schemas.
    public init(fleet: Fleet) {
        self.fleet = fleet
        access = DIMOAccess(fleet: fleet)
        developerTokens = JWTIssuer(access: access, issuer: JWTIssuer.developerIssuer)
        vehicleTokens = JWTIssuer(access: access, issuer: JWTIssuer.vehicleIssuer)
        graphQL = Task.detached(priority: .userInitiated) { try GraphQLEndpoints() }
    }

    /// The GraphQL endpoints once built; an embedded schema that does not build (a defect the test
    /// suite catches) answers as a GraphQL transport error.
    func endpoints() async -> (GraphQLEndpoints?, Response?) {
        do {
            return (try await graphQL.value, nil)
        } catch {
            return (nil, GraphQLEndpoint.transportError("schema unavailable: \(error)"))
        }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let target = context.scope.resolution?.target, target.vendor == .dimo else { return try await next(request, context) }
        let (pathSandbox, path) = (target.pathSandbox, target.path)
        let method = request.method
        let scope = context.scope
        let auth = WebAuth(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens)
        switch (method, path) {
        case (.post, "/auth/web3/generate_challenge"):
            return try await auth.generateChallenge(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (.post, "/auth/web3/submit_challenge"):
            return try await auth.submitChallenge(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (.get, "/keys"):
            return try await auth.keys()
        case (.get, "/.well-known/openid-configuration"):
            return auth.discovery(origin: "")
        case (.post, "/v1/tokens/exchange"):
            return try await TokenExchange(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens)
                .handle(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (_, "/identity/query"):
            let sandboxId = pathSandbox ?? request.headers[.fleetmockSandbox] ?? Fleet.defaultSandboxId
            guard let sandbox = try? await fleet.sandboxRecord(sandboxId) else {
                return GraphQLEndpoint.transportError("unknown sandbox \(sandboxId)")
            }
            scope.sandboxId = sandboxId
            let (built, unavailable) = await self.endpoints()
            guard let endpoints = built else { return unavailable ?? GraphQLEndpoint.transportError("schema unavailable") }
            switch GraphQLEndpoint.read(request, body: await request.collectBody() ?? Data()) {
            case .failure(let failure): return failure.response
            case .success(let graphQLRequest):
                return await endpoints.identity.execute(graphQLRequest, context: IdentityContext(sandboxId: sandboxId, access: access, now: sandbox.clock.now()))
            }
        case (_, "/telemetry/query"), (_, "/fetch/query"):
            var claims: JSONValue?
            if let header = request.headers[.authorization] {
                let parts = header.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                    return Responses.json(.object([("message", "Something went wrong while checking the JWT.")]), status: .internalServerError)
                }
                claims = try await verifiedVehicleClaims(String(parts[1]))
                guard let verified = claims else { return Responses.json(.object([("message", "JWT is invalid.")]), status: .unauthorized) }
                if let tokenId = verified["token_id"]?.stringValue.flatMap({ Int64($0) }), let snapshot = try await access.vehicle(tokenId: tokenId) {
                    scope.sandboxId = snapshot.vehicle.sandboxId
                }
            }
            let (built, unavailable) = await self.endpoints()
            guard let endpoints = built else { return unavailable ?? GraphQLEndpoint.transportError("schema unavailable") }
            switch GraphQLEndpoint.read(request, body: await request.collectBody() ?? Data()) {
            case .failure(let failure): return failure.response
            case .success(let graphQLRequest):
                let endpoint = path == "/fetch/query" ? endpoints.fetch : endpoints.telemetry
                return await endpoint.execute(graphQLRequest, context: TelemetryContext(claims: claims, fleet: fleet, access: access))
            }
        case (.post, _) where path.hasPrefix("/v2/attestation/"):
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count == 4 else { return Attestations.error(404, "Cannot POST \(path)") }
            return try await Attestations(fleet: fleet, access: access, vehicleTokens: vehicleTokens)
                .handle(request, kind: parts[2], tokenId: parts[3], body: await request.collectBody() ?? Data(), scope: scope)
        case (.post, "/device-definitions/decode-vin"):
            return try await DeviceDefinitions(access: access, developerTokens: developerTokens)
                .decodeVIN(request, body: await request.collectBody() ?? Data(), scope: scope)
        case (.get, "/device-definitions/search"):
            return try await DeviceDefinitions(access: access, developerTokens: developerTokens)
                .search(request, sandboxId: pathSandbox ?? request.headers[.fleetmockSandbox] ?? Fleet.defaultSandboxId)
        case (.get, _) where path.hasPrefix("/device-definitions/") && path.split(separator: "/").count == 2:
            let id = String(path.split(separator: "/")[1])
            return try await DeviceDefinitions(access: access, developerTokens: developerTokens)
                .get(id: id, sandboxId: pathSandbox ?? request.headers[.fleetmockSandbox] ?? Fleet.defaultSandboxId)
        case (_, _) where path.hasPrefix("/v2/vehicles/") && path.split(separator: "/").count == 4:
            let parts = path.split(separator: "/").map(String.init)
            return try await VehicleServices(fleet: fleet, access: access, vehicleTokens: vehicleTokens)
                .valuations(request, tokenId: parts[2], action: parts[3], scope: scope)
        case (.get, _) where path.hasPrefix("/v1/vehicle/") && path.hasSuffix("/trips") && path.split(separator: "/").count == 4:
            let parts = path.split(separator: "/").map(String.init)
            return try await VehicleServices(fleet: fleet, access: access, vehicleTokens: vehicleTokens).trips(request, tokenId: parts[2], scope: scope)
        case (_, _) where path == "/v1/webhooks" || path.hasPrefix("/v1/webhooks/"):
            return try await VehicleTriggers(fleet: fleet, access: access, developerTokens: developerTokens)
                .handle(request, path: path, body: await request.collectBody() ?? Data(), scope: scope)
        case (_, "/login"), (_, _) where path.hasPrefix("/login/"),
             (.get, "/") where request.uri.query.map({ $0.contains("clientId=") || $0.contains("configurationId=") }) == true:
            return try await LoginFlow(access: access, developerTokens: developerTokens, sessions: loginSessions)
                .handle(request, path: path, scope: scope)
        case (.get, "/"):
            return Agents.health()
        case (_, _) where path == "/agents" || path.hasPrefix("/agents/"):
            return try await Agents(fleet: fleet, access: access, developerTokens: developerTokens)
                .handle(request, path: path, body: await request.collectBody() ?? Data(), scope: scope)
        case (.post, _) where path.hasPrefix("/v1/vc/pom/"):
            return Attestations.error(404, "Cannot POST \(path)")
        default:
            return try await next(request, context)
        }
    }

    /// Telemetry's JWT check: a vehicle JWT of the roles-rights issuer, audience dimo.zone, a DID asset.
    func verifiedVehicleClaims(_ token: String) async throws -> JSONValue? {
        guard let unverified = TokenExchange.unverifiedClaims(token),
              let asset = unverified["asset"]?.stringValue, asset.hasPrefix("did:erc721:") || asset.hasPrefix("did:ethr:") else { return nil }
        var now = Date()
        if let tokenId = unverified["token_id"]?.stringValue.flatMap({ Int64($0) }), let snapshot = try await access.vehicle(tokenId: tokenId),
           let sandbox = try await fleet.sandboxRecord(snapshot.vehicle.sandboxId) {
            now = sandbox.clock.now()
        }
        guard let claims = try await vehicleTokens.verify(token, now: now),
              claims["aud"]?.arrayValue?.contains(.string("dimo.zone")) == true else { return nil }
        return claims
    }

    /// The control API's share: owners grant SACD privileges on vehicles to the sandbox's license.
    public func share(sandboxId: String, tokenIds: [Int64], privileges: [Int], expiresAt: Date?) async throws -> [DIMOSacdRecord] {
        guard let license = try await access.license(sandboxId: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
        let unknown = privileges.filter { DIMOPrivilege.names[$0] == nil }
        if let first = unknown.first { throw FleetError.invalid(field: "permissions", reason: "unknown privilege id \(first); use 1-8") }
        return try await access.share(sandboxId: sandboxId, tokenIds: tokenIds, grantee: license.clientId, privileges: privileges, expiresAt: expiresAt)
    }
}
