import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Test mode (reference §6): any email signs in; `<TYPE>.<CODE>@smartcar.com` makes every non-static
/// vehicle endpoint fail with that error, while `/`, `/vin` and `/permissions` still work.
@Suite struct TestModeTests {
    @Test func asleepEmailFailsDataEndpointsButNotStaticOnes() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let token = try await connect(client, sandbox: sandbox, scopes: ["read_vehicle_info", "read_vin", "read_odometer"],
                                          email: "VEHICLE_STATE.ASLEEP@smartcar.com", mode: "test")
            let vehicles = try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))
            #expect(vehicles.status == .ok)
            let ids = try #require(vehicles.json["vehicles"] as? [String])
            let id = try #require(ids.first)
            #expect(ids.count == 1)

            let odometer = try await client.request(.get, "/v2.0/vehicles/\(id)/odometer", headers: bearer(token))
            expectV2Error(odometer, status: 409, type: "VEHICLE_STATE", code: "ASLEEP", resolution: nil,
                          description: Smartcar.asleepDescription, docURL: Smartcar.asleepDocURL)
            #expect(odometer.json["suggestedUserMessage"] as? String == Smartcar.asleepUserMessage)

            let vin = try await client.request(.get, "/v2.0/vehicles/\(id)/vin", headers: bearer(token))
            #expect(vin.status == .ok)
            expectSmartcarJSONHeaders(vin)
            let vinText = try #require(vin.json["vin"] as? String)
            #expect(vinText.count == 17)
            #expect(vinText.hasPrefix("0SC"), "test-mode VINs start with 0SC")

            let attributes = try await client.request(.get, "/v2.0/vehicles/\(id)/", headers: bearer(token))
            #expect(attributes.status == .ok)
            #expect(attributes.json["make"] as? String == "TESLA")

            let permissions = try await client.request(.get, "/v2.0/vehicles/\(id)/permissions", headers: bearer(token))
            #expect(permissions.status == .ok)
        }
    }

    @Test func numberOfVehiclesEmail() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let token = try await connect(client, sandbox: sandbox, scopes: ["read_odometer"], email: "3-vehicles@smartcar.com", mode: "test")
            let vehicles = try await client.request(.get, "/v2.0/vehicles", headers: bearer(token))
            let ids = try #require(vehicles.json["vehicles"] as? [String])
            #expect(ids.count == 3)
            #expect(Set(ids).count == 3)
            for id in ids {
                let odometer = try await client.request(.get, "/v2.0/vehicles/\(id)/odometer", headers: bearer(token))
                #expect(odometer.status == .ok, "\(odometer.text)")
                #expect(number(odometer.json["distance"]) != nil)
            }
        }
    }

    /// The v1 test emails (`smartcar@vs-001.vehicle-state-error.com`) give v1 vehicle-state codes.
    @Test func v1VehicleStateEmail() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let token = try await connect(client, sandbox: sandbox, scopes: ["read_odometer"],
                                          email: "smartcar@vs-001.vehicle-state-error.com", mode: "test")
            let vehicles = try await client.request(.get, "/v1.0/vehicles", headers: bearer(token))
            let id = try #require((vehicles.json["vehicles"] as? [String])?.first)
            let odometer = try await client.request(.get, "/v1.0/vehicles/\(id)/odometer", headers: bearer(token))
            expectV1Error(odometer, status: 409, error: "vehicle_state_error", message: "Some of the vehicle's doors are open.", code: "VS_001")
        }
    }

    /// Outside test mode the email must be one of the sandbox's owners.
    @Test func liveHeadlessConnectNeedsASandboxOwner() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let live = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/connect",
                                                json: try jsonText(["email": "nobody-here@example.com", "scope": ["read_odometer"]] as [String: Any]))
            #expect(live.status == .badRequest, "live mode needs a sandbox owner: \(live.text)")
            #expect((live.json["error"] as? [String: Any])?["field"] as? String == "email")
        }
    }
}
