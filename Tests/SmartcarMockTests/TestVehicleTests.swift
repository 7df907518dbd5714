import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

// Test-mode vehicles (reference §6, the old testing guide's ranges): a `mode=test` login of any brand
// gets a car that answers every data endpoint with plausible readings and accepts every command,
// while live cars keep their capability and state errors.

/// Everything a test-mode connection is granted here.
private let testScopes = ["read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
                          "control_charge", "read_fuel", "read_tires", "read_engine_oil", "read_security", "control_security",
                          "control_navigation", "read_service_history", "read_diagnostics"]

/// A test-mode connection of one brand: its access token and first vehicle id.
private func testModeCar(_ client: any TestClientProtocol, sandbox: SandboxInfo, make: String,
                         email: String = "\(UUID().uuidString.lowercased())@email.com") async throws -> (token: String, id: String) {
    let body = try jsonText(["email": email, "scope": testScopes, "mode": "test", "make": make] as [String: Any])
    let response = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/connect", json: body)
    try #require(response.status == .ok, "headless connect: \(response.text)")
    let code = try #require(response.json["code"] as? String)
    let token = try tokens(from: try await exchangeCode(client, sandbox: sandbox, code: code)).access
    let vehicles = try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))
    let id = try #require((vehicles.json["vehicles"] as? [String])?.first, "vehicles: \(vehicles.text)")
    return (token, id)
}

/// The raw JSON text of `key` is a number with a fraction part (`219.3`, not `219`).
private func isDecimalNumber(_ text: String, _ key: String) -> Bool {
    guard let pattern = try? Regex("\"\(key)\":-?\\d+\\.\\d+") else { return false }
    return text.firstMatch(of: pattern) != nil
}

private func get(_ client: any TestClientProtocol, _ car: (token: String, id: String), _ path: String,
                 units: String? = nil) async throws -> TestResponse {
    var headers = bearer(car.token)
    if let units { headers[SCHeader.unitSystem] = units }
    return try await client.request(.get, "/v2.0/vehicles/\(car.id)/\(path)", headers: headers)
}

private func post(_ client: any TestClientProtocol, _ car: (token: String, id: String), _ path: String, _ json: String) async throws -> TestResponse {
    try await client.request(.post, "/v2.0/vehicles/\(car.id)/\(path)", json: json, headers: bearer(car.token))
}

@Suite struct TestVehicleTests {
    /// CHEVROLET ⇒ a Chevrolet Volt whose every data endpoint answers inside the guide's ranges.
    @Test func chevroletLoginGetsAVoltThatAnswersEveryEndpoint() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let car = try await testModeCar(client, sandbox: sandbox, make: "CHEVROLET")

            let attributes = try await get(client, car, "")
            #expect(attributes.json["make"] as? String == "CHEVROLET")
            #expect(attributes.json["model"] as? String == "Volt")

            for path in ["vin", "odometer", "location", "battery", "battery/capacity", "battery/nominal_capacity", "charge", "charge/limit",
                         "fuel", "engine/oil", "tires/pressure", "security", "service/history", "diagnostics/system_status", "diagnostics/dtcs"] {
                let response = try await get(client, car, path)
                #expect(response.status == .ok, "\(path): \(response.text)")
            }

