import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Fault rules with `{"kind": "status"}` on Smartcar paths.
@Suite struct StatusFaultTests {
    /// An injected `status` fault: the body's `statusCode` is the HTTP status, in both envelopes.
    @Test func statusFaultBodiesAgreeWithTheStatus() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            for status in [400, 404, 409, 429, 500, 502, 503, 504, 599] {
                let cleared = try await client.request(.delete, "/__fleetmock/sandboxes/\(sandbox.id)/faults")
                #expect(cleared.status.code < 300)
                let rule = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/faults",
                                                    json: #"{"match": {"path": "/*/vehicles/*/odometer"}, "action": {"kind": "status", "status": \#(status)}}"#)
                #expect(rule.status == .created, "\(rule.text)")
                for version in ["v1.0", "v2.0"] {
                    let response = try await client.request(.get, "/\(version)/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(token))
                    #expect(response.status.code == status, "\(version) \(status)")
                    #expect(response.json["statusCode"] as? Int == status, "\(version) \(status): \(response.text)")
                }
            }
        }
    }
}
