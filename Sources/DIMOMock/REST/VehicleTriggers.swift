import CEL
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The Vehicle Triggers API (`vehicle-triggers-api.dimo.zone`, reference §7): webhooks a developer license registers
/// on a signal or an event, and the vehicles subscribed to them. Every route takes a developer JWT (gofiber jwtware,
/// then the license check on its `ethereum_address` claim); errors are server-garage's `{"message","code"}`.
///
/// Deliveries (FleetServer's DIMOTriggerDispatcher, with `VehicleTriggerDeliveries`): when the simulation, a command
/// or a control-API PATCH writes new samples or events for a subscribed vehicle, an enabled webhook's condition is
/// evaluated on each in time order and, outside its cooldown, the CloudEvent is POSTed to `targetURL`; a delivery
/// that fails after its redeliveries adds one to `failureCount`, a successful one resets it.
///
/// Differences from upstream:
/// - the target URL check at registration is not made: upstream POSTs `{"verification": "test"}` to `targetURL` and
///   wants the verification token back; here any accepted URL is stored with its token, unchecked;
/// - besides https URLs, `http://` URLs on loopback (`localhost`, `127.0.0.1`, `[::1]`) are accepted, so a receiver
///   on the developer's machine can get deliveries.
struct VehicleTriggers: Sendable {
    let fleet: Fleet
    let access: DIMOAccess
    let developerTokens: JWTIssuer

    var store: VehicleTriggerStore { VehicleTriggerStore(fleet: fleet) }

    /// server-garage's error body: `{"message","code"}`.
    static func error(_ status: Int, _ message: String) -> Response {
        Attestations.error(status, message)
    }

    /// The license and sandbox a request acts for.
    struct Caller: Sendable {
        let license: DIMOLicenseRecord
        let sandbox: SandboxRecord
        var now: Date { sandbox.clock.now() }
    }

    // MARK: Auth and routing

    /// jwtware on the developer JWT, then the license check on its `ethereum_address` claim.
    func authorize(_ request: Request) async throws -> Result<Caller, ResponseError> {
        let claims: JSONValue
        switch try await TokenExchange.developer(request, access: access, tokens: developerTokens) {
        case .failure(let failure):
            // jwtware's plain-text 400/401 stay as they are; a JWT that does not speak for a license is a 403 here.
            if failure.response.headers[.contentType]?.hasPrefix("text/plain") == true { return .failure(failure) }
            return .failure(ResponseError(Self.error(403, "JWT is not from a developer license")))
        case .success(let value):
            claims = value.2
        }
        guard let address = claims["ethereum_address"]?.stringValue,
              let (license, sandbox) = try await access.license(clientId: address) else {
            return .failure(ResponseError(Self.error(403, "JWT is not from a developer license")))
        }
        return .success(Caller(license: license, sandbox: sandbox))
    }

    /// Every path under `/v1/webhooks`, routed as upstream's fiber app does (the auth middleware runs first, on
    /// any path; `…/subscribe/list` and `…/subscribe/all` win over `…/subscribe/{assetDID}`).
    func handle(_ request: Request, path: String, body: Data, scope: RequestScope) async throws -> Response {
        let caller: Caller
        switch try await authorize(request) {
        case .failure(let failure): return failure.response
        case .success(let value): caller = value
        }
        scope.sandboxId = caller.sandbox.id
        let rest = path.split(separator: "/").dropFirst(2).map { String($0).removingPercentEncoding ?? String($0) }
        let method = request.method
        switch rest.count {
        case 0:
            if method == .get { return try await list(caller) }
            if method == .post { return try await register(caller, body: body) }
        case 1:
            if method == .get {
                if rest[0] == "signals" { return Responses.json(Self.signalList) }
                return try await vehiclesOfWebhook(caller, webhookId: rest[0])
            }
            if method == .put { return try await update(caller, webhookId: rest[0], body: body) }
            if method == .delete { return try await delete(caller, webhookId: rest[0]) }
        case 2 where rest[0] == "vehicles":
            if method == .get { return try await subscriptionsOfVehicle(caller, assetDID: rest[1]) }
        case 3 where rest[1] == "subscribe":
            if method == .post {
                switch rest[2] {
                case "list": return try await subscribeList(caller, webhookId: rest[0], body: body)
                case "all": return try await subscribeAll(caller, webhookId: rest[0])
                default: return try await subscribe(caller, webhookId: rest[0], assetDID: rest[2])
                }
            }
        case 3 where rest[1] == "unsubscribe":
            if method == .delete {
                switch rest[2] {
                case "list": return try await unsubscribeList(caller, webhookId: rest[0], body: body)
                case "all": return try await unsubscribeAll(caller, webhookId: rest[0])
                default: return try await unsubscribe(caller, webhookId: rest[0], assetDID: rest[2])
                }
            }
        default:
            return Self.error(404, "Cannot \(method.rawValue) \(path)")
        }
        // The path has a route, but for another method.
        return Self.error(405, "Method Not Allowed")
    }

    // MARK: Webhooks

    /// `GET /v1/webhooks`: the license's webhooks as WebhookView, by id.
    func list(_ caller: Caller) async throws -> Response {
        let hooks = try await store.webhooks(sandboxId: caller.sandbox.id, clientId: caller.license.clientId)
        return Responses.json(.array(hooks.map(Self.view)))
    }

    /// WebhookView, in upstream's key order.
    static func view(_ hook: DIMOWebhookRecord) -> JSONValue {
        .object([
            ("id", .string(hook.id)),
            ("service", .string(hook.service)),
            ("metricName", .string(hook.metricName)),
            ("condition", .string(hook.condition)),
            ("targetURL", .string(hook.targetURL)),
            ("coolDownPeriod", .integer(hook.coolDownPeriod)),
            ("status", .string(hook.status)),
            ("description", .string(hook.description)),
            ("createdAt", .string(goTime(hook.createdAt))),
            ("updatedAt", .string(goTime(hook.updatedAt))),
            ("failureCount", .integer(hook.failureCount)),
            ("displayName", .string(hook.displayName)),
        ])
    }

