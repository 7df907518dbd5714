import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Smartcar's rate limits (reference: app bucket 120 refilling 2/min → `RATE_LIMIT`/`SMARTCAR_API`;
/// per-vehicle throttle → `RATE_LIMIT`/`VEHICLE`; `Retry-After` in seconds), on the sandbox clock.
@Suite struct RateLimitTests {
    static let retryAfter = HTTPField.Name("Retry-After")!

    /// A sandbox with a frozen clock, its settings patched, and a token for its Model 3.
    static func limited(_ client: any TestClientProtocol, settings: String) async throws -> (SandboxInfo, SandboxInfo.Vehicle, String) {
        let sandbox = try await client.makeSandbox()
        let frozen = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: #"{"freeze": true}"#)
        try #require(frozen.status == .ok)
        let patched = try await client.request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)", json: #"{"settings": \#(settings)}"#)
        try #require(patched.status == .ok, "\(patched.text)")
        let tesla = try sandbox.vehicle(model: "Model 3")
        let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer", "read_vehicle_info"])
        return (sandbox, tesla, token)
    }

    @Test func offByDefaultForNewSandboxesAndTheDefaultSandbox() async throws {
        try await withServer { client, _ in
            let fresh = try await client.request(.get, "/__fleetmock/sandboxes/default")
            #expect((fresh.json["settings"] as? [String: Any])?["rateLimits"] as? Bool == false)
            let sandbox = try await client.makeSandbox()
            let read = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)")
            let settings = try #require(read.json["settings"] as? [String: Any])
            #expect(settings["rateLimits"] as? Bool == false)
            #expect(settings["appBurst"] as? Int == 120)
            #expect(settings["appRequestsPerMinute"] as? Int == 2)
            #expect(settings["vehicleRequestsPerMinute"] as? Int == 2)
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            for _ in 0..<10 {
                #expect(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token)).status == .ok)
            }
        }
    }

    @Test func vehicleBucketEmptiesThenRefillsOnlyWhenTheClockMoves() async throws {
        try await withServer { client, _ in
            let (sandbox, tesla, token) = try await Self.limited(client, settings: #"{"rateLimits": true}"#)
            let odometer = "/v2.0/vehicles/\(tesla.smartcarId)/odometer"
            for _ in 0..<2 { #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok) }
            for _ in 0..<3 {
                // The frozen clock never refills.
                let limited = try await client.request(.get, odometer, headers: bearer(token))
                expectV2Error(limited, status: 429, type: "RATE_LIMIT", code: "VEHICLE", resolution: "RETRY_LATER")
                #expect(limited.headers[Self.retryAfter] == "30")
            }
            // Other vehicle endpoints share the vehicle's bucket; the user endpoint does not.
            #expect(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)", headers: bearer(token)).status.code == 429)
            #expect(try await client.request(.get, "/v2.0/user", headers: bearer(token)).status == .ok)

            try await client.advanceClock(sandbox, by: "29s")
            let early = try await client.request(.get, odometer, headers: bearer(token))
            #expect(early.status.code == 429)
            #expect(early.headers[Self.retryAfter] == "1")
            try await client.advanceClock(sandbox, by: "1s")
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok)
            #expect(try await client.request(.get, odometer, headers: bearer(token)).headers[Self.retryAfter] == "30")
        }
    }

    @Test func appBucketIsSharedByEveryRequestOfTheApp() async throws {
        try await withServer { client, _ in
            let (sandbox, tesla, token) = try await Self.limited(
                client, settings: #"{"rateLimits": true, "appBurst": 3, "appRequestsPerMinute": 1, "vehicleRequestsPerMinute": 100}"#)
            for uri in ["/v2.0/user", "/v2.0/vehicles", "/v2.0/vehicles/\(tesla.smartcarId)/odometer"] {
                #expect(try await client.request(.get, uri, headers: bearer(token)).status == .ok)
            }
            let limited = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
            expectV2Error(limited, status: 429, type: "RATE_LIMIT", code: "SMARTCAR_API", resolution: "RETRY_LATER")
            #expect(limited.headers[Self.retryAfter] == "60")
            try await client.advanceClock(sandbox, by: "1m")
            #expect(try await client.request(.get, "/v2.0/user", headers: bearer(token)).status == .ok)
            #expect(try await client.request(.get, "/v2.0/user", headers: bearer(token)).status.code == 429)
        }
    }

    @Test func v1GetsItsOwnEnvelope() async throws {
        try await withServer { client, _ in
            let (_, tesla, token) = try await Self.limited(client, settings: #"{"rateLimits": true, "vehicleRequestsPerMinute": 1}"#)
            let odometer = "/v1.0/vehicles/\(tesla.smartcarId)/odometer"
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok)
            let limited = try await client.request(.get, odometer, headers: bearer(token))
            expectV1Error(limited, status: 429, error: "rate_limiting_error",
                          message: "The application has sent too many requests and cannot be served due to the application's rate limit being exhausted",
                          code: nil)
            #expect(limited.headers[Self.retryAfter] == "60")
        }
    }

    @Test func batchPathsBeyondTheVehicleBucketFailInsideTheirItem() async throws {
        try await withServer { client, _ in
            let (_, tesla, token) = try await Self.limited(client, settings: #"{"rateLimits": true}"#)
            let batch = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/batch",
                                                 json: #"{"requests": [{"path": "/odometer"}, {"path": "/odometer"}, {"path": "/odometer"}]}"#, headers: bearer(token))
            #expect(batch.status == .ok)
            let items = try #require(batch.json["responses"] as? [[String: Any]])
            #expect(items.map { $0["code"] as? Int } == [200, 200, 429])
            let failed = items[2]
            #expect((failed["headers"] as? [String: Any])?["Retry-After"] as? Int == 30)
            let body = try #require(failed["body"] as? [String: Any])
            #expect(body["type"] as? String == "RATE_LIMIT" && body["code"] as? String == "VEHICLE" && body["statusCode"] as? Int == 429)
            // The bucket is empty now: a plain request is throttled too.
            #expect(try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token)).status.code == 429)
        }
    }

    @Test func switchingOffLiftsTheLimitAndABadPatchChangesNothing() async throws {
        try await withServer { client, _ in
            let (sandbox, tesla, token) = try await Self.limited(client, settings: #"{"rateLimits": true, "vehicleRequestsPerMinute": 1}"#)
            let odometer = "/v2.0/vehicles/\(tesla.smartcarId)/odometer"
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok)
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status.code == 429)
            let off = try await client.request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)", json: #"{"settings": {"rateLimits": false}}"#)
            #expect(off.status == .ok)
            for _ in 0..<3 { #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok) }
            // Back on: the buckets start full.
            let on = try await client.request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)", json: #"{"settings": {"rateLimits": true}}"#)
            #expect(on.status == .ok)
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status == .ok)
            #expect(try await client.request(.get, odometer, headers: bearer(token)).status.code == 429)
            _ = try await client.request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)", json: #"{"settings": {"rateLimits": false}}"#)

            let bad = try await client.request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)",
                                               json: #"{"settings": {"rateLimits": true, "vehicleRequestsPerMinute": 0}}"#)
            #expect(bad.status == .badRequest)
            #expect((bad.json["error"] as? [String: Any])?["field"] as? String == "settings.vehicleRequestsPerMinute")
            let read = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)")
            #expect((read.json["settings"] as? [String: Any])?["rateLimits"] as? Bool == false)
        }
    }
}
