import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `…/vehicles/{vin}/plan` through the control API, seen through the Smartcar API.
@Suite struct PlanAPITests {
    @Test func aPlannedDriveShowsOnTheOdometerAndLocationAndSleepAnswersAsleep() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer", "read_location", "read_charge", "read_vehicle_info"])
            let frozen = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: #"{"freeze": true}"#)
            #expect(frozen.status == .ok)
            let odometerBefore = try #require(number(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token)).json["distance"]))
            let state = try await client.vehicleState(sandbox, vin: tesla.vin)
            let latitude = try #require(number(state["latitude"])) + 0.1, longitude = try #require(number(state["longitude"]))

            let plan = try await client.request(.put, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(tesla.vin)/plan", json: """
                {"steps": [{"drive": {"to": {"latitude": \(latitude), "longitude": \(longitude)}, "speedKph": 60}}, {"plugIn": true}, {"open": "trunk"}]}
                """)
            #expect(plan.status == .ok, "\(plan.text)")
            let steps = try #require(plan.json["steps"] as? [[String: Any]])
            #expect(steps.map { $0["action"] as? String } == ["drive", "plugIn", "open"])
            #expect(steps.first?["status"] as? String == "active")
            let km = try #require(number(steps.first?["distanceKm"]))

            try await client.advanceClock(sandbox, by: "1h")
            let odometer = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            #expect(approximately(number(odometer.json["distance"]), odometerBefore + km, tolerance: 0.01), "\(odometer.text)")
            let location = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/location", headers: bearer(token))
            #expect(approximately(number(location.json["latitude"]), latitude) && approximately(number(location.json["longitude"]), longitude))
            let charge = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/charge", headers: bearer(token))
            #expect(charge.json["isPluggedIn"] as? Bool == true)
            #expect(try await client.vehicleState(sandbox, vin: tesla.vin)["trunk"] as? String == "OPEN")
            let shown = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(tesla.vin)/plan")
            #expect((shown.json["steps"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "done" } == true)

            // Deep sleep: data endpoints answer VEHICLE_STATE ASLEEP, static ones still answer.
            let sleep = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(tesla.vin)/plan", json: #"{"steps": [{"sleep": true}]}"#)
            #expect(sleep.status == .ok && sleep.json["asleep"] as? Bool == true)
            let asleep = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            #expect(asleep.status.code == 409)
            #expect(asleep.json["type"] as? String == "VEHICLE_STATE" && asleep.json["code"] as? String == "ASLEEP", "\(asleep.text)")
            let attributes = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)", headers: bearer(token))
            #expect(attributes.status == .ok)
            let removed = try await client.request(.delete, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(tesla.vin)/plan")
            #expect(removed.status == .noContent)
            #expect(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token)).status == .ok)
            let none = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(tesla.vin)/plan")
            #expect(none.status == .notFound && (none.json["error"] as? [String: Any])?["code"] as? String == "plan_not_found")
        }
    }

    @Test func badPlanBodiesAreRejectedNamingTheField() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let truck = try sandbox.vehicle(model: "F-150")
            let cases: [(String, String)] = [
                (#"[]"#, "body"),
                (#"{}"#, "steps"),
                (#"{"steps": [{"fly": true}]}"#, "steps[0].fly"),
                (#"{"steps": [{"lock": true, "unlock": true}]}"#, "steps[0]"),
                (#"{"steps": [{"drive": {"to": {"latitude": "north"}}}]}"#, "steps[0].drive.to"),
                (#"{"steps": [{"drive": {"speedKph": 30}}]}"#, "steps[0].drive.to"),
                (#"{"steps": [{"wait": "soon"}]}"#, "steps[0].wait"),
                (#"{"steps": [{"open": "roof"}]}"#, "steps[0].open"),
                (#"{"steps": [{"plugIn": true}]}"#, "steps[0]"),
                (#"{"steps": [{"lock": true}], "startAt": "2001-01-01T00:00:00Z"}"#, "startAt"),
                (#"{"steps": [{"lock": true}], "colour": "red"}"#, "colour"),
            ]
            for (body, field) in cases {
                let response = try await client.request(.put, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(truck.vin)/plan", json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect((response.json["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(response.text)")
            }
            let unknown = try await client.request(.put, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/NOSUCHVIN/plan", json: #"{"steps": [{"lock": true}]}"#)
            #expect(unknown.status == .notFound)
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(truck.vin)/plan").status == .notFound)
        }
    }
}
