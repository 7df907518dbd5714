import FleetCore
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// API v1.0/v2.0 (any `vX.Y`): user, vehicles, vehicle endpoints, batch and webhooks.
struct VehicleAPI: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess
    /// Rate limits; callers that only resolve vehicles (v3) need none.
    var limits = SmartcarRateLimits.unused
    var runner: VehicleEndpointRunner { VehicleEndpointRunner(fleet: fleet, access: access) }

    /// The grant an access token carries; 401 AUTHENTICATION without one. The request is journaled
    /// in the grant's sandbox.
    func authorize(_ request: Request, scope: RequestScope) async throws -> SmartcarGrant {
        // The resolution already read the bearer token (same rules as `bearer(_:)`).
        let token = scope.resolution.map { $0.credential.bearer } ?? Self.bearer(request)
        guard let token, let grant = try await access.grant(accessToken: token) else {
            throw SmartcarAPIError.authentication
        }
        scope.sandboxId = grant.sandbox.id
        return grant
    }

    /// `GET /user`: the id of the user the token belongs to.
    func user(_ request: Request, scope: RequestScope, requestId: String) async throws -> Response {
        let grant = try await authorize(request, scope: scope)
        try limits.charge(grant.sandbox)
        return ok(.object([("id", .string(grant.owner.smartcarUserId))]), requestId: requestId)
    }

    /// `GET /vehicles`: the ids the token reaches, paged.
    func list(_ request: Request, scope: RequestScope, requestId: String) async throws -> Response {
        let grant = try await authorize(request, scope: scope)
        try limits.charge(grant.sandbox)
        let (limit, offset) = try VehicleEndpointRunner.paging(request.queryItems, defaultLimit: 10, maxLimit: 50)
        let ids = grant.vehicles.map(\.smartcarId)
        return ok(.object([
            ("paging", .object([("count", .integer(Int64(ids.count))), ("offset", .integer(Int64(offset)))])),
            ("vehicles", .array(ids.dropFirst(offset).prefix(limit).map { .string($0) })),
        ]), requestId: requestId)
    }

    /// `DELETE /vehicles/{id}/application`: with the user's access token, or (since 2023) the
    /// application's management token.
    func disconnect(_ request: Request, vehicleId: String, scope: RequestScope, requestId: String) async throws -> Response {
        guard let token = Self.bearer(request), let (_, sandbox) = try await access.app(managementToken: token) else {
            return try await endpoint(.disconnect, request, vehicleId: vehicleId, body: nil, scope: scope, requestId: requestId)
        }
        scope.sandboxId = sandbox.id
        let vehicle = try await fleet.vehicleRecord(in: sandbox.id, smartcarId: vehicleId)
        guard let vehicle, let id = vehicle.id else { throw SmartcarAPIError.validation("Invalid vehicle id", field: "vehicleId") }
        try await access.disconnect(vehicleId: id, accessToken: nil)
        return ok(.object([("status", "success")]), requestId: requestId)
    }

    /// One endpoint below `/vehicles/{id}` (the table's), with its data headers.
    func endpoint(_ endpoint: VehicleEndpoint, _ request: Request, vehicleId: String, body: JSONValue?,
                  scope: RequestScope, requestId: String) async throws -> Response {
        let grant = try await authorize(request, scope: scope)
        let vehicle = try await resolveVehicle(vehicleId, grant: grant)
        try limits.charge(grant.sandbox, vehicle: vehicle.smartcarId)
        let units = UnitSystem(header: request.headers[.scUnitSystem])
        let result = try await runner.run(endpoint, vehicle: vehicle, grant: grant, body: body, query: request.queryItems, units: units)
        // Appended, not assigned: the fields are new, and appending skips the search for an existing one.
        var headers = HTTPFields()
        headers.reserveCapacity(6)
        headers.append(HTTPField(name: .scRequestId, value: requestId))
        if let age = result.dataAge { headers.append(HTTPField(name: .scDataAge, value: Timestamp.millis(age))) }
        if let fetched = result.fetchedAt { headers.append(HTTPField(name: .scFetchedAt, value: Timestamp.millis(fetched))) }
        if let unitSystem = result.unitSystem { headers.append(HTTPField(name: .scUnitSystem, value: unitSystem.rawValue)) }
        return Responses.json(result.body, headers: headers)
    }

    /// `POST /vehicles/{id}/webhooks/{webhookId}`: subscribes the vehicle to the app's webhook.
    func subscribe(_ request: Request, vehicleId: String, webhookId: String, scope: RequestScope, requestId: String) async throws -> Response {
        let grant = try await authorize(request, scope: scope)
        let vehicle = try await resolveVehicle(vehicleId, grant: grant)
        try limits.charge(grant.sandbox, vehicle: vehicle.smartcarId)
        guard webhookId == SmartcarWebhooks.webhookId(for: grant.app) else {
            throw SmartcarAPIError.validation("Invalid webhook id", field: "webhookId")
        }
        try await access.subscribe(sandboxId: grant.sandbox.id, webhookId: webhookId, vehicleId: vehicle.id ?? 0)
        return ok(.object([("webhookId", .string(webhookId)), ("vehicleId", .string(vehicle.smartcarId))]), requestId: requestId)
    }

    func ok(_ body: JSONValue, requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.scRequestId] = requestId
        return Responses.json(body, headers: headers)
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = String(parts[1].trimmingSpaces)
        return token.isEmpty ? nil : token
    }

    /// A vehicle id the token may use. Unknown or malformed ids are 400 VALIDATION (as upstream);
    /// a vehicle the token does not reach is 403 PERMISSION.
    func resolveVehicle(_ id: String, grant: SmartcarGrant) async throws -> VehicleRecord {
        if let vehicle = grant.vehicles.first(where: { $0.smartcarId == id }) { return vehicle }
        if try await fleet.vehicleRecord(in: grant.sandbox.id, smartcarId: id) != nil { throw SmartcarAPIError.permission }
        throw SmartcarAPIError.validation("Invalid vehicle id", field: "vehicleId")
    }

    // MARK: Batch

    /// `POST /vehicles/{id}/batch`: one request of the app; each of its paths is one request of the vehicle.
    func batch(_ request: Request, vehicleId: String, body: JSONValue?, version: SmartcarAPIVersion, scope: RequestScope,
               requestId: String) async throws -> Response {
        let grant = try await authorize(request, scope: scope)
        let vehicle = try await resolveVehicle(vehicleId, grant: grant)
        try limits.charge(grant.sandbox, vehicle: nil)
        let units = UnitSystem(header: request.headers[.scUnitSystem])
        guard let object = body?.objectValue else { throw Self.batchShapeError(requests: false, extra: []) }
        let extra = object.map(\.0).filter { $0 != "requests" }
        guard let items = body?["requests"]?.arrayValue, extra.isEmpty else {
            throw Self.batchShapeError(requests: body?["requests"] != nil, extra: extra)
        }
        guard !items.isEmpty else { throw SmartcarAPIError.validation("\"requests\" must contain at least 1 items", field: "requests") }
        // Resolve every path first: one unknown path fails the whole batch.
        var plan: [(String, VehicleEndpoint)] = []
        for (index, item) in items.enumerated() {
            guard let path = item["path"]?.stringValue else {
                throw SmartcarAPIError.validation("\"path\" is required", field: "requests[\(index)].path")
            }
            var normalized = path.hasPrefix("/") ? String(path.dropFirst()) : path
            while normalized.hasSuffix("/") { normalized.removeLast() }
            guard let endpoint = VehicleEndpoint.resolve(method: .get, path: normalized) else {
                throw SmartcarAPIError.validation("Invalid path: \(path)", field: "requests[\(index)].path")
            }
            plan.append((path, endpoint))
        }
        var responses: [JSONValue] = []
        for (path, endpoint) in plan {
            do {
                if let limited = limits.chargePath(grant.sandbox, vehicle: vehicle.smartcarId) { throw limited }
                let result = try await runner.run(endpoint, vehicle: vehicle, grant: grant, body: nil, query: [:], units: units)
                responses.append(.object([
                    ("path", .string(path)),
                    ("body", result.body),
                    ("code", 200),
                    ("headers", .object(result.headerPairs.map { ($0.0, .string($0.1)) })),
                ]))
            } catch let error as SmartcarAPIError {
                var item: [(String, JSONValue)] = [("path", .string(path)), ("code", .integer(Int64(version == .v1 ? error.v1Status : error.status))),
                                                  ("body", version == .v1 ? error.v1Body(requestId: requestId) : error.v2Body(requestId: requestId))]
                if let retry = error.retryAfter { item.append(("headers", .object([("Retry-After", .integer(Int64(retry)))]))) }
                responses.append(.object(item))
            }
        }
        return ok(.object([("responses", .array(responses))]), requestId: requestId)
    }

    static func batchShapeError(requests: Bool, extra: [String]) -> SmartcarAPIError {
        var detail: [JSONValue] = []
        if !requests { detail.append(.object([("field", .array(["requests"])), ("message", "\"requests\" is required")])) }
        for key in extra { detail.append(.object([("field", .array([.string(key)])), ("message", .string("\"\(key)\" is not allowed"))])) }
        return SmartcarAPIError.of("VALIDATION", nil, detail: .array(detail))
    }

    // MARK: Webhooks

    func unsubscribe(_ request: Request, vehicleId: String, webhookId: String, scope: RequestScope, requestId: String) async throws -> Response {
        guard let token = Self.bearer(request), let (app, sandbox) = try await access.app(managementToken: token) else {
            throw SmartcarAPIError.authentication
        }
        scope.sandboxId = sandbox.id
        let vehicle = try await fleet.vehicleRecord(in: sandbox.id, smartcarId: vehicleId)
        guard let vehicle, webhookId == SmartcarWebhooks.webhookId(for: app) else {
            throw SmartcarAPIError.validation("Invalid webhook or vehicle id", field: "webhookId")
        }
        _ = try await access.unsubscribe(sandboxId: sandbox.id, webhookId: webhookId, vehicleId: vehicle.id ?? 0)
        return ok(.object([("status", "success")]), requestId: requestId)
    }
}

/// The webhook each sandbox's app has registered.
public enum SmartcarWebhooks {
    /// A stable UUID-shaped webhook id derived from the app's client id.
    public static func webhookId(for app: SmartcarAppRecord) -> String {
        let hex = Hex.encode(Keccak256.hash("webhook:" + app.clientId).prefix(16))
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}
