import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `/v2.0/management/connections` with `Basic base64("default:<management token>")` (reference §4.2).
@Suite struct ManagementAPITests {
    @Test func listsTheConnectionMade() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let userId = try sandbox.user(tesla.owner).smartcarUserId

            // Nothing is connected before a code is exchanged.
            let empty = try await client.request(.get, "/v2.0/management/connections", headers: basic("default", sandbox.managementToken))
            #expect(empty.status == .ok)
            #expect((empty.json["connections"] as? [Any])?.isEmpty == true)

            _ = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            // Python sends a trailing slash, node and Java do not.
            for path in ["/v2.0/management/connections", "/v2.0/management/connections/"] {
                let response = try await client.request(.get, path, headers: basic("default", sandbox.managementToken))
                #expect(response.status == .ok, "\(path)")
                expectSmartcarJSONHeaders(response)
                #expect(Set(response.json.keys) == ["connections", "paging"])
                let connections = try #require(response.json["connections"] as? [[String: Any]])
                try #require(connections.count == 1)
                let connection = connections[0]
                #expect(Set(connection.keys) == ["connectedAt", "vehicleId", "userId", "mode"])
                #expect(connection["vehicleId"] as? String == tesla.smartcarId)
                #expect(connection["userId"] as? String == userId)
                #expect(connection["mode"] as? String == "live")
                #expect(isMillisTimestamp(connection["connectedAt"] as? String))
                let paging = try #require(response.json["paging"] as? [String: Any])
                #expect(integer(paging["count"]) == 1)
                #expect(paging["cursor"] is NSNull, "the last page's cursor is null")
            }
        }
    }

    @Test func pagesWithACursor() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let owner = try sandbox.vehicle(model: "Model 3").owner
            let mine = sandbox.vehicles(of: owner)
            _ = try await connect(client, sandbox: sandbox, scopes: ["read_odometer"], email: owner)

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                var pairs = [("limit", "2")]
                if let cursor { pairs.append(("cursor", cursor)) }
                let response = try await client.request(.get, "/v2.0/management/connections?" + formEncode(pairs), headers: basic("default", sandbox.managementToken))
                try #require(response.status == .ok, "\(response.text)")
                let connections = try #require(response.json["connections"] as? [[String: Any]])
                #expect(connections.count <= 2)
                seen += connections.compactMap { $0["vehicleId"] as? String }
                let paging = try #require(response.json["paging"] as? [String: Any])
                #expect(integer(paging["count"]) == connections.count)
                cursor = paging["cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == (mine.count + 1) / 2)
            #expect(seen.count == mine.count)
            #expect(Set(seen) == Set(mine.map(\.smartcarId)))
        }
    }

    @Test func deleteByVehicleIdRemovesThatConnection() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let userId = try sandbox.user(tesla.owner).smartcarUserId
            let mine = sandbox.vehicles(of: tesla.owner)
            _ = try await connect(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner)
            let auth = basic("default", sandbox.managementToken)

            let deleted = try await client.request(.delete, "/v2.0/management/connections?" + formEncode([("vehicle_id", tesla.smartcarId)]), headers: auth)
            #expect(deleted.status == .ok)
            expectSmartcarJSONHeaders(deleted)
            let removed = try #require(deleted.json["connections"] as? [[String: Any]])
            try #require(removed.count == 1)
            #expect(Set(removed[0].keys) == ["userId", "vehicleId"], "no connectedAt on delete")
            #expect(removed[0]["vehicleId"] as? String == tesla.smartcarId)
            #expect(removed[0]["userId"] as? String == userId)

            let list = try await client.request(.get, "/v2.0/management/connections?limit=100", headers: auth)
            let remaining = (list.json["connections"] as? [[String: Any]] ?? []).compactMap { $0["vehicleId"] as? String }
            #expect(remaining.count == mine.count - 1)
            #expect(!remaining.contains(tesla.smartcarId))

            // Neither user_id nor vehicle_id: a validation error, nothing deleted.
            let unfiltered = try await client.request(.delete, "/v2.0/management/connections", headers: auth)
            expectV2Error(unfiltered, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            let again = try await client.request(.get, "/v2.0/management/connections?limit=100", headers: auth)
            #expect((again.json["connections"] as? [Any])?.count == mine.count - 1)
        }
    }

    enum BadManagementAuth: String, CaseIterable, Sendable {
        case wrongToken, wrongUser, clientCredentials, bearerToken, missing
    }

    @Test(arguments: BadManagementAuth.allCases)
    func badCredentialsAreAuthentication(_ bad: BadManagementAuth) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let headers: HTTPFields
            switch bad {
            case .wrongToken: headers = basic("default", "00000000-0000-4000-8000-000000000000")
            case .wrongUser: headers = basic("admin", sandbox.managementToken)
            case .clientCredentials: headers = basic(sandbox.clientId, sandbox.clientSecret)
            case .bearerToken: headers = bearer(sandbox.managementToken)
            case .missing: headers = [:]
            }
            let response = try await client.request(.get, "/v2.0/management/connections", headers: headers)
            expectV2Error(response, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                          description: Smartcar.authenticationDescription)
        }
    }
}