            let odometer = try await get(client, car, "odometer")
            #expect((10_000...300_000).contains(number(odometer.json["distance"]) ?? -1), "odometer \(odometer.text)")
            let location = try await get(client, car, "location")
            #expect((37.0...41.0).contains(number(location.json["latitude"]) ?? 0), "in Colorado: \(location.text)")
            #expect((-109.05 ... -102.04).contains(number(location.json["longitude"]) ?? 0), "in Colorado: \(location.text)")
            let battery = try await get(client, car, "battery")
            #expect((0...1).contains(number(battery.json["percentRemaining"]) ?? -1))
            #expect((0...483).contains(number(battery.json["range"]) ?? -1), "battery \(battery.text)")
            let fuel = try await get(client, car, "fuel")
            #expect((0...1).contains(number(fuel.json["percentRemaining"]) ?? -1))
            #expect((0...483).contains(number(fuel.json["range"]) ?? -1), "fuel \(fuel.text)")
            #expect((0...500).contains(number(fuel.json["amountRemaining"]) ?? -1), "fuel \(fuel.text)")
            let oil = try await get(client, car, "engine/oil")
            #expect((0...1).contains(number(oil.json["lifeRemaining"]) ?? -1), "oil \(oil.text)")
            let charge = try await get(client, car, "charge")
            #expect(charge.json["isPluggedIn"] is Bool)
            #expect(["CHARGING", "FULLY_CHARGED", "NOT_CHARGING"].contains(charge.json["state"] as? String ?? ""))
            let tires = try await get(client, car, "tires/pressure")
            for corner in ["frontLeft", "frontRight", "backLeft", "backRight"] {
                #expect((175...237).contains(number(tires.json[corner]) ?? 0), "\(corner): \(tires.text)")
                #expect(isDecimalNumber(tires.text, corner), "\(corner) is a decimal: \(tires.text)")
            }
        }
    }

    /// Any brand's test car answers fuel, engine oil and battery alike (here three Teslas).
    @Test func everyTestVehicleAnswersFuelOilAndBattery() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let token = try await connect(client, sandbox: sandbox, scopes: testScopes, email: "3-vehicles@smartcar.com", mode: "test")
            let ids = try #require((try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))).json["vehicles"] as? [String])
            #expect(ids.count == 3)
            for id in ids {
                for path in ["fuel", "engine/oil", "battery", "charge", "tires/pressure"] {
                    let response = try await get(client, (token, id), path)
                    #expect(response.status == .ok, "\(path): \(response.text)")
                }
            }
        }
    }

    /// Tire pressures and the odometer stay decimal in both unit systems, even when the state holds a
    /// whole number; a batch item carries the same decimals.
    @Test func readingsStayDecimal() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let car = try await testModeCar(client, sandbox: sandbox, make: "FORD")
            let vin = try #require((try await get(client, car, "vin")).json["vin"] as? String)
            try await client.patchState(sandbox, vin: vin, #"{"tirePressureKPa": {"frontLeft": 220, "frontRight": 221, "backLeft": 222, "backRight": 223}, "odometerKm": 42000}"#)
            for units in ["metric", "imperial"] {
                let tires = try await get(client, car, "tires/pressure", units: units)
                for corner in ["frontLeft", "frontRight", "backLeft", "backRight"] {
                    #expect(isDecimalNumber(tires.text, corner), "\(units) \(corner): \(tires.text)")
                }
                let odometer = try await get(client, car, "odometer", units: units)
                #expect(isDecimalNumber(odometer.text, "distance"), "\(units): \(odometer.text)")
            }
            let metric = try await get(client, car, "tires/pressure")
            #expect(approximately(number(metric.json["frontLeft"]), 220, tolerance: 0.05))
            let batch = try await post(client, car, "batch", #"{"requests": [{"path": "/odometer"}, {"path": "/tires/pressure"}]}"#)
            #expect(batch.status == .ok)
            #expect(isDecimalNumber(batch.text, "backRight"), "batch: \(batch.text)")
        }
    }

    /// Charge commands plug an unplugged test car in and always succeed, changing its state.
    @Test func chargeCommandsSucceedAndChangeState() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let car = try await testModeCar(client, sandbox: sandbox, make: "FORD")
            let vin = try #require((try await get(client, car, "vin")).json["vin"] as? String)
            try await client.patchState(sandbox, vin: vin, #"{"isPluggedIn": false, "chargeState": "NOT_CHARGING", "stateOfCharge": 0.5, "chargeLimit": 0.9}"#)

            expectActionSuccess(try await post(client, car, "charge", #"{"action": "START"}"#))
            var charge = try await get(client, car, "charge")
            #expect(charge.json["isPluggedIn"] as? Bool == true, "plugged in first: \(charge.text)")
            #expect(charge.json["state"] as? String == "CHARGING")
            expectActionSuccess(try await post(client, car, "charge", #"{"action": "START"}"#))

            expectActionSuccess(try await post(client, car, "charge", #"{"action": "STOP"}"#))
            charge = try await get(client, car, "charge")
            #expect(charge.json["state"] as? String == "NOT_CHARGING")
            #expect(charge.json["isPluggedIn"] as? Bool == true)
            expectActionSuccess(try await post(client, car, "charge", #"{"action": "STOP"}"#))

            expectActionSuccess(try await post(client, car, "charge/limit", #"{"limit": 0.7}"#))
            #expect(number((try await get(client, car, "charge/limit")).json["limit"]) == 0.7)
            // At its new limit the car is full: START succeeds and says so.
            try await client.patchState(sandbox, vin: vin, #"{"isPluggedIn": false, "chargeState": "NOT_CHARGING", "stateOfCharge": 0.8}"#)
            expectActionSuccess(try await post(client, car, "charge", #"{"action": "START"}"#))
            charge = try await get(client, car, "charge")
            #expect(charge.json["state"] as? String == "FULLY_CHARGED")
            #expect(charge.json["isPluggedIn"] as? Bool == true)

            let state = try await client.vehicleState(sandbox, vin: vin)
            #expect(state["isPluggedIn"] as? Bool == true)
            #expect(state["chargeState"] as? String == "FULLY_CHARGED")
        }
    }

    /// LOCK and UNLOCK succeed on a test car even with a door open; the lock state follows.
    @Test func lockAndUnlockAlwaysSucceed() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let car = try await testModeCar(client, sandbox: sandbox, make: "CHEVROLET")
            let vin = try #require((try await get(client, car, "vin")).json["vin"] as? String)
            try await client.patchState(sandbox, vin: vin, #"{"isLocked": false, "doors": {"frontLeft": "OPEN"}}"#)

            expectActionSuccess(try await post(client, car, "security", #"{"action": "LOCK"}"#))
            #expect((try await get(client, car, "security")).json["isLocked"] as? Bool == true)
            expectActionSuccess(try await post(client, car, "security", #"{"action": "UNLOCK"}"#))
            #expect((try await get(client, car, "security")).json["isLocked"] as? Bool == false)
            expectActionSuccess(try await post(client, car, "navigation/destination", #"{"latitude": 40.748817, "longitude": -73.985428}"#))
            // Bad input is still refused as upstream refuses it.
            let bad = try await post(client, car, "security", #"{"action": "OPEN"}"#)
            expectV2Error(bad, status: 400, type: "VALIDATION", code: nil)
        }
    }

    /// The error-trigger emails still fail every non-static endpoint, commands included.
    @Test func errorTriggerEmailsStillWin() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let car = try await testModeCar(client, sandbox: sandbox, make: "CHEVROLET", email: "VEHICLE_STATE.DOOR_OPEN@smartcar.com")
            for (method, path, body) in [(HTTPRequest.Method.get, "fuel", nil), (.post, "security", #"{"action": "LOCK"}"#),
                                         (.post, "charge", #"{"action": "START"}"#)] as [(HTTPRequest.Method, String, String?)] {
                let response = try await client.request(method, "/v2.0/vehicles/\(car.id)/\(path)", json: body, headers: bearer(car.token))
                expectV2Error(response, status: 409, type: "VEHICLE_STATE", code: "DOOR_OPEN", description: Smartcar.doorOpenDescription,
                              docURL: Smartcar.doorOpenDocURL)
            }
            #expect((try await get(client, car, "vin")).status == .ok)
            let notCapable = try await testModeCar(client, sandbox: sandbox, make: "TESLA", email: "COMPATIBILITY.VEHICLE_NOT_CAPABLE@smartcar.com")
            expectV2Error(try await get(client, notCapable, "odometer"), status: 501, type: "COMPATIBILITY", code: "VEHICLE_NOT_CAPABLE")
        }
    }

    /// Live cars keep their powertrain's capabilities and the state errors of their condition.
    @Test func liveCarsKeepCapabilityAndStateErrors() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_fuel", "control_charge", "read_engine_oil"])
            let fuel = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/fuel", headers: bearer(token))
            expectV2Error(fuel, status: 501, type: "COMPATIBILITY", code: "VEHICLE_NOT_CAPABLE", description: Smartcar.vehicleNotCapableDescription)
            try await client.patchState(sandbox, vin: tesla.vin, #"{"isPluggedIn": false, "chargeState": "NOT_CHARGING"}"#)
            let start = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/charge", json: #"{"action": "START"}"#,
                                                 headers: bearer(token))
            expectV2Error(start, status: 409, type: "VEHICLE_STATE", code: "CHARGING_PLUG_NOT_CONNECTED")
            #expect(try await client.vehicleState(sandbox, vin: tesla.vin)["isPluggedIn"] as? Bool == false)
        }
    }
}