    static let registerFields = ["service", "metricName", "condition", "description", "displayName", "targetURL", "status", "verificationToken"]
    static let updateFields = ["condition", "targetURL", "status", "description", "displayName"]

    /// `POST /v1/webhooks`: validates as upstream does, in its order, then stores; 201 with the new id.
    func register(_ caller: Caller, body: Data) async throws -> Response {
        let fields: GoFields
        switch Self.decode(body, type: "RegisterWebhookRequest", strings: Self.registerFields, ints: ["coolDownPeriod"]) {
        case .failure: return Self.error(400, "Invalid request payload")
        case .success(let value): fields = value
        }
        let service = fields.strings["service"] ?? ""
        let metricName = fields.strings["metricName"] ?? ""
        let condition = fields.strings["condition"] ?? ""
        let targetURL = fields.strings["targetURL"] ?? ""
        let status = fields.strings["status"] ?? ""
        let coolDownPeriod = fields.ints["coolDownPeriod"] ?? 0
        if let problem = Self.targetURLProblem(targetURL) { return Self.error(400, problem) }
        let kind: CELCondition.Kind
        switch Self.metric(service: service, metricName: metricName) {
        case .failure(let failure): return Self.error(400, failure.message)
        case .success(let value): kind = value
        }
        if let problem = TriggerConditions.shared.register(condition, kind: kind) { return Self.error(400, "invalid CEL condition: \(problem)") }
        if let problem = Self.coolDownProblem(coolDownPeriod) { return Self.error(400, problem) }
        if let problem = Self.statusProblem(status) { return Self.error(400, problem) }
        // Upstream would now POST {"verification": "test"} to targetURL and compare the answer with
        // verificationToken. fleetmock makes no outbound requests: the check is skipped and the token stored.
        var rng = SystemRandomNumberGenerator()
        let id = Identifiers.uuid(using: &rng)
        let now = caller.now
        let displayName = fields.strings["displayName"] ?? ""
        let record = DIMOWebhookRecord(
            id: id, sandboxId: caller.sandbox.id, clientId: caller.license.clientId, service: service, metricName: metricName,
            condition: condition, targetURL: targetURL, coolDownPeriod: coolDownPeriod, status: status,
            description: fields.strings["description"] ?? "", displayName: displayName.isEmpty ? id : displayName,
            verificationToken: fields.strings["verificationToken"] ?? "", createdAt: now, updatedAt: now)
        do {
            try await store.create(record)
        } catch VehicleTriggerStoreError.duplicateDisplayName {
            return Self.error(400, "Display name must be unique")
        }
        return Responses.json(.object([("id", .string(id)), ("message", "Webhook registered successfully")]), status: .created)
    }

    /// `PUT /v1/webhooks/{id}`: changes the fields given (service and metric name stay); resets the failure count.
    func update(_ caller: Caller, webhookId: String, body: Data) async throws -> Response {
        var hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        let fields: GoFields
        switch Self.decode(body, type: "UpdateWebhookRequest", strings: Self.updateFields, ints: ["coolDownPeriod"]) {
        case .failure(let failure): return Self.error(400, "Invalid request payload: \(failure.message)")
        case .success(let value): fields = value
        }
        if let targetURL = fields.strings["targetURL"] {
            if let problem = Self.targetURLProblem(targetURL) { return Self.error(400, problem) }
            hook.targetURL = targetURL
        }
        if let status = fields.strings["status"] {
            if let problem = Self.statusProblem(status) { return Self.error(400, problem) }
            hook.status = status
        }
        if let condition = fields.strings["condition"] {
            if case .success(let kind) = Self.metric(service: hook.service, metricName: hook.metricName),
               let problem = TriggerConditions.shared.register(condition, kind: kind) {
                return Self.error(400, "invalid CEL condition: \(problem)")
            }
            hook.condition = condition
        }
        if let coolDownPeriod = fields.ints["coolDownPeriod"] {
            if let problem = Self.coolDownProblem(coolDownPeriod) { return Self.error(400, problem) }
            hook.coolDownPeriod = coolDownPeriod
        }
        if let description = fields.strings["description"] { hook.description = description }
        if let displayName = fields.strings["displayName"] { hook.displayName = displayName }
        hook.failureCount = 0
        hook.updatedAt = caller.now
        do {
            guard try await store.update(hook) else { return Self.error(404, "Webhook not found") }
        } catch VehicleTriggerStoreError.duplicateDisplayName {
            return Self.error(400, "Display name must be unique")
        }
        return Responses.json(.object([("id", .string(hook.id)), ("message", "Webhook updated successfully")]))
    }

    /// `DELETE /v1/webhooks/{id}`: the webhook and its subscriptions.
    func delete(_ caller: Caller, webhookId: String) async throws -> Response {
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        _ = try await store.delete(id: webhookId)
        return Responses.json(.object([("message", "Webhook deleted successfully")]))
    }

    /// getWebhookID and ownerCheck: a UUID, naming a webhook of this license.
    func owned(_ caller: Caller, _ webhookId: String) async throws -> Result<DIMOWebhookRecord, ResponseError> {
        guard Self.isUUID(webhookId) else { return .failure(ResponseError(Self.error(400, "Invalid webhook id"))) }
        guard let hook = try await store.webhook(id: webhookId, sandboxId: caller.sandbox.id, clientId: caller.license.clientId) else {
            return .failure(ResponseError(Self.error(404, "Webhook not found")))
        }
        return .success(hook)
    }
}
