import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import Logging

/// DIMO's routes on the shared router: the auth server, token exchange, the GraphQL APIs
/// (`/identity/query`, `/telemetry/query`, `/fetch/query`) and the REST services (with the Agents
/// API's health check at `/`), each with its own error format. Every route is mounted twice: at the
/// root and below `/sandbox/{sandbox}`, which names the sandbox in the path.
public struct DIMORoutes: Sendable {
    let fleet: Fleet
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let vehicleTokens: JWTIssuer
    /// The GraphQL endpoints, built when DIMO is first used.
    let schemas = LazyGraphQLEndpoints()
    let loginSessions = LoginSessions()

    /// Builds the routes' services (the GraphQL schemas wait for DIMO's first request).
    public init(fleet: Fleet) {
        self.fleet = fleet
        access = DIMOAccess(fleet: fleet)
        developerTokens = JWTIssuer(access: access, issuer: JWTIssuer.developerIssuer)
        vehicleTokens = JWTIssuer(access: access, issuer: JWTIssuer.vehicleIssuer)
    }

    /// The GraphQL endpoints' build (started by this call if no DIMO request has started it).
    var graphQL: Task<GraphQLEndpoints, any Error> { schemas.task }

    /// The GraphQL endpoints once built; an embedded schema that does not build (a defect the test
    /// suite catches) answers as a GraphQL transport error.
    func endpoints() async -> (GraphQLEndpoints?, Response?) {
        do {
            return (try await graphQL.value, nil)
        } catch {
            return (nil, GraphQLEndpoint.transportError("schema unavailable: \(error)"))
        }
    }

    /// Mounts every DIMO route on `router`, at the root and below `/sandbox/{sandbox}`.
    public func addRoutes(to router: some RouterMethods<FleetRequestContext>) {
        let dimo = router.group().add(middleware: DIMOEnvelope(schemas: schemas))
        addServiceRoutes(to: dimo)
        dimo.get("/") { request, context in
            // The Login with DIMO button opens the origin with its client id; anything else is the Agents health check.
            if request.uri.query.map({ $0.contains("clientId=") || $0.contains("configurationId=") }) == true {
                return try await loginFlow.handle(request, path: "/", scope: context.scope)
            }
            return Agents.health()
        }
        addServiceRoutes(to: dimo.group("/sandbox/{sandbox}"))
    }

    var webAuth: WebAuth { WebAuth(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens) }
    var loginFlow: LoginFlow { LoginFlow(access: access, developerTokens: developerTokens, sessions: loginSessions) }

    /// The sandbox a request names by path prefix or header (DIMO's credential-free services).
    static func namedSandbox(_ request: Request, _ context: FleetRequestContext) -> String {
        context.target?.pathSandbox ?? request.headers[.fleetmockSandbox] ?? Fleet.defaultSandboxId
    }

