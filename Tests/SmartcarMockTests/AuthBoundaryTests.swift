import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 14's auth-boundary matrix, Smartcar rows: every credential used where it does not belong is
/// refused with upstream's status, v2.0 envelope, content type and request id, and changes nothing.
@Suite struct SmartcarAuthBoundaryTests {
    /// One v2.0 vehicle route: method, path below `/v2.0/vehicles/{id}`, a valid body, and the
    /// permission it needs (reference §4; nil: any access token).
    struct Route: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String? = nil
        var permission: String?

        var testDescription: String { "\(method) /vehicles/{id}\(path.isEmpty ? "" : "/" + path)" }

        func uri(_ vehicleId: String) -> String { "/v2.0/vehicles/\(vehicleId)" + (path.isEmpty ? "" : "/" + path) }
    }

    /// Every v2.0 data endpoint and command with its permission (reference §4, rows 3–22).
    static let scoped: [Route] = [
        Route(method: .get, path: "", permission: "read_vehicle_info"),
        Route(method: .get, path: "vin", permission: "read_vin"),
        Route(method: .get, path: "odometer", permission: "read_odometer"),
        Route(method: .get, path: "location", permission: "read_location"),
        Route(method: .get, path: "battery", permission: "read_battery"),
        Route(method: .get, path: "battery/capacity", permission: "read_battery"),
        Route(method: .get, path: "battery/nominal_capacity", permission: "read_battery"),
        Route(method: .get, path: "charge", permission: "read_charge"),
        Route(method: .post, path: "charge", body: #"{"action": "STOP"}"#, permission: "control_charge"),
        Route(method: .get, path: "charge/limit", permission: "read_charge"),
        Route(method: .post, path: "charge/limit", body: #"{"limit": 0.6}"#, permission: "control_charge"),
        Route(method: .get, path: "fuel", permission: "read_fuel"),
        Route(method: .get, path: "tires/pressure", permission: "read_tires"),
        Route(method: .get, path: "engine/oil", permission: "read_engine_oil"),
        Route(method: .get, path: "security", permission: "read_security"),
        Route(method: .post, path: "security", body: #"{"action": "UNLOCK"}"#, permission: "control_security"),
        Route(method: .post, path: "navigation/destination", body: #"{"latitude": 51.5007, "longitude": 0.1246}"#, permission: "control_navigation"),
        Route(method: .get, path: "service/history", permission: "read_service_history"),
        Route(method: .get, path: "diagnostics/system_status", permission: "read_diagnostics"),
        Route(method: .get, path: "diagnostics/dtcs", permission: "read_diagnostics"),
    ]

    /// Every permission the scoped routes need.
    static let allScopes = Array(Set(scoped.compactMap(\.permission))).sorted()

    /// The scoped routes, a batch, and the routes any access token may call.
    static let everyVehicleRoute: [Route] = scoped + [
        Route(method: .get, path: "permissions", permission: nil),
        Route(method: .post, path: "batch", body: #"{"requests": [{"path": "/odometer"}]}"#, permission: nil),
    ]

    /// What a test compares of the car: nothing a refused request may change.
    static func guarded(_ state: [String: Any]) -> String {
        ["isLocked", "chargeLimit", "chargeState", "isPluggedIn"].map { "\($0)=\(state[$0] ?? "nil")" }.joined(separator: " ")
    }

    func send(_ client: any TestClientProtocol, _ route: Route, vehicleId: String, headers: HTTPFields) async throws -> TestResponse {
        try await client.request(route.method, route.uri(vehicleId), json: route.body, headers: headers)
    }

    /// A sandbox with its clock frozen, so that the car only changes when a request changes it.
    func frozenSandbox(_ client: any TestClientProtocol) async throws -> SandboxInfo {
        let sandbox = try await client.makeSandbox()
        let frozen = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: #"{"freeze": true}"#)
        try #require(frozen.status == .ok, "freeze: \(frozen.text)")
        return sandbox
    }

    func expectAuthentication(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        expectV2Error(response, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                      description: Smartcar.authenticationDescription, docURL: Smartcar.authenticationDocURL, sourceLocation: sourceLocation)
    }

    func expectPermission(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        expectV2Error(response, status: 403, type: "PERMISSION", code: nil, resolution: "REAUTHENTICATE",
                      description: Smartcar.permissionDescription, docURL: Smartcar.permissionDocURL, sourceLocation: sourceLocation)
    }

    /// The body without its request id, keys sorted: two refusals that must not be told apart.
    static func withoutRequestId(_ response: TestResponse) throws -> String {
        var body = response.json
        body["requestId"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }

    // MARK: Row: a token of sandbox A on a vehicle of sandbox B

    /// Vehicle ids belong to one app: to sandbox A's token a vehicle of sandbox B is an unknown id,
    /// 400 VALIDATION (reference §4 row 3), answered exactly as a random id is, so nothing tells
    /// the caller that B's vehicle exists. B's car and connection are untouched.
    @Test(arguments: everyVehicleRoute + [Route(method: .delete, path: "application", permission: nil)])
    func tokenOfSandboxAOnAVehicleOfSandboxB(_ route: Route) async throws {
        try await withServer { client, _ in
            let a = try await frozenSandbox(client), b = try await frozenSandbox(client)
            let teslaA = try a.vehicle(model: "Model 3"), teslaB = try b.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: a, vehicle: teslaA, scopes: Self.allScopes)
            _ = try await connect(client, sandbox: b, vehicle: teslaB, scopes: Self.allScopes)
            let before = try await client.vehicleState(b, vin: teslaB.vin)

            let response = try await send(client, route, vehicleId: teslaB.smartcarId, headers: bearer(token))
            expectV2Error(response, status: 400, type: "VALIDATION", code: nil, resolution: nil,
                          description: Smartcar.validationDescription, docURL: Smartcar.validationDocURL)
            let unknown = try await send(client, route, vehicleId: "00000000-0000-4000-8000-000000000000", headers: bearer(token))
            #expect(try Self.withoutRequestId(response) == Self.withoutRequestId(unknown), "B's vehicle answers as an unknown id")
            // Naming B in the fleetmock header changes nothing: the token names the sandbox.
            var named = bearer(token)
            named[.fleetmockSandbox] = b.id
            let header = try await send(client, route, vehicleId: teslaB.smartcarId, headers: named)
            #expect(try Self.withoutRequestId(header) == Self.withoutRequestId(response))

            #expect(Self.guarded(try await client.vehicleState(b, vin: teslaB.vin)) == Self.guarded(before))
            let connections = try await client.request(.get, "/v2.0/management/connections", headers: basic("default", b.managementToken))
            #expect((connections.json["connections"] as? [[String: Any]] ?? []).contains { $0["vehicleId"] as? String == teslaB.smartcarId })
        }
    }

    /// A's other credentials reach nothing of B either: A's management token cannot disconnect B's
    /// vehicle (400 VALIDATION, as for an unknown id) nor delete B's connections (none of A's match),
    /// and A's refresh token with B's client credentials is an invalid grant (reference §2.3).
    @Test func otherCredentialsOfSandboxAOnSandboxB() async throws {
        try await withServer { client, _ in
            let a = try await client.makeSandbox(), b = try await client.makeSandbox()
            let teslaA = try a.vehicle(model: "Model 3"), teslaB = try b.vehicle(model: "Model 3")
            let tokensA = try await connectTokens(client, sandbox: a, scopes: ["read_odometer"], email: teslaA.owner, vins: [teslaA.vin])
            _ = try await connect(client, sandbox: b, vehicle: teslaB, scopes: ["read_odometer"])

            let disconnect = try await client.request(.delete, "/v2.0/vehicles/\(teslaB.smartcarId)/application", headers: bearer(a.managementToken))
            expectV2Error(disconnect, status: 400, type: "VALIDATION", code: nil, resolution: nil, docURL: Smartcar.validationDocURL)
            let deleted = try await client.request(.delete, "/v2.0/management/connections?" + formEncode([("vehicle_id", teslaB.smartcarId)]),
                                                   headers: basic("default", a.managementToken))
            #expect(deleted.status == .ok)
            #expect((deleted.json["connections"] as? [Any])?.isEmpty == true, "\(deleted.text)")
            let connections = try await client.request(.get, "/v2.0/management/connections", headers: basic("default", b.managementToken))
            #expect((connections.json["connections"] as? [[String: Any]] ?? []).contains { $0["vehicleId"] as? String == teslaB.smartcarId })

            let refreshed = try await refreshTokens(client, sandbox: b, refreshToken: tokensA.refresh)
            expectOAuthError(refreshed, status: 400, error: "invalid_grant", description: "Invalid refresh_token: \(tokensA.refresh).")
        }
    }

    // MARK: Row: a scope-limited token on every endpoint outside its scope

    /// A token granted every permission but the one a route needs is refused with 403 PERMISSION
    /// (reference §5.2: `code` null, resolution REAUTHENTICATE), before any capability or state
    /// check, and a refused command leaves the car as it was.
    @Test(arguments: scoped)
    func scopeLimitedTokenOutsideItsScope(_ route: Route) async throws {
        try await withServer { client, _ in
            let sandbox = try await frozenSandbox(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            let permission = try #require(route.permission)
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: Self.allScopes.filter { $0 != permission })
            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            expectPermission(try await send(client, route, vehicleId: tesla.smartcarId, headers: bearer(token)))
            #expect(Self.guarded(try await client.vehicleState(sandbox, vin: tesla.vin)) == Self.guarded(before))

            // The same permission granted alone is enough to pass the permission check.
            let granted = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: [permission])
            let allowed = try await send(client, route, vehicleId: tesla.smartcarId, headers: bearer(granted))
            #expect(allowed.json["type"] as? String != "PERMISSION", "\(route.testDescription) with \(permission): \(allowed.text)")
        }
    }

    /// In a batch each path outside the scope is its own 403 PERMISSION item; the batch is a 200.
    @Test func scopeLimitedTokenInABatch() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vin"])
            let paths = Self.scoped.filter { $0.method == .get }.map { "/" + $0.path }
            let batch = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                 json: try jsonText(["requests": paths.map { ["path": $0] }]), headers: bearer(token))
            #expect(batch.status == .ok)
            let items = try #require(batch.json["responses"] as? [[String: Any]])
            #expect(items.count == paths.count)
            for item in items {
                let path = try #require(item["path"] as? String)
                if path == "/vin" {
                    #expect(integer(item["code"]) == 200)
                    continue
                }
                #expect(integer(item["code"]) == 403, "\(path)")
                let body = item["body"] as? [String: Any]
                #expect(body?["type"] as? String == "PERMISSION", "\(path)")
                #expect(body?["code"] is NSNull, "\(path)")
                #expect(body?["description"] as? String == Smartcar.permissionDescription, "\(path)")
                #expect(body?["docURL"] as? String == Smartcar.permissionDocURL, "\(path)")
                #expect((body?["resolution"] as? [String: Any])?["type"] as? String == "REAUTHENTICATE", "\(path)")
                #expect(body?["requestId"] as? String == batch.requestId, "\(path)")
            }
        }
    }

    // MARK: Row: an access token expired by the sandbox clock

    /// Access tokens live 2 h (`expires_in: 7200`, reference §2.3) on the sandbox clock: at 1 h 59 m
    /// the token works, two minutes later it is 401 AUTHENTICATION everywhere, commands included.
    @Test func accessTokenExpiredByTheSandboxClock() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: Self.allScopes)
            try await client.advanceClock(sandbox, by: "1h59m")
            #expect(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token)).status == .ok)

            try await client.advanceClock(sandbox, by: "2m")
            let frozen = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: #"{"freeze": true}"#)
            #expect(frozen.status == .ok)
            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            for route in Self.everyVehicleRoute {
                expectAuthentication(try await send(client, route, vehicleId: tesla.smartcarId, headers: bearer(token)))
            }
            for path in ["/v2.0/vehicles", "/v2.0/user"] {
                expectAuthentication(try await client.request(.get, path, headers: bearer(token)))
            }
            #expect(Self.guarded(try await client.vehicleState(sandbox, vin: tesla.vin)) == Self.guarded(before))
        }
    }

    // MARK: Row: a revoked access token (after DELETE /v2.0/vehicles/{id}/application)

    /// Disconnecting with the access token revokes it (reference §4 row 24, "invalidates the token"):
    /// every route, a second disconnect included, is 401 AUTHENTICATION. Its refresh token is an
    /// invalid grant too (not stated by the reference; the token set is revoked as a whole).
    @Test func accessTokenRevokedByDisconnect() async throws {
        try await withServer { client, _ in
            let sandbox = try await frozenSandbox(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            let tokens = try await connectTokens(client, sandbox: sandbox, scopes: Self.allScopes, email: tesla.owner, vins: [tesla.vin])
            let disconnect = try await client.request(.delete, "/v2.0/vehicles/\(tesla.smartcarId)/application", headers: bearer(tokens.access))
            #expect(disconnect.status == .ok)

            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            for route in Self.everyVehicleRoute + [Route(method: .delete, path: "application", permission: nil)] {
                expectAuthentication(try await send(client, route, vehicleId: tesla.smartcarId, headers: bearer(tokens.access)))
            }
            for path in ["/v2.0/vehicles", "/v2.0/user"] {
                expectAuthentication(try await client.request(.get, path, headers: bearer(tokens.access)))
            }
            #expect(Self.guarded(try await client.vehicleState(sandbox, vin: tesla.vin)) == Self.guarded(before))
            let refreshed = try await refreshTokens(client, sandbox: sandbox, refreshToken: tokens.refresh)
            expectOAuthError(refreshed, status: 400, error: "invalid_grant", description: "Invalid refresh_token: \(tokens.refresh).")
        }
    }

    // MARK: Row: a disconnected vehicle (the token itself still valid)

    enum Disconnection: String, CaseIterable, Sendable {
        /// `DELETE /v2.0/management/connections?vehicle_id=` with the management token.
        case managementAPI
        /// `DELETE /v2.0/vehicles/{id}/application` with the management token (since 2023-03-06).
        case managementTokenDisconnect
    }

    /// When the app loses the vehicle but the token was not the one revoked, the token no longer
    /// reaches it. The reference does not say what upstream answers; the closest documented error is
    /// 403 PERMISSION (reference §5.2: "simulator: vehicle not yet connected"). The vehicle leaves
    /// `GET /vehicles` and no command reaches the car.
    @Test(arguments: Disconnection.allCases)
    func disconnectedVehicle(_ how: Disconnection) async throws {
        try await withServer { client, _ in
            let sandbox = try await frozenSandbox(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: Self.allScopes)
            let removed: TestResponse
            switch how {
            case .managementAPI:
                removed = try await client.request(.delete, "/v2.0/management/connections?" + formEncode([("vehicle_id", tesla.smartcarId)]),
                                                   headers: basic("default", sandbox.managementToken))
            case .managementTokenDisconnect:
                removed = try await client.request(.delete, "/v2.0/vehicles/\(tesla.smartcarId)/application", headers: bearer(sandbox.managementToken))
            }
            #expect(removed.status == .ok, "\(removed.text)")

            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            for route in Self.everyVehicleRoute {
                expectPermission(try await send(client, route, vehicleId: tesla.smartcarId, headers: bearer(token)))
            }
            let vehicles = try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))
            #expect(vehicles.status == .ok)
            #expect((vehicles.json["vehicles"] as? [String])?.contains(tesla.smartcarId) == false, "\(vehicles.text)")
            #expect(Self.guarded(try await client.vehicleState(sandbox, vin: tesla.vin)) == Self.guarded(before))
        }
    }

    // MARK: Row: refresh-token reuse after rotation

    /// Each refresh returns a new refresh token and the used one dies one minute after its first use
    /// (reference §2.3; the docs say 1 or 10 minutes, fleetmock keeps the shorter). The SDK's
    /// `exchange_refresh_token` twice with the same token therefore succeeds inside that minute
    /// (documented) and is `invalid_grant` after it, however often it was reused meanwhile.
    @Test func refreshTokenReuseAfterRotation() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let first = try await connectTokens(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner, vins: [tesla.vin])
            let rotated = try tokens(from: try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh))
            #expect(rotated.refresh != first.refresh)
            expectTokenResponse(try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh))

            try await client.advanceClock(sandbox, by: "61s")
            for _ in 0..<2 {
                let reused = try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh)
                expectOAuthError(reused, status: 400, error: "invalid_grant", description: "Invalid refresh_token: \(first.refresh).")
            }
            // The rotated one is unaffected.
            expectTokenResponse(try await refreshTokens(client, sandbox: sandbox, refreshToken: rotated.refresh))
        }
    }

    // MARK: Row: the management token on vehicle routes

    enum ManagementCredential: String, CaseIterable, Sendable {
        case bearer, basicDefault
    }

    /// The application management token authenticates the management API, unsubscribing and
    /// disconnecting only; on every other vehicle route it is 401 AUTHENTICATION (reference §5.2,
    /// "bad/expired token"), whether sent as a bearer token or as management Basic credentials.
    @Test(arguments: ManagementCredential.allCases)
    func managementTokenOnVehicleRoutes(_ credential: ManagementCredential) async throws {
        try await withServer { client, _ in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            _ = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: Self.allScopes)
            let frozen = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: #"{"freeze": true}"#)
            #expect(frozen.status == .ok)
            let headers = credential == .bearer ? bearer(sandbox.managementToken) : basic("default", sandbox.managementToken)
            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            for route in Self.everyVehicleRoute + [Route(method: .post, path: "webhooks/\(webhookId)", permission: nil)] {
                expectAuthentication(try await send(client, route, vehicleId: tesla.smartcarId, headers: headers))
            }
            for path in ["/v2.0/vehicles", "/v2.0/user"] {
                expectAuthentication(try await client.request(.get, path, headers: headers))
            }
            #expect(Self.guarded(try await client.vehicleState(sandbox, vin: tesla.vin)) == Self.guarded(before))
        }
    }

    // MARK: Row: an access token on management routes

    /// The management API takes `Basic default:<management token>` (reference §4.2) and unsubscribing
    /// a bearer management token (§4 row 27); an access token in any form is 401 AUTHENTICATION, and
    /// no connection or subscription is removed.
    @Test func accessTokenOnManagementRoutes() async throws {
        try await withServer { client, _ in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: Self.allScopes)
            let connections = "/v2.0/management/connections"
            for headers in [bearer(token), basic("default", token), basic(token, "")] {
                expectAuthentication(try await client.request(.get, connections, headers: headers))
                expectAuthentication(try await client.request(.get, connections + "?" + formEncode([("vehicle_id", tesla.smartcarId)]), headers: headers))
                expectAuthentication(try await client.request(.delete, connections + "?" + formEncode([("vehicle_id", tesla.smartcarId)]), headers: headers))
            }
            expectAuthentication(try await client.request(.delete, "/v2.0/vehicles/\(tesla.smartcarId)/webhooks/\(webhookId)", json: "{}", headers: bearer(token)))
            // Compatibility takes the app's client credentials, not a token.
            let compatibility = "/v2.0/compatibility?" + formEncode([("vin", tesla.vin), ("scope", "read_odometer"), ("country", "US")])
            expectAuthentication(try await client.request(.get, compatibility, headers: bearer(token)))

            let list = try await client.request(.get, connections, headers: basic("default", sandbox.managementToken))
            #expect((list.json["connections"] as? [[String: Any]] ?? []).contains { $0["vehicleId"] as? String == tesla.smartcarId })
        }
    }
}
