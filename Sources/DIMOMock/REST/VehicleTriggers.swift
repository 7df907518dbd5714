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

    // MARK: Subscriptions

    /// `GET /v1/webhooks/{id}`: the asset DIDs subscribed, as strings.
    func vehiclesOfWebhook(_ caller: Caller, webhookId: String) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        let subscriptions = try await store.subscriptions(webhookId: hook.id)
        return Responses.json(.array(subscriptions.map { .string($0.assetDID) }))
    }

    /// `GET /v1/webhooks/vehicles/{assetDID}`: the license's subscriptions of one vehicle (SubscriptionView).
    func subscriptionsOfVehicle(_ caller: Caller, assetDID: String) async throws -> Response {
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        let found = try await store.subscriptions(sandboxId: caller.sandbox.id, clientId: caller.license.clientId, assetDID: did.text)
        return Responses.json(.array(found.map { item -> JSONValue in
            .object([
                ("webhookId", .string(item.subscription.webhookId)),
                ("assetDid", .string(item.subscription.assetDID)),
                ("createdAt", .string(Self.goTime(item.subscription.createdAt))),
                ("description", .string(item.webhook.description)),
            ])
        }))
    }

    /// `POST /v1/webhooks/{id}/subscribe/{assetDID}`: 201, or 403 when the license may not read the metric of this vehicle.
    func subscribe(_ caller: Caller, webhookId: String, assetDID: String) async throws -> Response {
        guard Self.isUUID(webhookId) else { return Self.error(400, "Invalid webhook id") }
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        guard let vehicleId = try await permittedVehicle(caller, did, privileges: Self.privileges(for: hook)) else {
            return Self.error(403, "Insufficient vehicle permissions")
        }
        do {
            try await store.subscribe(webhookId: hook.id, vehicleId: vehicleId, assetDID: did.text, at: caller.now)
        } catch VehicleTriggerStoreError.alreadySubscribed {
            return Self.error(400, "Already subscribed")
        }
        return Responses.json(.object([("message", "Vehicle assigned successfully")]), status: .created)
    }

    /// `POST /v1/webhooks/{id}/subscribe/list` with `{"assetDIDs": […]}`.
    func subscribeList(_ caller: Caller, webhookId: String, body: Data) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        guard let dids = Self.assetList(body) else { return Self.error(400, "Invalid request body") }
        return try await subscribeMany(caller, hook: hook, dids: dids)
    }

    /// `POST /v1/webhooks/{id}/subscribe/all`: every vehicle shared with the license (an unexpired SACD to it).
    func subscribeAll(_ caller: Caller, webhookId: String) async throws -> Response {
        let hook: DIMOWebhookRecord
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success(let value): hook = value
        }
        let shared = try await store.sharedVehicles(sandboxId: caller.sandbox.id, grantee: caller.license.clientId, at: caller.now)
        let dids = shared.map { AssetDID(chainId: UInt64(DIMOContracts.chainId), contract: DIMOContracts.vehicle, tokenId: String($0.tokenId)) }
        return try await subscribeMany(caller, hook: hook, dids: dids)
    }

    /// Upstream checks every vehicle first (one without the privileges fails the whole request), then subscribes
    /// each; those that fail (already subscribed) are listed instead of the count.
    func subscribeMany(_ caller: Caller, hook: DIMOWebhookRecord, dids: [AssetDID]) async throws -> Response {
        let privileges = Self.privileges(for: hook)
        var vehicleIds: [Int64] = []
        for did in dids {
            guard let vehicleId = try await permittedVehicle(caller, did, privileges: privileges) else {
                return Self.error(403, "Insufficient permissions for asset \(did.text)")
            }
            vehicleIds.append(vehicleId)
        }
        let now = caller.now
        var failed: [JSONValue] = []
        for (did, vehicleId) in zip(dids, vehicleIds) {
            do {
                try await store.subscribe(webhookId: hook.id, vehicleId: vehicleId, assetDID: did.text, at: now)
            } catch VehicleTriggerStoreError.alreadySubscribed {
                failed.append(.object([("assetDid", .string(did.text)), ("message", "Already subscribed")]))
            }
        }
        if !failed.isEmpty { return Responses.json(.object([("failedSubscriptions", .array(failed))])) }
        return Responses.json(.object([("message", .string("Subscribed \(dids.count) assets"))]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/{assetDID}`: succeeds whether or not it was subscribed.
    func unsubscribe(_ caller: Caller, webhookId: String, assetDID: String) async throws -> Response {
        guard Self.isUUID(webhookId) else { return Self.error(400, "Invalid webhook id") }
        let did: AssetDID
        switch AssetDID.decode(assetDID) {
        case .failure(let failure): return Self.error(400, "Invalid asset DID format: \(failure.message)")
        case .success(let value): did = value
        }
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        try await store.unsubscribe(webhookId: webhookId, assetDID: did.text)
        return Responses.json(.object([("message", "Vehicle unsubscribed successfully")]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/list`: counts the DIDs given, as upstream does.
    func unsubscribeList(_ caller: Caller, webhookId: String, body: Data) async throws -> Response {
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        guard let dids = Self.assetList(body) else { return Self.error(400, "Invalid request body") }
        for did in dids { try await store.unsubscribe(webhookId: webhookId, assetDID: did.text) }
        return Responses.json(.object([("message", .string("Unsubscribed \(dids.count) assets"))]))
    }

    /// `DELETE /v1/webhooks/{id}/unsubscribe/all`: counts the subscriptions removed.
    func unsubscribeAll(_ caller: Caller, webhookId: String) async throws -> Response {
        switch try await owned(caller, webhookId) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        let removed = try await store.unsubscribeAll(webhookId: webhookId)
        return Responses.json(.object([("message", .string("Unsubscribed \(removed) vehicles"))]))
    }

    /// The privilege ids a webhook's metric needs: the signal's (non-location data, or location history for
    /// location signals); events need non-location data.
    static func privileges(for hook: DIMOWebhookRecord) -> [Int] {
        if hook.service == "signals", hook.metricName.hasPrefix("vss."),
           let signal = signalsByName[String(hook.metricName.dropFirst(4))] {
            return [signal.privilege]
        }
        return [1]
    }

    /// The vehicle id when the license may subscribe this asset. Upstream asks token exchange for the metric's
    /// permissions; this applies token exchange's rule: a vehicle of the sandbox that the license owns, or that an
    /// unexpired SACD to the license covers with those privileges.
    func permittedVehicle(_ caller: Caller, _ did: AssetDID, privileges: [Int]) async throws -> Int64? {
        guard did.chainId == UInt64(DIMOContracts.chainId), did.contract.lowercased() == DIMOContracts.vehicle.lowercased(),
              let tokenId = Int64(did.tokenId), let snapshot = try await access.vehicle(tokenId: tokenId),
              snapshot.vehicle.sandboxId == caller.sandbox.id, let vehicleId = snapshot.vehicle.id else { return nil }
        let clientId = caller.license.clientId.lowercased()
        if snapshot.owner.dimoAddress.lowercased() == clientId { return vehicleId }
        let grants = try await access.sacds(vehicleId: vehicleId, at: caller.now).filter { $0.grantee.lowercased() == clientId }
        guard !grants.isEmpty else { return nil }
        let granted = Set(grants.flatMap { DIMOPrivilege.ids(fromHex: $0.permissions) })
        return Set(privileges).isSubset(of: granted) ? vehicleId : nil
    }

    // MARK: Validation

    /// `url.ParseRequestURI`, then the scheme must be https.
    static func targetURLProblem(_ url: String) -> String? {
        if url.isEmpty || url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "Invalid webhook URL" }
        if url.hasPrefix("/") { return "Webhook URL must be HTTPS" }
        guard let colon = url.firstIndex(of: ":") else { return "Invalid webhook URL" }
        let scheme = url[..<colon]
        guard let first = scheme.unicodeScalars.first, isASCIILetter(first),
              scheme.unicodeScalars.allSatisfy({ isASCIILetter($0) || (48...57).contains($0.value) || "+-.".unicodeScalars.contains($0) }) else {
            return "Invalid webhook URL"
        }
        if scheme.lowercased() == "https" || isLoopbackHTTP(url) { return nil }
        return "Webhook URL must be HTTPS"
    }

    /// `http://localhost…`, `http://127.0.0.1…` or `http://[::1]…`: fleetmock's one exception to https-only.
    static func isLoopbackHTTP(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http", let host = components.host?.lowercased() else {
            return false
        }
        return ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host)
    }

    static func isASCIILetter(_ c: Unicode.Scalar) -> Bool {
        (65...90).contains(c.value) || (97...122).contains(c.value)
    }

    static func statusProblem(_ status: String) -> String? {
        status == "enabled" || status == "disabled" ? nil : "Invalid status, must be 'enabled' or 'disabled', got '\(status)'"
    }

    /// Upstream's validateCoolDownPeriod.
    static func coolDownProblem(_ seconds: Int64) -> String? {
        seconds < 1 ? "Cool down period must be greater than 0" : nil
    }

    struct Failure: Error {
        let message: String
    }

    /// The service and metric: `signals` with `vss.<signal>` of the catalog, or `events` with `<category>.<event>`.
    static func metric(service: String, metricName: String) -> Result<CELCondition.Kind, Failure> {
        switch service {
        case "signals":
            guard metricName.hasPrefix("vss."), let signal = signalsByName[String(metricName.dropFirst(4))] else {
                return .failure(Failure(message: "Invalid signal name"))
            }
            return .success(.signal(valueType: signal.valueType))
        case "events":
            // Event names as the fleet's events carry them: `behavior.harshBraking`, or a bare name like `ignitionOn`.
            let parts = metricName.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let category = parts.first, let name = parts.last,
                  parts.count == 1 || (!category.isEmpty && category.unicodeScalars.allSatisfy({ (97...122).contains($0.value) })),
                  let head = name.unicodeScalars.first, isASCIILetter(head),
                  name.unicodeScalars.allSatisfy({ isASCIILetter($0) || (48...57).contains($0.value) }) else {
                return .failure(Failure(message: "Invalid event name"))
            }
            return .success(.event)
        default:
            return .failure(Failure(message: "Invalid service: \(service)"))
        }
    }

    /// google/uuid's Validate: the 36-character form, or it in braces, with `urn:uuid:`, or 32 hex digits.
    static func isUUID(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        func hex(_ b: UInt8) -> Bool { (48...57).contains(b) || (65...70).contains(b) || (97...102).contains(b) }
        switch bytes.count {
        case 32: return bytes.allSatisfy(hex)
        case 36: break
        case 38:
            guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return false }
            bytes = Array(bytes[1..<37])
        case 45:
            guard text.lowercased().hasPrefix("urn:uuid:") else { return false }
            bytes = Array(bytes[9...])
        default: return false
        }
        for (i, b) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if b != UInt8(ascii: "-") { return false }
            } else if !hex(b) {
                return false
            }
        }
        return true
    }

    // MARK: Bodies as encoding/json reads them

    /// The fields of a body that matter, read as encoding/json fills a Go struct.
    struct GoFields {
        var strings: [String: String] = [:]
        var ints: [String: Int64] = [:]
    }

    /// encoding/json into a struct: `null` leaves it empty; keys match exactly or case-insensitively; a value
    /// of the wrong JSON type is an error (the message follows Go's).
    static func decode(_ body: Data, type: String, strings: [String], ints: [String]) -> Result<GoFields, Failure> {
        guard let json = JSONValue.parse(body) else {
            let empty = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            return .failure(Failure(message: empty ? "unexpected end of JSON input" : "invalid character in JSON input"))
        }
        if json.isNull { return .success(GoFields()) }
        guard let pairs = json.objectValue else {
            return .failure(Failure(message: "json: cannot unmarshal \(goKind(json)) into Go value of type webhook.\(type)"))
        }
        var out = GoFields()
        for (key, value) in pairs {
            if let name = goFieldName(key, strings) {
                switch value {
                case .null: continue
                case .string(let text): out.strings[name] = text
                default:
                    return .failure(Failure(message: "json: cannot unmarshal \(goKind(value)) into Go struct field \(type).\(name) of type string"))
                }
            } else if let name = goFieldName(key, ints) {
                switch value {
                case .null: continue
                case .integer(let number): out.ints[name] = number
                case .number(let number):
                    return .failure(Failure(message: "json: cannot unmarshal number \(number) into Go struct field \(type).\(name) of type int"))
                default:
                    return .failure(Failure(message: "json: cannot unmarshal \(goKind(value)) into Go struct field \(type).\(name) of type int"))
                }
            }
        }
        return .success(out)
    }

    /// The struct field a JSON key fills: the exact name, else one equal ignoring case.
    static func goFieldName(_ key: String, _ names: [String]) -> String? {
        names.first { $0 == key } ?? names.first { $0.lowercased() == key.lowercased() }
    }

    static func goKind(_ value: JSONValue) -> String {
        switch value {
        case .bool: return "bool"
        case .integer, .number: return "number"
        default: return value.typeName
        }
    }

    /// `{"assetDIDs": […]}` (VehicleListRequest); nil when the body or a DID does not decode.
    static func assetList(_ body: Data) -> [AssetDID]? {
        guard let json = JSONValue.parse(body) else { return nil }
        if json.isNull { return [] }
        guard let pairs = json.objectValue else { return nil }
        var list: JSONValue = .null
        for (key, value) in pairs where goFieldName(key, ["assetDIDs"]) != nil { list = value }
        if list.isNull { return [] }
        guard let items = list.arrayValue else { return nil }
        var out: [AssetDID] = []
        for item in items {
            guard let text = item.stringValue, case .success(let did) = AssetDID.decode(text) else { return nil }
            out.append(did)
        }
        return out
    }

    /// Go's `time.Time` in JSON (RFC 3339 with the fraction trimmed), at the millisecond the store keeps.
    static func goTime(_ date: Date) -> String {
        var text = Timestamp.millis(date)  // 2026-11-21T10:00:00.120Z
        text.removeLast()
        while text.hasSuffix("0"), text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "Z"
    }

    // MARK: Signals

    /// `GET /v1/webhooks/signals`: the catalog as SignalDefinition objects.
    static let signalList: JSONValue = .array(signals.map { signal -> JSONValue in
        .object([
            ("name", .string(signal.name)),
            ("description", .string(signal.description)),
            ("unit", .string(signal.unit)),
            ("valueType", .string(signal.valueType)),
            ("permissions", .array([.string(DIMOPrivilege.names[signal.privilege] ?? "")])),
        ])
    })

    static let signalsByName: [String: TriggerSignal] = {
        var out: [String: TriggerSignal] = [:]
        for signal in signals { out[signal.name] = signal }
        return out
    }()

    /// The signals webhooks can watch: telemetry's current signals plus the legacy-only ones the fleet still
    /// produces (reference `telemetry-signals.json`), with VSS units, Go value types and the privilege they need
    /// (1 GetNonLocationHistory, 4 GetLocationHistory).
    static let signals: [TriggerSignal] = [
        TriggerSignal("angularVelocityYaw", "float64", "degrees/s", 1, "Vehicle rotation rate along Z (vertical)."),
        TriggerSignal("bodyLightsIsAirbagWarningOn", "float64", "", 1, "Indicates whether the airbag/SRS warning telltale is active."),
        TriggerSignal("bodyLockIsLocked", "float64", "", 1, "Indicates whether the vehicle is locked via the central locking system. True = vehicle locked. False = vehicle unlocked."),
        TriggerSignal("bodyTrunkFrontIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("bodyTrunkRearIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1DriverSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1DriverSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1PassengerSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow1PassengerSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2DriverSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2DriverSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2PassengerSideIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinDoorRow2PassengerSideWindowIsOpen", "float64", "", 1, "Is item open or closed? True = Fully or partially open. False = Fully closed."),
        TriggerSignal("cabinSeatRow1DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow1PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2MiddleIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow2PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow3DriverSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("cabinSeatRow3PassengerSideIsBelted", "float64", "", 1, "Is the belt engaged."),
        TriggerSignal("chassisAxleRow1WheelLeftSpeed", "float64", "km/h", 1, "Rotational speed of a vehicle's wheel."),
        TriggerSignal("chassisAxleRow1WheelLeftTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow1WheelRightSpeed", "float64", "km/h", 1, "Rotational speed of a vehicle's wheel."),
        TriggerSignal("chassisAxleRow1WheelRightTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow2WheelLeftTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow2WheelRightTirePressure", "float64", "kPa", 1, "Tire pressure in kilo-Pascal."),
        TriggerSignal("chassisAxleRow3Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisAxleRow4Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisAxleRow5Weight", "float64", "kg", 1, "Measured Load on axle row 3."),
        TriggerSignal("chassisBrakeABSIsWarningOn", "float64", "", 1, "Indicates whether the ABS warning telltale is active (any non-off state)."),
        TriggerSignal("chassisBrakeCircuit1PressurePrimary", "float64", "kPa", 1, "Pneumatic pressure in the service brake circuit or reservoir"),
        TriggerSignal("chassisBrakeCircuit2PressurePrimary", "float64", "kPa", 1, "Pneumatic pressure in the service brake circuit or reservoir"),
        TriggerSignal("chassisBrakeIsPedalPressed", "float64", "", 1, "Indicates whether the brake pedal is pressed."),
        TriggerSignal("chassisBrakePedalPosition", "float64", "percent", 1, "Brake pedal position as percent. 0 = Not depressed. 100 = Fully depressed."),
        TriggerSignal("chassisParkingBrakeIsEngaged", "float64", "", 1, "Parking brake status. True = Parking Brake is Engaged. False = Parking Brake is not Engaged."),
        TriggerSignal("chassisTireSystemIsWarningOn", "float64", "", 1, "Indicates whether the tire system warning telltale is active"),
        TriggerSignal("connectivityCellularIsJammingDetected", "float64", "", 1, "Indicates whether cellular radio signal jamming or interference is detected that prevents normal communication."),
        TriggerSignal("currentLocationAltitude", "float64", "m", 4, "Current altitude relative to WGS 84 reference ellipsoid, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("currentLocationCoordinates", "vss.Location", "", 4, "Current location of the vehicle in WGS 84 coordinates."),
        TriggerSignal("currentLocationHeading", "float64", "degrees", 4, "Current heading relative to geographic north. 0 = North, 90 = East, 180 = South, 270 = West."),
        TriggerSignal("currentLocationIsRedacted", "float64", "", 4, "Indicates if the latitude and longitude signals at the current timestamp have been redacted using a privacy zone."),
        TriggerSignal("currentLocationLatitude", "float64", "degrees", 4, "Current latitude of vehicle in WGS 84 geodetic coordinates, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("currentLocationLongitude", "float64", "degrees", 4, "Current longitude of vehicle in WGS 84 geodetic coordinates, as measured at the position of GNSS receiver antenna."),
        TriggerSignal("dimoAftermarketHDOP", "float64", "", 1, "Horizontal dilution of precision of GPS"),
        TriggerSignal("dimoAftermarketNSAT", "float64", "", 1, "Number of sync satellites for GPS"),
        TriggerSignal("dimoAftermarketSSID", "string", "", 1, "Service Set Identifier for the wifi."),
        TriggerSignal("dimoAftermarketWPAState", "string", "", 1, "Indicate the current WPA state for the device's wifi, e.g. \"CONNECTED\", \"SCANNING\", \"DISCONNECTED\""),
        TriggerSignal("exteriorAirTemperature", "float64", "celsius", 1, "Air temperature outside the vehicle."),
        TriggerSignal("isIgnitionOn", "float64", "", 1, "Vehicle ignition status. False - off, True - on."),
        TriggerSignal("lowVoltageBatteryCurrentVoltage", "float64", "V", 1, "Current Voltage of the low voltage battery."),
        TriggerSignal("obdBarometricPressure", "float64", "kPa", 1, "PID 33 - Barometric pressure"),
        TriggerSignal("obdCommandedEGR", "float64", "percent", 1, "PID 2C - Commanded exhaust gas recirculation (EGR)"),
        TriggerSignal("obdCommandedEVAP", "float64", "percent", 1, "PID 2E - Commanded evaporative purge (EVAP) valve"),
        TriggerSignal("obdDTCList", "string", "", 1, "List of currently active DTCs formatted according OBD II (SAE-J2012DA_201812) standard ([P|C|B|U]XXXXX )"),
        TriggerSignal("obdDistanceSinceDTCClear", "float64", "km", 1, "PID 31 - Distance traveled since codes cleared"),
        TriggerSignal("obdDistanceWithMIL", "float64", "km", 1, "PID 21 - Distance traveled with MIL on"),
        TriggerSignal("obdEngineLoad", "float64", "percent", 1, "PID 04 - Engine load in percent - 0 = no load, 100 = full load"),
        TriggerSignal("obdEthanolPercent", "float64", "percent", 1, "PID 52 - Percentage of ethanol in the fuel"),
        TriggerSignal("obdFuelPressure", "float64", "kPa", 1, "PID 0A - Fuel pressure"),
        TriggerSignal("obdFuelRailPressure", "float64", "kPa", 1, "Fuel rail pressure from OBD. Uses PID 0x22 (fuel rail pressure relative to manifold vacuum) when available, otherwise falls back to PID 0x23 (fuel rail pressure direct injection)."),
        TriggerSignal("obdFuelRate", "float64", "l/h", 1, "PID 5E - Engine fuel rate"),
        TriggerSignal("obdFuelTypeName", "string", "", 1, "Fuel type names decoded from PID 51."),
        TriggerSignal("obdIntakeTemp", "float64", "celsius", 1, "PID 0F - Intake temperature"),
        TriggerSignal("obdIsEngineBlocked", "float64", "", 1, "Engine block status, 0 = engine unblocked, 1 = engine blocked"),
        TriggerSignal("obdIsPTOActive", "float64", "", 1, "PID 1E - Auxiliary input status (power take off)"),
        TriggerSignal("obdIsPluggedIn", "float64", "", 1, "Aftermarket device plugged in status. 1 = device plugged in, 0 = device unplugged."),
        TriggerSignal("obdLongTermFuelTrim1", "float64", "percent", 1, "PID 07 - Long Term (learned) Fuel Trim - Bank 1 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdLongTermFuelTrim2", "float64", "percent", 1, "PID 09 - Long Term (learned) Fuel Trim - Bank 2 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdMAP", "float64", "kPa", 1, "PID 0B - Intake manifold pressure"),
        TriggerSignal("obdMaxMAF", "float64", "g/s", 1, "PID 50 - Maximum flow for mass air flow sensor"),
        TriggerSignal("obdO2WRSensor1Voltage", "float64", "V", 1, "PID 2x (byte CD) - Voltage for wide range/band oxygen sensor"),
        TriggerSignal("obdO2WRSensor2Voltage", "float64", "V", 1, "PID 2x (byte CD) - Voltage for wide range/band oxygen sensor"),
        TriggerSignal("obdOilTemperature", "float64", "celsius", 1, "PID 5C - Engine oil temperature"),
        TriggerSignal("obdRunTime", "float64", "s", 1, "PID 1F - Engine run time"),
        TriggerSignal("obdShortTermFuelTrim1", "float64", "percent", 1, "PID 06 - Short Term (immediate) Fuel Trim - Bank 1 - negative percent leaner, positive percent richer"),
        TriggerSignal("obdStatusDTCCount", "float64", "", 1, "Number of Diagnostic Trouble Codes (DTC)"),
        TriggerSignal("obdThrottlePosition", "float64", "percent", 1, "PID 11 - Throttle position - 0 = closed throttle, 100 = open throttle"),
        TriggerSignal("obdWarmupsSinceDTCClear", "float64", "", 1, "PID 30 - Number of warm-ups since codes cleared"),
        TriggerSignal("powertrainCombustionEngineDieselExhaustFluidCapacity", "float64", "l", 1, "Capacity in liters of the Diesel Exhaust Fluid Tank."),
        TriggerSignal("powertrainCombustionEngineDieselExhaustFluidLevel", "float64", "percent", 1, "Level of the Diesel Exhaust Fluid tank as percent of capacity. 0 = empty. 100 = full."),
        TriggerSignal("powertrainCombustionEngineECT", "float64", "celsius", 1, "Engine coolant temperature."),
        TriggerSignal("powertrainCombustionEngineEOP", "float64", "kPa", 1, "Engine oil pressure."),
        TriggerSignal("powertrainCombustionEngineEOT", "float64", "celsius", 1, "Engine oil temperature."),
        TriggerSignal("powertrainCombustionEngineEngineOilLevel", "string", "", 1, "Engine oil level."),
        TriggerSignal("powertrainCombustionEngineEngineOilRelativeLevel", "float64", "percent", 1, "Engine oil level as a percentage."),
        TriggerSignal("powertrainCombustionEngineMAF", "float64", "g/s", 1, "Grams of air drawn into engine per second."),
        TriggerSignal("powertrainCombustionEngineSpeed", "float64", "rpm", 1, "Engine speed measured as rotations per minute."),
        TriggerSignal("powertrainCombustionEngineTPS", "float64", "percent", 1, "Current throttle position."),
        TriggerSignal("powertrainCombustionEngineTorque", "float64", "Nm", 1, "Current engine torque. Shall be reported as 0 during engine breaking."),
        TriggerSignal("powertrainCombustionEngineTorquePercent", "float64", "percent", 1, "Actual engine output torque as a percentage of reference engine torque (FMS / J1939 parameter SPN 513)."),
        TriggerSignal("powertrainFuelSystemAbsoluteLevel", "float64", "l", 1, "Current available fuel in the fuel tank expressed in liters."),
        TriggerSignal("powertrainFuelSystemAccumulatedConsumption", "float64", "l", 1, "Accumulated fuel consumption (totalized) reported by the vehicle (FMS SPN 250)."),
        TriggerSignal("powertrainFuelSystemRelativeLevel", "float64", "percent", 1, "Level in fuel tank as percent of capacity. 0 = empty. 100 = full."),
        TriggerSignal("powertrainFuelSystemSupportedFuelTypes", "string", "", 1, "High level information of fuel types supported"),
        TriggerSignal("powertrainRange", "float64", "km", 1, "Remaining range in kilometers using all energy sources available in the vehicle."),
        TriggerSignal("powertrainTractionBatteryChargingAddedEnergy", "float64", "kWh", 1, "Amount of charge added to the high voltage battery during the current charging session, expressed in kilowatt-hours."),
        TriggerSignal("powertrainTractionBatteryChargingChargeCurrentAC", "float64", "A", 1, "Current AC charging current (rms) at inlet. Negative if returning energy to grid. Used when per-phase numbers are unavailable."),
        TriggerSignal("powertrainTractionBatteryChargingChargeLimit", "float64", "percent", 1, "Target charge limit (state of charge) for battery."),
        TriggerSignal("powertrainTractionBatteryChargingChargeVoltageUnknownType", "float64", "V", 1, "Current charging voltage at inlet. Used when the data source does not indicate the current type (AC or DC) in use."),
        TriggerSignal("powertrainTractionBatteryChargingIsCharging", "float64", "", 1, "True if charging is ongoing. Charging is considered to be ongoing if energy is flowing from charger to vehicle."),
        TriggerSignal("powertrainTractionBatteryChargingIsChargingCableConnected", "float64", "", 1, "Indicates if a charging cable is physically connected to the vehicle or not."),
        TriggerSignal("powertrainTractionBatteryChargingPower", "float64", "kW", 1, "Instantaneous charging power recorded during a charging event."),
        TriggerSignal("powertrainTractionBatteryCurrentPower", "float64", "W", 1, "Current electrical energy flowing in/out of battery. Positive = Energy flowing in to battery, e.g. during charging. Negative = Energy flowing out of battery, e.g. during driving."),
        TriggerSignal("powertrainTractionBatteryCurrentVoltage", "float64", "V", 1, "Current Voltage of the battery."),
        TriggerSignal("powertrainTractionBatteryGrossCapacity", "float64", "kWh", 1, "Gross capacity of the battery."),
        TriggerSignal("powertrainTractionBatteryRange", "float64", "km", 1, "Remaining range in kilometers using only battery."),
        TriggerSignal("powertrainTractionBatteryStateOfChargeCurrent", "float64", "percent", 1, "Physical state of charge of the high voltage battery, relative to net capacity. This is not necessarily the state of charge being displayed to the customer."),
        TriggerSignal("powertrainTractionBatteryStateOfChargeCurrentEnergy", "float64", "kWh", 1, "Physical state of charge of high voltage battery expressed in kWh."),
        TriggerSignal("powertrainTractionBatteryStateOfHealth", "float64", "percent", 1, "Calculated battery state of health at standard conditions."),
        TriggerSignal("powertrainTractionBatteryTemperatureAverage", "float64", "celsius", 1, "Current average temperature of the battery cells."),
        TriggerSignal("powertrainTransmissionActualGear", "float64", "", 1, "Actual transmission gear currently engaged. 0 = neutral, 1-15 = gear number."),
        TriggerSignal("powertrainTransmissionActualGearRatio", "float64", "", 1, "Actual transmission gear ratio."),
        TriggerSignal("powertrainTransmissionCurrentGear", "float64", "", 1, "The current gear. 0=Neutral, 1/2/..=Forward, -1/-2/..=Reverse."),
        TriggerSignal("powertrainTransmissionIsClutchSwitchOperated", "float64", "", 1, "Indicates if the Clutch switch is operated, so engine and transmission are partially or fully decoupled. False = Clutch switch not operated. True = Clutch switch operated."),
        TriggerSignal("powertrainTransmissionRetarderActualTorque", "float64", "percent", 1, "Actual retarder torque as a percentage (FMS / J1939 SPN 520)."),
        TriggerSignal("powertrainTransmissionRetarderTorqueMode", "string", "", 1, "Active engine torque mode."),
        TriggerSignal("powertrainTransmissionSelectedGear", "float64", "", 1, "The selected gear. 0=Neutral, 1/2/..=Forward, -1/-2/..=Reverse, 126=Park."),
        TriggerSignal("powertrainTransmissionTemperature", "float64", "celsius", 1, "The current gearbox temperature."),
        TriggerSignal("powertrainTransmissionTravelledDistance", "float64", "km", 1, "Odometer reading, total distance travelled during the lifetime of the transmission."),
        TriggerSignal("powertrainType", "string", "", 1, "Defines the powertrain type of the vehicle."),
        TriggerSignal("serviceDistanceToService", "float64", "km", 1, "Remaining distance to service (of any kind). Negative values indicate service overdue."),
        TriggerSignal("serviceTimeToService", "float64", "s", 1, "Remaining time to service (of any kind). Negative values indicate service overdue."),
        TriggerSignal("speed", "float64", "km/h", 1, "Vehicle speed."),
    ]
}

/// A signal of the webhook catalog.
struct TriggerSignal: Sendable {
    let name: String
    /// `float64`, `string` or `vss.Location`.
    let valueType: String
    /// VSS unit; empty when the signal has none.
    let unit: String
    /// The privilege id reading it needs.
    let privilege: Int
    let description: String

    init(_ name: String, _ valueType: String, _ unit: String, _ privilege: Int, _ description: String) {
        self.name = name
        self.valueType = valueType
        self.unit = unit
        self.privilege = privilege
        self.description = description
    }
}

/// An ERC-721 DID as cloudevent's `DecodeERC721DID` reads it (also the legacy `did:nft:<chain>:<contract>_<id>`),
/// rendered canonically: checksummed contract, decimal token id.
struct AssetDID: Sendable, Equatable {
    let chainId: UInt64
    let contract: String
    let tokenId: String

    var text: String { "did:erc721:\(chainId):\(contract):\(tokenId)" }

    struct Failure: Error {
        let message: String
    }

    static func decode(_ did: String) -> Result<AssetDID, Failure> {
        func fail(_ reason: String) -> Result<AssetDID, Failure> { .failure(Failure(message: "invalid DID, \(reason)")) }
        let parts = did.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 4, parts[1] == "nft" {
            if parts[0] != "did" { return fail("incorrect DID prefix \(parts[0])") }
            let nft = parts[3].split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard nft.count == 2 else { return fail("incorrect NFT format \(parts[3])") }
            guard let (negative, tokenId) = decimal(nft[1]) else { return fail("invalid token ID \(nft[1])") }
            if negative { return fail("token ID cannot be negative \(nft[1])") }
            guard let contract = Ethereum.checksumAddress(nft[0]) else { return fail("invalid contract address \(nft[0])") }
            guard let chainId = unsigned(parts[2]) else { return fail("invalid chain ID \(parts[2])") }
            return .success(AssetDID(chainId: chainId, contract: contract, tokenId: tokenId))
        }
        guard parts.count == 5 else { return .failure(Failure(message: "invalid DID")) }
        if parts[0] != "did" { return fail("incorrect DID prefix \(parts[0])") }
        if parts[1] != "erc721" { return fail("incorrect DID method \(parts[1])") }
        guard let chainId = unsigned(parts[2]) else { return fail("invalid chain ID \(parts[2])") }
        guard let contract = Ethereum.checksumAddress(parts[3]) else { return fail("invalid contract address \(parts[3])") }
        guard let (negative, tokenId) = decimal(parts[4]) else { return fail("invalid token ID \(parts[4])") }
        if negative { return fail("token ID cannot be negative \(parts[4])") }
        return .success(AssetDID(chainId: chainId, contract: contract, tokenId: tokenId))
    }

    /// strconv.ParseUint(text, 10, 64): digits only.
    static func unsigned(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return UInt64(text)
    }

    /// big.Int SetString(text, 10): an optional sign and digits; the sign (negative unless zero) and the digits
    /// without leading zeros.
    static func decimal(_ text: String) -> (Bool, String)? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") {
            negative = body.hasPrefix("-")
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let digits = String(body.drop(while: { $0 == "0" }))
        return digits.isEmpty ? (false, "0") : (negative, digits)
    }
}
