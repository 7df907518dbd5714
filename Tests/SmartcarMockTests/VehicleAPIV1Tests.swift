import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// API v1.0: the same paths and bodies, but the v1 error envelope
/// `{"error","message","code","statusCode","requestId"}` (reference §5.4).
@Suite struct VehicleAPIV1Tests {
    @Test func readsHaveTheSameBodies() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let km = try #require(number(state["odometerKm"]))
            let odometer = try await client.request(.get, "/v1.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            #expect(odometer.status == .ok)
            expectSmartcarJSONHeaders(odometer)
            #expect(approximately(number(odometer.json["distance"]), roundedTo(km, 2)))
            let vehicles = try await client.request(.get, "/v1.0/vehicles", headers: bearer(token))
            #expect(vehicles.json["vehicles"] as? [String] == [tesla.smartcarId])
        }
    }

    @Test func lockWithADoorOpenIsVS001() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let leaf = try sandbox.vehicle(model: "Leaf")
            let token = try await connect(client, sandbox: sandbox, vehicle: leaf, scopes: ["control_security"])
            try await client.patchState(sandbox, vin: leaf.vin, #"{"doors": {"frontLeft": "OPEN"}}"#)
            let lock = try await client.request(.post, "/v1.0/vehicles/\(leaf.smartcarId)/security", json: #"{"action": "LOCK"}"#, headers: bearer(token))
            expectV1Error(lock, status: 409, error: "vehicle_state_error", message: "Some of the vehicle's doors are open.", code: "VS_001")
            #expect(lock.json["type"] == nil, "no v2 keys in a v1 body")
            #expect(try await client.vehicleState(sandbox, vin: leaf.vin)["isLocked"] as? Bool == false)
        }
    }

    @Test func badTokenIsAuthenticationError() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            for path in ["/v1.0/vehicles", "/v1.0/vehicles/\(tesla.smartcarId)/odometer"] {
                let response = try await client.request(.get, path, headers: bearer("THIS_SHOULD_NOT_WORK"))
                expectV1Error(response, status: 401, error: "authentication_error", code: nil)
                let missing = try await client.request(.get, path)
                expectV1Error(missing, status: 401, error: "authentication_error", code: nil)
            }
        }
    }

    /// The major number picks the envelope: 0 and 1 (with leading zeros) speak v1, anything larger
    /// v2, however many digits it has.
    @Test func theMajorVersionPicksTheEnvelope() async throws {
        try await withServer { client, _ in
            for version in ["1.0", "01.5", "0.9", "1.10"] {
                let response = try await client.request(.get, "/v\(version)/vehicles", headers: bearer("THIS_SHOULD_NOT_WORK"))
                expectV1Error(response, status: 401, error: "authentication_error", code: nil)
            }
            for version in ["2.0", "10.0", "99999999999999999999999.0"] {
                let response = try await client.request(.get, "/v\(version)/vehicles", headers: bearer("THIS_SHOULD_NOT_WORK"))
                expectV2Error(response, status: 401, type: "AUTHENTICATION", code: nil)
            }
        }
    }

    /// py-tests test_out_of_permission_scope_v1: 403 with exactly five attributes.
    @Test func missingScopeIsPermissionError() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            let response = try await client.request(.get, "/v1.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            expectV1Error(response, status: 403, error: "permission_error", message: "Insufficient permissions to access requested resource.", code: nil)
        }
    }

    @Test func unknownVehicleIsValidationError() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let response = try await client.request(.get, "/v1.0/vehicles/00000000-0000-4000-8000-000000000000/odometer", headers: bearer(token))
            expectV1Error(response, status: 400, error: "validation_error", code: nil)
        }
    }

    @Test func fuelOfABEVIsVehicleNotCapableError() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_fuel"])
            let response = try await client.request(.get, "/v1.0/vehicles/\(tesla.smartcarId)/fuel", headers: bearer(token))
            expectV1Error(response, status: 501, error: "vehicle_not_capable_error", message: "Vehicle is not capable of performing request.", code: nil)
        }
    }
}
