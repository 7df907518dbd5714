import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct FaultAPITests {
    @Test func catalogueListsBothVendorsAndTransportFaults() async throws {
        try await withServer { client, _ in
            let response = try await client.request(.get, "/__fleetmock/catalog")
            let entries = try #require(response.json["entries"] as? [[String: Any]])
            let ids = Set(entries.compactMap { $0["id"] as? String })
            for id in ["smartcar.RATE_LIMIT.VEHICLE", "smartcar.VEHICLE_STATE.ASLEEP", "smartcar.AUTHENTICATION", "smartcar.v1.429", "smartcar.v1.504",
                       "smartcar.oauth.invalid_grant", "smartcar.connect.access_denied", "dimo.token-exchange.no-permission",
                       "dimo.telemetry.jwt-invalid", "dimo.identity.not-found", "transport.reset", "transport.truncated"] {
                #expect(ids.contains(id), "\(id)")
            }
            // Every documented v2 type/code, ten v1 statuses, nine Connect errors.
            #expect(entries.filter { ($0["id"] as? String)?.hasPrefix("smartcar.v1.") == true }.count == 10)
            #expect(entries.filter { ($0["id"] as? String)?.hasPrefix("smartcar.connect.") == true }.count == 9)
            #expect(entries.filter { ($0["id"] as? String)?.split(separator: ".").count ?? 0 >= 2 && ($0["id"] as? String)?.hasPrefix("smartcar.") == true }.count >= 48)
        }
    }

    @Test func headerFaultRendersTheRealRateLimitError() async throws {
        try await withServer { client, _ in
            let response = try await client.request(.get, "/v2.0/vehicles", headers: [.fleetmockFault: "smartcar.RATE_LIMIT.VEHICLE; retry-after=30"])
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] == "30")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let requestId = try #require(response.headers[.scRequestId])
            #expect(requestId.count == 36)
            #expect(response.json["type"] as? String == "RATE_LIMIT")
            #expect(response.json["code"] as? String == "VEHICLE")
            #expect(response.json["statusCode"] as? Int == 429)
            #expect(response.json["requestId"] as? String == requestId)
            #expect((response.json["resolution"] as? [String: Any])?["type"] as? String == "RETRY_LATER")

            let v1 = try await client.request(.get, "/v1.0/vehicles", headers: [.fleetmockFault: "smartcar.v1.409"])
            #expect(v1.status == .conflict)
            #expect(v1.json["error"] as? String == "vehicle_state_error")
            let elb = try await client.request(.get, "/v1.0/vehicles", headers: [.fleetmockFault: "smartcar.v1.504"])
            #expect(elb.status == .gatewayTimeout)
            #expect(elb.headers[.contentType]?.hasPrefix("text/html") == true)

            let typo = try await client.request(.get, "/v2.0/vehicles", headers: [.fleetmockFault: "smartcar.RATE_LIMT.VEHICLE"])
            #expect(typo.status == .badRequest)
            #expect(((typo.json["error"] as? [String: Any])?["message"] as? String)?.contains("smartcar.RATE_LIMIT.VEHICLE") == true)
        }
    }

    @Test func dropFieldServesTheRealAnswerWithoutOneField() async throws {
        try await withServer { client, _ in
            let query = #"{"query": "{ vehicles(first: 1) { totalCount pageInfo { hasNextPage } } }"}"#
            let before = try await client.request(.post, "/identity/query", json: query)
            let vehiclesBefore = try #require((before.json["data"] as? [String: Any])?["vehicles"] as? [String: Any])
            #expect(vehiclesBefore["totalCount"] is Int)

            let rule = #"{"match": {"vendor": "dimo", "service": "identity"}, "action": {"kind": "dropField", "field": "data.vehicles.totalCount"}}"#
            let created = try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: rule)
            #expect(created.status == .created)
            let after = try await client.request(.post, "/identity/query", json: query)
            #expect(after.status == .ok)
            let vehiclesAfter = try #require((after.json["data"] as? [String: Any])?["vehicles"] as? [String: Any])
            #expect(vehiclesAfter["totalCount"] == nil)
            #expect(vehiclesAfter["pageInfo"] != nil)

            let missing = try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: #"{"action": {"kind": "dropField"}}"#)
            #expect(missing.status == .badRequest)
            #expect((missing.json["error"] as? [String: Any])?["field"] as? String == "action.field")
        }
    }

    @Test func ruleLifecycleScheduleIsolationAndJournal() async throws {
        try await withServer { client, _ in
            let a = try await client.createSandbox()
            let b = try await client.createSandbox()
            let idA = try #require(a["id"] as? String), idB = try #require(b["id"] as? String)
            let rule = #"{"match": {"vendor": "smartcar", "service": "oauth"}, "action": {"kind": "error", "catalogId": "smartcar.oauth.invalid_grant"}, "schedule": {"sequence": ["fail", "pass"]}}"#
            let created = try await client.request(.post, "/__fleetmock/sandboxes/\(idA)/faults", json: rule)
            #expect(created.status == .created)
            let faultId = try #require(created.json["id"] as? String)

            func token(_ sandbox: [String: Any]) async throws -> TestResponse {
                let smartcar = try #require(sandbox["smartcar"] as? [String: Any])
                let query = "client_id=\(smartcar["clientId"] as? String ?? "")&client_secret=\(smartcar["clientSecret"] as? String ?? "")"
                return try await client.execute(uri: "/oauth/token?\(query)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "grant_type=authorization_code&code=nope"))
            }
            let first = try await token(a)
            #expect(first.status == .badRequest)
            #expect(first.json["error_description"] as? String == "Invalid code: THIS_SHOULD_NOT_WORK.")
            // The second matching request passes (to the real handler, which rejects the code on its own).
            let second = try await token(a)
            #expect(second.json["error_description"] as? String == "Invalid code: nope.")
            // Sandbox b never sees the rule.
            let other = try await token(b)
            #expect(other.json["error_description"] as? String == "Invalid code: nope.")

            let listed = try await client.request(.get, "/__fleetmock/sandboxes/\(idA)/faults")
            let rules = try #require(listed.json["faults"] as? [[String: Any]])
            #expect(rules.first?["matched"] as? Int == 2)
            #expect(rules.first?["fired"] as? Int == 1)
            let otherFaults = try await client.request(.get, "/__fleetmock/sandboxes/\(idB)/faults")
            #expect((otherFaults.json["faults"] as? [Any])?.isEmpty == true)

            let journal = try await client.request(.get, "/__fleetmock/sandboxes/\(idA)/journal?path=/oauth/token")
            let entries = try #require(journal.json["entries"] as? [[String: Any]])
            #expect(entries.contains { $0["fault"] as? String == faultId })

            #expect(try await client.request(.delete, "/__fleetmock/sandboxes/\(idA)/faults/\(faultId)").status == .noContent)
            #expect(try await client.request(.delete, "/__fleetmock/sandboxes/\(idA)/faults/\(faultId)").status == .notFound)
        }
    }

    @Test(arguments: [
        (#"{"action": {"kind": "explode"}}"#, "action.kind"),
        (#"{"action": {"kind": "error"}}"#, "action.catalogId"),
        (#"{"action": {"kind": "error", "catalogId": "smartcar.NOPE"}}"#, "action.catalogId"),
        (#"{"match": {"vendor": "tesla"}, "action": {"kind": "status", "status": 500}}"#, "match.vendor"),
        (#"{"action": {"kind": "status", "status": 999}}"#, "action.status"),
        (#"{"action": {"kind": "status", "status": 500}, "schedule": {"probability": 2}}"#, "schedule.probability"),
        (#"{"action": {"kind": "status", "status": 500}, "schedule": {"sequence": ["fail", "maybe"]}}"#, "schedule.sequence[1]"),
        (#"{"action": {"kind": "status", "status": 500}, "schedule": {"until": "soon"}}"#, "schedule.until"),
        (#"{"action": {"kind": "status", "status": 500}, "when": 1}"#, "when"),
        (#"{}"#, "action"),
    ])
    func badRulesNameTheField(body: String, field: String) async throws {
        try await withServer { client, _ in
            let response = try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: body)
            #expect(response.status == .badRequest)
            #expect((response.json["error"] as? [String: Any])?["field"] as? String == field)
            let listed = try await client.request(.get, "/__fleetmock/sandboxes/default/faults")
            #expect((listed.json["faults"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func statusAndTransportActions() async throws {
        try await withServer(.live) { client, _ in
            _ = try await client.request(.post, "/__fleetmock/sandboxes/default/faults",
                                         json: #"{"match": {"path": "/v2.0/compatibility"}, "action": {"kind": "status", "status": 503, "retryAfter": 5}}"#)
            let response = try await client.request(.get, "/v2.0/compatibility?vin=x&scope=read_odometer", headers: [.fleetmockSandbox: "default"])
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(response.json["statusCode"] != nil)

            let empty = try await client.request(.get, "/v2.0/user", headers: [.fleetmockFault: "transport.empty"])
            #expect(empty.status == .ok)
            #expect(empty.body.readableBytes == 0)
            let malformed = try await client.request(.get, "/v2.0/user", headers: [.fleetmockFault: "transport.malformed"])
            #expect(malformed.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect((try? JSONSerialization.jsonObject(with: Data(malformed.body.readableBytesView))) == nil)
        }
    }

    /// Journaled requests keep their transport faults: the connection breaks, it is no 500. (The journal once
    /// read the body to keep a copy, met the break itself and answered an error page instead.)
    @Test(arguments: ["transport.reset", "transport.truncated"])
    func transportFaultsBreakTheConnection(fault: String) async throws {
        try await withServer(.live) { client, services in
            await #expect(throws: (any Error).self) {
                let answer = try await client.request(.get, "/v2.0/user", headers: [.fleetmockFault: fault, .fleetmockSandbox: "default"])
                Issue.record("\(fault) was answered: \(answer.status) \(answer.text)")
            }
            let entry = services.journal.entries(sandbox: "default").first
            #expect(entry?.path == "/v2.0/user")
            // reset announces a 200 it never sends; truncated cuts the real answer (here Smartcar's 401) half-way.
            #expect(entry?.status == (fault == "transport.reset" ? 200 : 401))
        }
    }
}