private func compatibility(_ client: any TestClientProtocol, vin: String, scope: String, headers: HTTPFields) async throws -> TestResponse {
    try await client.request(.get, "/v2.0/compatibility?" + formEncode([("vin", vin), ("scope", scope), ("country", "US")]), headers: headers)
}

/// `/v2.0/compatibility?vin=&scope=&country=` with Basic client credentials (reference §4.4).
@Suite struct CompatibilityAPITests {
    @Test func byVinForABEV() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            // The reference's exact query shape: scope=read_odometer%20read_fuel.
            let response = try await client.request(.get, "/v2.0/compatibility?vin=\(tesla.vin)&scope=read_odometer%20read_fuel&country=US",
                                                    headers: basic(sandbox.clientId, sandbox.clientSecret))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["compatible", "reason", "capabilities"])
            #expect(response.json["compatible"] as? Bool == true)
            #expect(response.json["reason"] is NSNull)
            let capabilities = try #require(response.json["capabilities"] as? [[String: Any]])
            try #require(capabilities.count == 2)
            for capability in capabilities {
                #expect(Set(capability.keys) == ["capable", "endpoint", "permission", "reason"])
            }
            let odometer = try #require(capabilities.first { $0["permission"] as? String == "read_odometer" })
            #expect(odometer["capable"] as? Bool == true)
            #expect(odometer["endpoint"] as? String == "/odometer")
            #expect(odometer["reason"] is NSNull)
            let fuel = try #require(capabilities.first { $0["permission"] as? String == "read_fuel" })
            #expect(fuel["capable"] as? Bool == false)
            #expect(fuel["endpoint"] as? String == "/fuel")
            #expect(fuel["reason"] as? String == "VEHICLE_NOT_CAPABLE")
        }
    }

    @Test func byVinForAnICE() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let truck = try sandbox.vehicle(model: "F-150")
            let response = try await compatibility(client, vin: truck.vin, scope: "read_odometer read_fuel", headers: basic(sandbox.clientId, sandbox.clientSecret))
            #expect(response.status == .ok)
            #expect(response.json["compatible"] as? Bool == true)
            let capabilities = response.json["capabilities"] as? [[String: Any]] ?? []
            #expect(capabilities.count == 2)
            #expect(capabilities.allSatisfy { $0["capable"] as? Bool == true && $0["reason"] is NSNull })
        }
    }

    @Test func badCredentialsAreAuthentication() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            for headers in [basic(sandbox.clientId, "wrong-secret"), basic("00000000-0000-4000-8000-000000000000", sandbox.clientSecret),
                            bearer(sandbox.clientSecret), [:]] as [HTTPFields] {
                let response = try await compatibility(client, vin: tesla.vin, scope: "read_odometer", headers: headers)
                expectV2Error(response, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                              description: Smartcar.authenticationDescription)
            }
        }
    }

    @Test func missingParametersAreValidation() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let auth = basic(sandbox.clientId, sandbox.clientSecret)
            let noScope = try await client.request(.get, "/v2.0/compatibility?vin=\(tesla.vin)", headers: auth)
            expectV2Error(noScope, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            let noVin = try await client.request(.get, "/v2.0/compatibility?scope=read_odometer", headers: auth)
            expectV2Error(noVin, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            let badScope = try await compatibility(client, vin: tesla.vin, scope: "read_minds", headers: auth)
            expectV2Error(badScope, status: 400, type: "VALIDATION", code: nil, resolution: nil)
        }
    }
}
