import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Vendors on the router: each path reaches its own vendor's routes, a path no route serves gets
/// the addressed vendor's not-found body, and fault rules may name a route by its template.
@Suite struct RoutingTests {
    @Test(arguments: [
        ("/auth/web3/unknown", "GET"), ("/v1/vehicle/1/mileage", "GET"), ("/identity/query/extra", "GET"),
        ("/v2/attestation/vin", "POST"), ("/v1/vc/pom/7", "POST"), ("/sandbox/default/device-definitions/a/b", "GET"),
    ])
    func dimoPathsWithoutARouteGetFibersNotFound(_ path: String, _ method: String) async throws {
        try await withServer { client, _ in
            let response = try await client.request(HTTPRequest.Method(method)!, path)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let bare = RequestTarget.sandboxPrefix(path).path
            #expect(response.json["message"] as? String == "Cannot \(method) \(bare)")
            #expect(response.json["code"] as? Int == 404)
        }
    }

    @Test func smartcarPathsWithoutARouteGetSmartcarsNotFound() async throws {
        try await withServer { client, _ in
            let unknown = try await client.request(.get, "/v2.0/vehicles/some-id/teleport")
            #expect(unknown.status == .notFound && unknown.json["type"] as? String == "RESOURCE_NOT_FOUND" && unknown.json["code"] as? String == "PATH")
            #expect(unknown.headers[.scRequestId]?.count == 36)
            let wrongMethod = try await client.request(.put, "/v2.0/vehicles/some-id/odometer")
            #expect(wrongMethod.status == .notFound && wrongMethod.json["code"] as? String == "PATH")
            let v1 = try await client.request(.get, "/v1.0/nowhere")
            #expect(v1.status == .notFound && v1.json["error"] as? String == "resource_not_found_error")
            let version = try await client.request(.get, "/vnext/vehicles")
            #expect(version.status == .notFound && version.json["code"] as? String == "VERSION")
            let connect = try await client.request(.get, "/connect/elsewhere")
            #expect(connect.status == .notFound && connect.headers[.contentType]?.hasPrefix("text/html") == true)
            // A path of no vendor is fleetmock's own 404.
            let nowhere = try await client.request(.get, "/nowhere/at/all")
            #expect(nowhere.status == .notFound && (nowhere.json["error"] as? [String: Any])?["code"] as? String == "not_found")
        }
    }

    /// DIMO's valuations share `/v2/vehicles/…` with Smartcar's unversioned roots: the action decides.
    @Test func valuationsAndSmartcarShareAPrefix() async throws {
        try await withServer { client, _ in
            let dimo = try await client.request(.get, "/v2/vehicles/12/valuations")
            #expect(dimo.status == .unauthorized && dimo.json["message"] as? String == "Invalid privilege token.")
            let smartcar = try await client.request(.get, "/v2/vehicles/12/odometer")
            #expect(smartcar.status == .notFound && smartcar.json["code"] as? String == "VERSION")
        }
    }

    /// A rule naming the router's template matches that route and no other; trailing slashes and
    /// the `/sandbox/{id}` prefix do not change the template.
    @Test func faultRulesMatchTheRouteTemplate() async throws {
        try await withServer { client, _ in
            let rule = #"{"match": {"path": "/v{version}/vehicles/{id}/odometer"}, "action": {"kind": "status", "status": 503}}"#
            let created = try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: rule)
            #expect(created.status == .created)
            let headers: HTTPFields = [.fleetmockSandbox: "default"]
            for path in ["/v2.0/vehicles/abc/odometer", "/v1.0/vehicles/abc/odometer/"] {
                let hit = try await client.request(.get, path, headers: headers)
                #expect(hit.status == .serviceUnavailable, "\(path)")
            }
            let other = try await client.request(.get, "/v2.0/vehicles/abc/location", headers: headers)
            #expect(other.status == .unauthorized)

            let graphQL = #"{"match": {"path": "/identity/query"}, "action": {"kind": "status", "status": 502}}"#
            #expect(try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: graphQL).status == .created)
            let query = #"{"query": "{ vehicles(first: 1) { totalCount } }"}"#
            let prefixed = try await client.request(.post, "/sandbox/default/identity/query", json: query)
            #expect(prefixed.status == .badGateway)
        }
    }
}
