import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Vehicles API v3 (SignalsV3, reference §7): JSON:API-like vehicle and signals documents.
@Suite struct SignalsV3Tests {
    @Test func vehicleDocument() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            for path in ["/v3/vehicles/\(tesla.smartcarId)", "/v3/vehicles/\(tesla.smartcarId)/"] {
                let response = try await client.request(.get, path, headers: bearer(token))
                #expect(response.status == .ok, "\(path)")
                expectSmartcarJSONHeaders(response)
                #expect(response.json["id"] as? String == tesla.smartcarId)
                #expect(response.json["type"] as? String == "vehicle")
                let attributes = try #require(response.json["attributes"] as? [String: Any])
                #expect(attributes["make"] as? String == "TESLA")
                #expect(attributes["model"] as? String == "Model 3")
                #expect(integer(attributes["year"]) != nil)
                #expect((response.json["links"] as? [String: Any])?["self"] as? String == "/vehicles/\(tesla.smartcarId)")
            }
        }
    }

    @Test func signalsDocument() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info", "read_odometer", "read_battery"])
            let response = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(Set(response.json.keys) == ["data", "meta", "links", "included"])

            let data = try #require(response.json["data"] as? [[String: Any]])
            #expect(!data.isEmpty)
            let meta = try #require(response.json["meta"] as? [String: Any])
            #expect(integer(meta["totalCount"]) == data.count, "one page holds every signal")
            #expect(integer(meta["page"]) == 1)
            #expect(integer(meta["pageSize"]) != nil)

            let links = try #require(response.json["links"] as? [String: Any])
            #expect(links["self"] as? String == "/vehicles/\(tesla.smartcarId)/signals")
            #expect(links["previous"] is NSNull)
            #expect(links["next"] is NSNull)
            #expect(links["first"] is String && links["last"] is String)

            let included = try #require(response.json["included"] as? [String: Any])
            let vehicle = try #require(included["vehicle"] as? [String: Any])
            #expect(vehicle["id"] as? String == tesla.smartcarId)
            #expect(vehicle["type"] as? String == "vehicle")

            for signal in data {
                let code = signal["id"] as? String ?? "?"
                #expect(signal["type"] as? String == "signal", "\(code)")
                let attributes = signal["attributes"] as? [String: Any] ?? [:]
                #expect(attributes["code"] as? String == code)
                #expect(attributes["name"] is String && attributes["group"] is String, "\(code)")
                #expect((attributes["status"] as? [String: Any])?["value"] as? String == "SUCCESS", "\(code)")
                #expect(attributes["body"] is [String: Any], "\(code)")
                // Timestamps in epoch milliseconds.
                let signalMeta = signal["meta"] as? [String: Any] ?? [:]
                #expect((number(signalMeta["retrievedAt"]) ?? 0) > 1e12, "\(code) retrievedAt")
                #expect((number(signalMeta["oemUpdatedAt"]) ?? 0) > 1e12, "\(code) oemUpdatedAt")
                #expect((signal["links"] as? [String: Any])?["self"] as? String == "/vehicles/\(tesla.smartcarId)/signals/\(code)")
            }
            #expect(data.contains { $0["id"] as? String == "odometer-traveleddistance" })
            // A BEV reports its traction battery in percent (0–100), unlike v2's fractions.
            let soc = try #require(data.first { $0["id"] as? String == "tractionbattery-stateofcharge" })
            let socBody = (soc["attributes"] as? [String: Any])?["body"] as? [String: Any]
            #expect(socBody?["unit"] as? String == "percent")
            #expect((number(socBody?["value"]) ?? 0) > 1)
        }
    }

    @Test func signalsFollowTheTokensPermissions() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info", "read_odometer"])
            let list = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals", headers: bearer(token))
            let codes = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(codes.contains("odometer-traveleddistance"))
            #expect(!codes.contains("location-preciselocation"))
            let location = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals/location-preciselocation", headers: bearer(token))
            #expect(location.status == .forbidden)
            #expect(location.json["type"] as? String == "PERMISSION")
        }
    }

    @Test func odometerSignalIsTheCarsOdometer() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info", "read_odometer"])
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let km = try #require(number(state["odometerKm"]))
            let response = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals/odometer-traveleddistance", headers: bearer(token))
            #expect(response.status == .ok)
            expectSmartcarJSONHeaders(response)
            #expect(response.json["data"] == nil, "a single signal has no data wrapper")
            #expect(response.json["id"] as? String == "odometer-traveleddistance")
            let attributes = try #require(response.json["attributes"] as? [String: Any])
            #expect(attributes["code"] as? String == "odometer-traveleddistance")
            #expect(attributes["name"] as? String == "TraveledDistance")
            #expect(attributes["group"] as? String == "Odometer")
            #expect((attributes["status"] as? [String: Any])?["value"] as? String == "SUCCESS")
            let body = try #require(attributes["body"] as? [String: Any])
            #expect(body["unit"] as? String == "kilometers")
            #expect(approximately(number(body["value"]), km, tolerance: 0.0005), "\(body) vs \(km)")
        }
    }

    @Test func errors() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_vehicle_info"])
            let unknownSignal = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals/flux-capacitor", headers: bearer(token))
            expectV2Error(unknownSignal, status: 404, type: "RESOURCE_NOT_FOUND", code: "PATH", resolution: nil)
            let badToken = try await client.request(.get, "/v3/vehicles/\(tesla.smartcarId)/signals", headers: bearer("THIS_SHOULD_NOT_WORK"))
            expectV2Error(badToken, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                          description: Smartcar.authenticationDescription)
        }
    }
}
