import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// API v2.0 (VehicleAPI, VehicleEndpoints, VehicleRenderer): reads, commands, scopes, errors, batch.
@Suite struct VehicleAPITests {
    // MARK: User and vehicles

    @Test func userIsTheOwnersSmartcarId() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            let ownerId = try sandbox.user(tesla.owner).smartcarUserId
            for path in ["/v2.0/user", "/v2.0/user/"] {
                let user = try await client.request(.get, path, headers: bearer(token))
                #expect(user.status == .ok, "\(path)")
                expectSmartcarJSONHeaders(user)
                #expect(Set(user.json.keys) == ["id"])
                #expect(user.json["id"] as? String == ownerId)
                #expect(user.headers[SCHeader.dataAge] == nil)
            }
        }
    }

    @Test func vehiclesArePaged() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let owner = try sandbox.vehicle(model: "Model 3").owner
            let mine = sandbox.vehicles(of: owner)
            try #require(mine.count >= 4)
            let token = try await connect(client, sandbox: sandbox, scopes: ["read_vehicle_info"], email: owner)

            let all = try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))
            #expect(all.status == .ok)
            expectSmartcarJSONHeaders(all)
            #expect(Set(all.json.keys) == ["paging", "vehicles"])
            let ids = try #require(all.json["vehicles"] as? [String])
            #expect(Set(ids) == Set(mine.map(\.smartcarId)))
            let paging = try #require(all.json["paging"] as? [String: Any])
            #expect(integer(paging["count"]) == mine.count)
            #expect(integer(paging["offset"]) == 0)

            let page = try await client.request(.get, "/v2.0/vehicles?limit=2&offset=1", headers: bearer(token))
            #expect(page.json["vehicles"] as? [String] == Array(ids[1..<3]))
            let pagePaging = try #require(page.json["paging"] as? [String: Any])
            #expect(integer(pagePaging["count"]) == mine.count, "count is the total, not the page size")
            #expect(integer(pagePaging["offset"]) == 1)

            // Past the end: no vehicles, the offset echoed.
            let past = try await client.request(.get, "/v2.0/vehicles?offset=10", headers: bearer(token))
            #expect(past.status == .ok)
            #expect((past.json["vehicles"] as? [Any])?.isEmpty == true)
            #expect(integer((past.json["paging"] as? [String: Any])?["offset"]) == 10)

            // Trailing slash (node).
            let slash = try await client.request(.get, "/v2.0/vehicles/", headers: bearer(token))
            #expect(slash.json["vehicles"] as? [String] == ids)

            // limit is at most 50.
            let tooMany = try await client.request(.get, "/v2.0/vehicles?limit=51", headers: bearer(token))
            expectV2Error(tooMany, status: 400, type: "VALIDATION", code: nil, resolution: nil)
        }
    }

    // MARK: Reads

    @Test func attributesAcceptATrailingSlash() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            for path in ["/v2.0/vehicles/\(tesla.smartcarId)/", "/v2.0/vehicles/\(tesla.smartcarId)"] {
                let response = try await client.request(.get, path, headers: bearer(token))
                #expect(response.status == .ok, "\(path): \(response.text)")
                expectSmartcarJSONHeaders(response)
                let body = response.json
                #expect(Set(body.keys) == ["id", "make", "model", "year"])
                #expect(body["id"] as? String == tesla.smartcarId)
                #expect(body["make"] as? String == "TESLA")
                #expect(body["model"] as? String == "Model 3")
                #expect(integer(body["year"]) != nil, "year is a number")
                // `/` is static: no data headers.
                #expect(response.headers[SCHeader.dataAge] == nil)
                #expect(response.headers[SCHeader.unitSystem] == nil)
            }
        }
    }

    @Test func vinIsSeventeenCharacters() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vin"])
            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/vin", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["vin"])
            #expect(response.json["vin"] as? String == tesla.vin)
            #expect(tesla.vin.count == 17)
        }
    }

    @Test func odometerIsTheCarsStateWithDataHeaders() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let km = try #require(number(state["odometerKm"]))

            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["distance"])
            #expect(approximately(number(response.json["distance"]), roundedTo(km, 2)), "distance \(response.text) vs \(km) km")
            #expect(response.headers[SCHeader.unitSystem] == "metric")
            let dataAge = response.headers[SCHeader.dataAge]
            let fetchedAt = response.headers[SCHeader.fetchedAt]
            #expect(isMillisTimestamp(dataAge), "SC-Data-Age \(dataAge ?? "missing")")
            #expect(isMillisTimestamp(fetchedAt), "SC-Fetched-At \(fetchedAt ?? "missing")")
            // The data is as old as the car's last state change; fetched now, so not before that.
            #expect(dataAge == state["updatedAt"] as? String)
            #expect((fetchedAt ?? "") >= (dataAge ?? "~"))
        }
    }

    @Test func imperialConvertsKilometresToMiles() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let km = try #require(number(state["odometerKm"]))
            var headers = bearer(token)
            headers[SCHeader.unitSystem] = "imperial"
            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: headers)
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(response.headers[SCHeader.unitSystem] == "imperial")
            let miles = try #require(number(response.json["distance"]))
            #expect(approximately(miles, roundedTo(km * Smartcar.milesPerKm, 2)), "\(miles) mi vs \(km) km")
            #expect(abs(miles - km * Smartcar.milesPerKm) <= 0.005 + 1e-9)
        }
    }

    @Test func batteryOfABEV() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            #expect(tesla.powertrain == "BEV")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_battery"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/battery", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["percentRemaining", "range"])
            let percent = try #require(number(response.json["percentRemaining"]))
            let stateOfCharge = try #require(number(state["stateOfCharge"]))
            let rangeKm = try #require(number(state["rangeKm"]))
            #expect(approximately(percent, stateOfCharge, tolerance: 0.00005))
            #expect((0...1).contains(percent), "a fraction, not a percentage")
            #expect(approximately(number(response.json["range"]), roundedTo(rangeKm, 1), tolerance: 0.05))
            #expect(response.headers[SCHeader.unitSystem] == "metric")
            #expect(isMillisTimestamp(response.headers[SCHeader.dataAge]))
        }
    }

    @Test func fuelOfABEVIsNotCapable() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_fuel"])
            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/fuel", headers: bearer(token))
            expectV2Error(response, status: 501, type: "COMPATIBILITY", code: "VEHICLE_NOT_CAPABLE", resolution: nil,
                          description: Smartcar.vehicleNotCapableDescription, docURL: Smartcar.vehicleNotCapableDocURL)
        }
    }

    @Test func fuelOfAnICE() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let truck = try sandbox.vehicle(model: "F-150")
            #expect(truck.powertrain == "ICE")
            let token = try await connect(client, sandbox: sandbox, vehicle: truck, scopes: ["read_fuel"])
            let response = try await client.request(.get, "/v2.0/vehicles/\(truck.smartcarId)/fuel", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["amountRemaining", "percentRemaining", "range"])
            #expect(response.headers[SCHeader.unitSystem] == "metric")
        }
    }

    // MARK: Commands

    @Test func lockWithADoorOpenIsRefusedAndChangesNothing() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let leaf = try sandbox.vehicle(model: "Leaf")
            let token = try await connect(client, sandbox: sandbox, vehicle: leaf, scopes: ["read_security", "control_security"])
            try await client.patchState(sandbox, vin: leaf.vin, #"{"doors": {"frontLeft": "OPEN"}}"#)
            let before = try await client.vehicleState(sandbox, vin: leaf.vin)
            #expect(before["isLocked"] as? Bool == false, "the fixture's Leaf is unlocked")

            let lock = try await client.request(.post, "/v2.0/vehicles/\(leaf.smartcarId)/security", json: #"{"action": "LOCK"}"#, headers: bearer(token))
            expectV2Error(lock, status: 409, type: "VEHICLE_STATE", code: "DOOR_OPEN", resolution: nil,
                          description: Smartcar.doorOpenDescription, docURL: Smartcar.doorOpenDocURL)
            #expect(lock.json["suggestedUserMessage"] as? String == Smartcar.doorOpenUserMessage)

            let after = try await client.vehicleState(sandbox, vin: leaf.vin)
            #expect(after["isLocked"] as? Bool == false)
            #expect((after["doors"] as? [String: Any])?["frontLeft"] as? String == "OPEN")
            #expect(after["updatedAt"] as? String == before["updatedAt"] as? String, "a refused command leaves the car untouched")

            let security = try await client.request(.get, "/v2.0/vehicles/\(leaf.smartcarId)/security", headers: bearer(token))
            #expect(security.status == .ok)
            #expect(security.json["isLocked"] as? Bool == false)
            let doors = security.json["doors"] as? [[String: Any]] ?? []
            #expect(doors.contains { $0["type"] as? String == "frontLeft" && $0["status"] as? String == "OPEN" })
        }
    }

    @Test func lockAndUnlockChangeTheCar() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let leaf = try sandbox.vehicle(model: "Leaf")
            let token = try await connect(client, sandbox: sandbox, vehicle: leaf, scopes: ["read_security", "control_security"])
            let path = "/v2.0/vehicles/\(leaf.smartcarId)/security"

            let lock = try await client.request(.post, path, json: #"{"action": "LOCK"}"#, headers: bearer(token))
            expectActionSuccess(lock)
            #expect(try await client.vehicleState(sandbox, vin: leaf.vin)["isLocked"] as? Bool == true)
            let security = try await client.request(.get, path, headers: bearer(token))
            #expect(security.json["isLocked"] as? Bool == true)
            #expect(Set(security.json.keys) == ["isLocked", "doors", "windows", "sunroof", "storage", "chargingPort"])

            let unlock = try await client.request(.post, path, json: #"{"action": "UNLOCK"}"#, headers: bearer(token))
            expectActionSuccess(unlock)
            #expect(try await client.vehicleState(sandbox, vin: leaf.vin)["isLocked"] as? Bool == false)

            let bogus = try await client.request(.post, path, json: #"{"action": "OPEN_SESAME"}"#, headers: bearer(token))
            expectV2Error(bogus, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            let missing = try await client.request(.post, path, json: "{}", headers: bearer(token))
            expectV2Error(missing, status: 400, type: "VALIDATION", code: nil, resolution: nil)
        }
    }

    @Test func chargeLimitIsValidated() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_charge", "control_charge"])
            let path = "/v2.0/vehicles/\(tesla.smartcarId)/charge/limit"
            let stateBefore = try await client.vehicleState(sandbox, vin: tesla.vin)
            let before = try #require(number(stateBefore["chargeLimit"]))

            for body in [#"{"limit": 0.3}"#, #"{"limit": 1.5}"#, #"{"limit": "lots"}"#, "{}"] {
                let response = try await client.request(.post, path, json: body, headers: bearer(token))
                expectV2Error(response, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            }
            let stateAfter = try await client.vehicleState(sandbox, vin: tesla.vin)
            #expect(number(stateAfter["chargeLimit"]) == before)

            // node sends the limit as a string.
            let set = try await client.request(.post, path, json: #"{"limit": "0.9"}"#, headers: bearer(token))
            expectActionSuccess(set)
            let read = try await client.request(.get, path, headers: bearer(token))
            #expect(read.status == .ok)
            #expect(approximately(number(read.json["limit"]), 0.9))
        }
    }

    // MARK: Errors

    @Test func scopeNotGrantedIsPermission() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            let read = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            expectV2Error(read, status: 403, type: "PERMISSION", code: nil, resolution: "REAUTHENTICATE",
                          description: Smartcar.permissionDescription, docURL: Smartcar.permissionDocURL)

            let before = try await client.vehicleState(sandbox, vin: tesla.vin)
            let command = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/security", json: #"{"action": "UNLOCK"}"#, headers: bearer(token))
            expectV2Error(command, status: 403, type: "PERMISSION", code: nil, resolution: "REAUTHENTICATE")
            #expect(try await client.vehicleState(sandbox, vin: tesla.vin)["isLocked"] as? Bool == before["isLocked"] as? Bool)
        }
    }

    @Test(arguments: ["00000000-0000-4000-8000-000000000000", "not-a-vehicle"])
    func unknownVehicleIdIsValidation(_ id: String) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.get, "/v2.0/vehicles/\(id)/odometer", headers: bearer(token))
            expectV2Error(response, status: 400, type: "VALIDATION", code: nil, resolution: nil, docURL: Smartcar.validationDocURL)
        }
    }

    enum BadAuthorization: String, CaseIterable, Sendable {
        case missing, garbageBearer, emptyBearer, notBearer, clientCredentials, managementToken
    }

    @Test(arguments: BadAuthorization.allCases)
    func badBearerIsAuthentication(_ bad: BadAuthorization) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            _ = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let headers: HTTPFields
            switch bad {
            case .missing: headers = [:]
            case .garbageBearer: headers = bearer("THIS_SHOULD_NOT_WORK")
            case .emptyBearer: headers = [.authorization: "Bearer "]
            case .notBearer: headers = [.authorization: "Token abc"]
            case .clientCredentials: headers = basic(sandbox.clientId, sandbox.clientSecret)
            case .managementToken: headers = bearer(sandbox.managementToken)
            }
            for path in ["/v2.0/vehicles/\(tesla.smartcarId)/odometer", "/v2.0/vehicles", "/v2.0/user"] {
                let response = try await client.request(.get, path, headers: headers)
                expectV2Error(response, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                              description: Smartcar.authenticationDescription, docURL: Smartcar.authenticationDocURL)
            }
        }
    }

    @Test(arguments: ["/vJohnny/vehicles", "/vJohnny%20Appleseed/vehicles", "/vlatest/user"])
    func nonNumericVersionIsNotFound(_ path: String) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.get, path, headers: bearer(token))
            expectV2Error(response, status: 404, type: "RESOURCE_NOT_FOUND", code: "VERSION", resolution: nil,
                          description: Smartcar.versionNotFoundDescription, docURL: Smartcar.versionNotFoundDocURL)
        }
    }

    /// Any numeric vX.Y is served by the latest (py-tests used 99999999.99).
    @Test(arguments: ["v99.9", "v99999999.99", "v2.0"])
    func numericVersionsAreServed(_ version: String) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.get, "/\(version)/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(number(response.json["distance"]) != nil)
        }
    }

    @Test func unknownEndpointIsPathNotFound() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/teleport", headers: bearer(token))
            expectV2Error(response, status: 404, type: "RESOURCE_NOT_FOUND", code: "PATH", resolution: nil,
                          description: Smartcar.pathNotFoundDescription, docURL: Smartcar.pathNotFoundDocURL)
        }
    }

    // MARK: Batch

    @Test func batchOfTwoPaths() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer", "read_location"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let km = try #require(number(state["odometerKm"]))
            let response = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                    json: #"{"requests": [{"path": "/odometer"}, {"path": "/location"}]}"#, headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            let items = try #require(response.json["responses"] as? [[String: Any]])
            try #require(items.count == 2)
            for item in items {
                #expect(Set(item.keys) == ["path", "body", "code", "headers"], "\(item)")
                #expect(integer(item["code"]) == 200)
            }
            let odometer = try #require(items.first { $0["path"] as? String == "/odometer" })
            #expect(approximately(number((odometer["body"] as? [String: Any])?["distance"]), roundedTo(km, 2)))
            let odometerHeaders = try #require(odometer["headers"] as? [String: Any])
            #expect(odometerHeaders["sc-unit-system"] as? String == "metric")
            #expect(isMillisTimestamp(odometerHeaders["sc-data-age"] as? String))

            let location = try #require(items.first { $0["path"] as? String == "/location" })
            let body = try #require(location["body"] as? [String: Any])
            #expect(Set(body.keys) == ["latitude", "longitude"])
            let locationHeaders = try #require(location["headers"] as? [String: Any])
            #expect(isMillisTimestamp(locationHeaders["sc-data-age"] as? String))
            #expect(locationHeaders["sc-unit-system"] == nil, "location carries no units")
        }
    }

    @Test func batchWithAnInvalidPathFailsAsAWhole() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer", "read_location"])
            let response = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                    json: #"{"requests": [{"path": "/odometer"}, {"path": "/LOCATIONNNNNNNN"}]}"#, headers: bearer(token))
            expectV2Error(response, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            #expect(response.json["responses"] == nil)
        }
    }

    @Test func batchWithAMissingPermissionIsAPerPathError() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                    json: #"{"requests": [{"path": "/odometer"}, {"path": "/location"}]}"#, headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            let items = try #require(response.json["responses"] as? [[String: Any]])
            let odometer = try #require(items.first { $0["path"] as? String == "/odometer" })
            #expect(integer(odometer["code"]) == 200)
            let location = try #require(items.first { $0["path"] as? String == "/location" })
            #expect(integer(location["code"]) == 403)
            let error = try #require(location["body"] as? [String: Any])
            for key in ["statusCode", "type", "code", "description", "docURL", "resolution", "requestId"] {
                #expect(error[key] != nil, "batch error body lacks \(key)")
            }
            #expect(error["type"] as? String == "PERMISSION")
            #expect(error["code"] is NSNull)
            #expect(integer(error["statusCode"]) == 403)
            #expect((error["resolution"] as? [String: Any])?["type"] as? String == "REAUTHENTICATE")
            #expect(error["requestId"] as? String == response.requestId)
            #expect(location["headers"] == nil, "error items carry no headers")
        }
    }

    @Test func batchWithAMalformedBodyListsTheProblems() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                    json: #"{"request": [{"path": "/odometer"}]}"#, headers: bearer(token))
            expectV2Error(response, status: 400, type: "VALIDATION", code: nil, resolution: nil)
            let detail = try #require(response.json["detail"] as? [[String: Any]])
            try #require(detail.count == 2)
            #expect(detail[0]["field"] as? [String] == ["requests"])
            #expect(detail[0]["message"] as? String == "\"requests\" is required")
            #expect(detail[1]["field"] as? [String] == ["request"])
            #expect(detail[1]["message"] as? String == "\"request\" is not allowed")
        }
    }

    // MARK: Disconnect

    @Test func disconnectRevokesTheToken() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let disconnect = try await client.request(.delete, "/v2.0/vehicles/\(tesla.smartcarId)/application", headers: bearer(token))
            #expect(disconnect.status == .ok)
            expectSmartcarJSONHeaders(disconnect)
            #expect(Set(disconnect.json.keys) == ["status"])
            #expect(disconnect.json["status"] as? String == "success")

            for path in ["/v2.0/vehicles/\(tesla.smartcarId)/odometer", "/v2.0/vehicles"] {
                let after = try await client.request(.get, path, headers: bearer(token))
                expectV2Error(after, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                              description: Smartcar.authenticationDescription)
            }
            // The app no longer has the connection.
            let connections = try await client.request(.get, "/v2.0/management/connections", headers: basic("default", sandbox.managementToken))
            let ids = (connections.json["connections"] as? [[String: Any]] ?? []).compactMap { $0["vehicleId"] as? String }
            #expect(!ids.contains(tesla.smartcarId))
        }
    }
}