    func addServiceRoutes(to dimo: RouterGroup<FleetRequestContext>) {
        let auth = webAuth
        dimo.post("/auth/web3/generate_challenge") { request, context in
            try await auth.generateChallenge(request, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        dimo.post("/auth/web3/submit_challenge") { request, context in
            try await auth.submitChallenge(request, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        dimo.get("/keys") { _, _ in try await auth.keys() }
        dimo.get("/.well-known/openid-configuration") { _, _ in auth.discovery(origin: "") }
        let exchange = TokenExchange(access: access, developerTokens: developerTokens, vehicleTokens: vehicleTokens)
        dimo.post("/v1/tokens/exchange") { request, context in
            try await exchange.handle(request, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        addGraphQLRoutes(to: dimo)
        addRESTRoutes(to: dimo)
        dimo.onAny("/login") { request, context in try await loginFlow.handle(request, path: context.barePath, scope: context.scope) }
        dimo.onAny("/login/**") { request, context in try await loginFlow.handle(request, path: context.barePath, scope: context.scope) }
    }

    func addGraphQLRoutes(to dimo: RouterGroup<FleetRequestContext>) {
        dimo.onAny("/identity/query") { request, context in
            let sandboxId = Self.namedSandbox(request, context)
            guard let sandbox = try? await fleet.sandboxRecord(sandboxId) else {
                return GraphQLEndpoint.transportError("unknown sandbox \(sandboxId)")
            }
            context.scope.sandboxId = sandboxId
            let (built, unavailable) = await endpoints()
            guard let endpoints = built else { return unavailable ?? GraphQLEndpoint.transportError("schema unavailable") }
            switch GraphQLEndpoint.read(request, body: await request.collectBody() ?? Data()) {
            case .failure(let failure): return failure.response
            case .success(let graphQLRequest):
                return await endpoints.identity.execute(graphQLRequest, context: IdentityContext(sandboxId: sandboxId, access: access, now: sandbox.clock.now()))
            }
        }
        let telemetry: VendorHandler = { request, context in
            try await self.telemetry(request, context: context)
        }
        dimo.onAny("/telemetry/query", use: telemetry)
        dimo.onAny("/fetch/query", use: telemetry)
    }

    /// Telemetry and Fetch: a vehicle JWT (checked against the sandbox clock) and a GraphQL document.
    func telemetry(_ request: Request, context: FleetRequestContext) async throws -> Response {
        var claims: JSONValue?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return Responses.json(.object([("message", "Something went wrong while checking the JWT.")]), status: .internalServerError)
            }
            claims = try await verifiedVehicleClaims(String(parts[1]))
            guard let verified = claims else { return Responses.json(.object([("message", "JWT is invalid.")]), status: .unauthorized) }
            if let tokenId = verified["token_id"]?.stringValue.flatMap({ Int64($0) }), let snapshot = try await access.vehicle(tokenId: tokenId) {
                context.scope.sandboxId = snapshot.vehicle.sandboxId
            }
        }
        let (built, unavailable) = await endpoints()
        guard let endpoints = built else { return unavailable ?? GraphQLEndpoint.transportError("schema unavailable") }
        switch GraphQLEndpoint.read(request, body: await request.collectBody() ?? Data()) {
        case .failure(let failure): return failure.response
        case .success(let graphQLRequest):
            let endpoint = context.target?.service == .fetch ? endpoints.fetch : endpoints.telemetry
            return await endpoint.execute(graphQLRequest, context: TelemetryContext(claims: claims, fleet: fleet, access: access))
        }
    }

    func addRESTRoutes(to dimo: RouterGroup<FleetRequestContext>) {
        let attestations = Attestations(fleet: fleet, access: access, vehicleTokens: vehicleTokens)
        dimo.post("/v2/attestation/{kind}/{tokenId}") { request, context in
            try await attestations.handle(request, kind: context.pathParameter("kind"), tokenId: context.pathParameter("tokenId"),
                                          body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        let definitions = DeviceDefinitions(access: access, developerTokens: developerTokens)
        dimo.post("/device-definitions/decode-vin") { request, context in
            try await definitions.decodeVIN(request, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        dimo.get("/device-definitions/search") { request, context in
            try await definitions.search(request, sandboxId: Self.namedSandbox(request, context))
        }
        dimo.get("/device-definitions/{id}") { request, context in
            try await definitions.get(id: context.pathParameter("id"), sandboxId: Self.namedSandbox(request, context))
        }
        let vehicleServices = VehicleServices(fleet: fleet, access: access, vehicleTokens: vehicleTokens)
        for action in RequestTarget.dimoValuationActions {
            dimo.onAny(RouterPath("/v2/vehicles/{tokenId}/\(action)")) { request, context in
                try await vehicleServices.valuations(request, tokenId: context.pathParameter("tokenId"), action: action, scope: context.scope)
            }
        }
        dimo.get("/v1/vehicle/{tokenId}/trips") { request, context in
            try await vehicleServices.trips(request, tokenId: context.pathParameter("tokenId"), scope: context.scope)
        }
        let triggers = VehicleTriggers(fleet: fleet, access: access, developerTokens: developerTokens)
        let webhooks: VendorHandler = { request, context in
            try await triggers.handle(request, path: context.barePath, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        dimo.onAny("/v1/webhooks", use: webhooks)
        dimo.onAny("/v1/webhooks/**", use: webhooks)
        let agents = Agents(fleet: fleet, access: access, developerTokens: developerTokens)
        let conversations: VendorHandler = { request, context in
            try await agents.handle(request, path: context.barePath, body: await request.collectBody() ?? Data(), scope: context.scope)
        }
        dimo.onAny("/agents", use: conversations)
        dimo.onAny("/agents/**", use: conversations)
    }

    /// DIMO's answer for a request the resolution addressed to DIMO but no route serves: the
    /// services are Go fiber apps, whose default is 404 `{"message":"Cannot GET /path","code":404}`
    /// (upstream's own answer for the removed `/v1/vc/pom/{id}`; the reference has no other, so every
    /// DIMO path without a route answers it).
    public func notFound(_ request: Request, context: FleetRequestContext) -> Response {
        Attestations.error(404, "Cannot \(request.method.rawValue) \(context.barePath)")
    }

    /// What a handler threw, in the addressed service's own shape: a GraphQL error for the GraphQL
    /// APIs (whose transport errors are always 400s), the Agents API's `{"error"}`, fiber's
    /// `{"message", "code"}` for the others.
    static func error(_ status: Int, _ message: String, service: VendorService?) -> Response {
        switch service {
        case .identity?, .telemetry?, .fetch?: GraphQLEndpoint.transportError(message)
        case .conversations?: Agents.error(status, message)
        default: Attestations.error(status, message)
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

/// DIMO's group middleware: starts the GraphQL schemas' build on DIMO's first request, and turns
/// what a handler throws (a defect, or the store failing) into the addressed service's own error
/// shape instead of fleetmock's control-API envelope.
struct DIMOEnvelope: RouterMiddleware {
    typealias Context = FleetRequestContext
    let schemas: LazyGraphQLEndpoints

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        schemas.warm()
        do {
            return try await next(request, context)
        } catch let error as FleetError {
            switch error {
            case .invalid(_, let reason): return DIMORoutes.error(400, reason, service: context.target?.service)
            case .notFound(let kind, let id): return DIMORoutes.error(404, "\(kind) \(id) not found", service: context.target?.service)
            case .conflict(let reason): return DIMORoutes.error(409, reason, service: context.target?.service)
            }
        } catch let error as HTTPError {
            throw error
        } catch {
            context.logger.error("dimo handler failed: \(error)")
            return DIMORoutes.error(500, "Internal error", service: context.target?.service)
        }
    }
}
