import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ControlAPITests {
    @Test(arguments: [TestingSetup.router, TestingSetup.live])
    func healthAndDefaultSandbox(setup: TestingSetup) async throws {
        try await withServer(setup) { client, _ in
            let health = try await client.request(.get, "/__fleetmock/health")
            #expect(health.status == .ok)
            #expect(health.headers[.contentType] == "application/json; charset=utf-8")
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["version"] as? String == fleetmockVersion)

            let sandbox = try await client.request(.get, "/__fleetmock/sandboxes/default")
            #expect(sandbox.status == .ok)
            let smartcar = try #require(sandbox.json["smartcar"] as? [String: Any])
            #expect(smartcar["clientId"] is String && smartcar["clientSecret"] is String)
            #expect(smartcar["redirectUri"] is String && smartcar["managementToken"] is String)
            let dimo = try #require(sandbox.json["dimo"] as? [String: Any])
            #expect((dimo["clientId"] as? String)?.hasPrefix("0x") == true)
            #expect((dimo["privateKey"] as? String)?.count == 66)
            #expect(dimo["vehicleContract"] as? String == DIMOContracts.vehicle)
            #expect(dimo["domain"] is String)
            let users = try #require(sandbox.json["users"] as? [[String: Any]])
            #expect(users.count >= 3)
            let vehicles = try #require(sandbox.json["vehicles"] as? [[String: Any]])
            #expect(vehicles.count >= 10)
            for key in ["vin", "smartcarId", "dimoTokenId", "make", "model", "year", "powertrain"] {
                #expect(vehicles[0][key] != nil, "vehicles[0].\(key)")
            }
        }
    }

    @Test func createReadPatchResetDelete() async throws {
        try await withServer { client, _ in
            let created = try await client.request(.post, "/__fleetmock/sandboxes", json: #"{"seed": 7, "vehicles": 5, "smartcar": {"redirectUris": ["https://app.example/cb"]}}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let redirects = (created.json["smartcar"] as? [String: Any])?["redirectUris"] as? [String]
            #expect(redirects?.contains("https://app.example/cb") == true)
            #expect((created.json["vehicles"] as? [Any])?.count == 5)

            let read = try await client.request(.get, "/__fleetmock/sandboxes/\(id)")
            #expect(read.json["id"] as? String == id)

            let patched = try await client.request(.patch, "/__fleetmock/sandboxes/\(id)", json: #"{"settings": {"rateLimits": true, "appBurst": 10, "journalSize": 50}}"#)
            #expect(patched.status == .ok)
            let settings = try #require(patched.json["settings"] as? [String: Any])
            #expect(settings["rateLimits"] as? Bool == true)
            #expect(settings["appBurst"] as? Int == 10)
            #expect(settings["appRequestsPerMinute"] as? Int == 2)
            #expect(settings["vehicleRequestsPerMinute"] as? Int == 2)
            #expect(settings["journalSize"] as? Int == 50)

            let reset = try await client.request(.post, "/__fleetmock/sandboxes/\(id)/reset")
            #expect(reset.status == .ok)
            // Back to the defaults: rate limits off.
            #expect((reset.json["settings"] as? [String: Any])?["rateLimits"] as? Bool == false)
            #expect((reset.json["settings"] as? [String: Any])?["appBurst"] as? Int == 120)

            let list = try await client.request(.get, "/__fleetmock/sandboxes")
            #expect((list.json["sandboxes"] as? [[String: Any]])?.count == 2)

            #expect(try await client.request(.delete, "/__fleetmock/sandboxes/\(id)").status == .noContent)
            let gone = try await client.request(.get, "/__fleetmock/sandboxes/\(id)")
            #expect(gone.status == .notFound)
            #expect((gone.json["error"] as? [String: Any])?["code"] as? String == "sandbox_not_found")
            #expect(try await client.request(.delete, "/__fleetmock/sandboxes/\(id)").status == .notFound)
        }
    }

    @Test(arguments: [
        (#"{"vehicles": 0}"#, "vehicles"),
        (#"{"vehicles": "ten"}"#, "vehicles"),
        (#"{"seed": -1}"#, "seed"),
        (#"{"fixtures": "nope"}"#, "fixtures"),
        (#"{"colour": "red"}"#, "colour"),
        (#"{"smartcar": {"redirectUris": ["not a uri"]}}"#, "smartcar.redirectUris[0]"),
        (#"{"smartcar": {"redirectUris": "x"}}"#, "smartcar.redirectUris"),
        (#"{"vehicles": 3"#, "body"),
        (#"[]"#, "body"),
    ])
    func badSandboxRequests(body: String, field: String) async throws {
        try await withServer { client, _ in
            let response = try await client.request(.post, "/__fleetmock/sandboxes", json: body)
            #expect(response.status == .badRequest)
            let error = try #require(response.json["error"] as? [String: Any])
            #expect(error["field"] as? String == field)
            #expect((error["message"] as? String)?.isEmpty == false)
            let list = try await client.request(.get, "/__fleetmock/sandboxes")
            #expect((list.json["sandboxes"] as? [Any])?.count == 1)
        }
    }

    @Test func badSettings() async throws {
        try await withServer { client, _ in
            for (body, field) in [(#"{"settings": {"journalSize": 0}}"#, "settings.journalSize"),
                                  (#"{"settings": {"rateLimits": "no"}}"#, "settings.rateLimits"),
                                  (#"{"settings": {"rateLimits": true, "appBurst": 0}}"#, "settings.appBurst"),
                                  (#"{"settings": {"appRequestsPerMinute": 1.5}}"#, "settings.appRequestsPerMinute"),
                                  (#"{"settings": {"vehicleRequestsPerMinute": "2"}}"#, "settings.vehicleRequestsPerMinute"),
                                  (#"{"settings": {"speed": 1}}"#, "settings.speed"),
                                  (#"{"name": "x"}"#, "name")] {
                let response = try await client.request(.patch, "/__fleetmock/sandboxes/default", json: body)
                #expect(response.status == .badRequest)
                #expect((response.json["error"] as? [String: Any])?["field"] as? String == field)
            }
            #expect(try await client.request(.patch, "/__fleetmock/sandboxes/nope", json: #"{"settings": {}}"#).status == .notFound)
        }
    }

    @Test func clockCalls() async throws {
        try await withServer { client, _ in
            let base = "/__fleetmock/sandboxes/default/clock"
            let initial = try await client.request(.get, base)
            #expect(initial.json["frozen"] as? Bool == false)
            #expect(initial.json["scale"] as? Double == 1)

            let frozen = try await client.request(.post, base, json: #"{"freeze": true}"#)
            #expect(frozen.json["frozen"] as? Bool == true)
            let set = try await client.request(.post, base, json: #"{"set": "2030-05-01T12:00:00Z"}"#)
            #expect(set.json["now"] as? String == "2030-05-01T12:00:00.000Z")
            let advanced = try await client.request(.post, base, json: #"{"advance": "1h30m"}"#)
            #expect(advanced.json["now"] as? String == "2030-05-01T13:30:00.000Z")
            let scaled = try await client.request(.post, base, json: #"{"scale": 60}"#)
            #expect(scaled.json["scale"] as? Double == 60)
            // Back to real time would go back four years: refused, and nothing changes.
            let real = try await client.request(.post, base, json: #"{"realTime": true}"#)
            #expect(real.status == .conflict)
            #expect(((real.json["error"] as? [String: Any])?["message"] as? String)?.contains("cannot go back") == true)
            #expect(try await client.request(.get, base).json["scale"] as? Double == 60)

            for (body, field) in [(#"{"advance": "soon"}"#, "advance"), (#"{"set": "tomorrow"}"#, "set"),
                                  (#"{"scale": -2}"#, "scale"), (#"{"freeze": "yes"}"#, "freeze"),
                                  (#"{"rewind": "1h"}"#, "rewind"), (#"{}"#, "body")] {
                let response = try await client.request(.post, base, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect((response.json["error"] as? [String: Any])?["field"] as? String == field)
            }
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/nope/clock").status == .notFound)
        }
    }

    @Test func aClockThatWouldGoBackIsRefusedAndTheWorldKeepsMoving() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.createSandbox()
            let id = try #require(sandbox["id"] as? String)
            let vin = try #require((sandbox["vehicles"] as? [[String: Any]])?.first?["vin"] as? String)
            let base = "/__fleetmock/sandboxes/\(id)/clock"
            _ = try await client.request(.post, base, json: #"{"freeze": true}"#)
            let before = try await client.request(.get, base).json["now"] as? String
            _ = try await client.request(.post, base, json: #"{"advance": "2d"}"#)
            let advanced = try await client.request(.get, base).json["now"] as? String

            let back = try await client.request(.post, base, json: #"{"set": "\#(try #require(before))"}"#)
            #expect(back.status == .conflict)
            let message = (back.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("cannot go back") && message.contains("clock") && message.contains("/reset"), "\(message)")
            #expect(try await client.request(.get, base).json["now"] as? String == advanced, "a refused change changes nothing")
            #expect(try await client.request(.post, base, json: #"{"advance": "-1h"}"#).status != .ok)

            // Setting the same moment, or a later one, still works, and the cars move on.
            #expect(try await client.request(.post, base, json: #"{"set": "\#(try #require(advanced))"}"#).status == .ok)
            let stamped = { () async throws -> String? in
                let state = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/vehicles/\(vin)").json["state"] as? [String: Any]
                return state?["updatedAt"] as? String
            }
            let start = try #require(try await stamped())
            _ = try await client.request(.post, base, json: #"{"advance": "3d"}"#)
            let later = try #require(try await stamped())
            #expect(later > start, "the car's state moved on with the clock (\(start) -> \(later))")
            // A reset is the documented way back: it returns to the start clock.
            #expect(try await client.request(.post, "/__fleetmock/sandboxes/\(id)/reset").status == .ok)
        }
    }

    @Test func vehiclesGetAndPatch() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.createSandbox()
            let id = try #require(sandbox["id"] as? String)
            let vin = try #require((sandbox["vehicles"] as? [[String: Any]])?.first?["vin"] as? String)
            let path = "/__fleetmock/sandboxes/\(id)/vehicles/\(vin)"
            let vehicle = try await client.request(.get, path)
            #expect(vehicle.status == .ok)
            let state = try #require(vehicle.json["state"] as? [String: Any])
            for key in ["odometerKm", "latitude", "longitude", "isLocked", "doors", "tirePressureKPa", "updatedAt", "chargeState"] {
                #expect(state[key] != nil, "state.\(key)")
            }
            let patched = try await client.request(.patch, path, json: #"{"state": {"doors": {"backLeft": "OPEN"}, "isLocked": false}}"#)
            #expect(patched.status == .ok)
            let after = try #require(patched.json["state"] as? [String: Any])
            #expect((after["doors"] as? [String: Any])?["backLeft"] as? String == "OPEN")
            #expect(after["isLocked"] as? Bool == false)

            let bad = try await client.request(.patch, path, json: #"{"state": {"odometerKm": "far"}}"#)
            #expect(bad.status == .badRequest)
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "state.odometerKm")
            let unchanged = try await client.request(.get, path)
            #expect((unchanged.json["state"] as? [String: Any])?["odometerKm"] as? Double == state["odometerKm"] as? Double)

            #expect(try await client.request(.get, "/__fleetmock/sandboxes/\(id)/vehicles/1HGCM82633A004352").status == .notFound)
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/nope/vehicles/\(vin)").status == .notFound)
            let list = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/vehicles")
            #expect((list.json["vehicles"] as? [Any])?.count == (sandbox["vehicles"] as? [Any])?.count)
            // The default sandbox does not see another sandbox's vehicle.
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles/\(vin)").status == .notFound)
        }
    }

    @Test func journalRecordsControlCalls() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.createSandbox()
            let id = try #require(sandbox["id"] as? String)
            _ = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/clock")
            _ = try await client.request(.post, "/__fleetmock/sandboxes/\(id)/clock", json: #"{"advance":"nope"}"#)
            let journal = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/journal?limit=10")
            let entries = try #require(journal.json["entries"] as? [[String: Any]])
            try #require(entries.count == 2)
            #expect(entries[0]["status"] as? Int == 400)
            #expect(entries[0]["method"] as? String == "POST")
            #expect(entries[1]["path"] as? String == "/__fleetmock/sandboxes/\(id)/clock")
            for key in ["time", "latencyMs", "sandbox", "requestId", "vendor"] { #expect(entries[0][key] != nil, "\(key)") }
            let only400 = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/journal?status=400")
            #expect((only400.json["entries"] as? [Any])?.count == 1)
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/\(id)/journal?limit=zero").status == .badRequest)
        }
    }

    @Test func unknownRoutesAndMalformedBodiesGetJSONErrors() async throws {
        try await withServer { client, _ in
            let missing = try await client.request(.get, "/__fleetmock/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/json; charset=utf-8")
            let bad = try await client.request(.patch, "/__fleetmock/sandboxes/default/vehicles/x", json: "{not json")
            #expect(bad.status == .badRequest)
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "body")
        }
    }
}
