import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Smartcar calls land in the sandbox's journal (`GET /__fleetmock/sandboxes/{id}/journal`).
@Suite struct SmartcarJournalTests {
    @Test func smartcarCallsAreJournaled() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer"])
            let path = "/v2.0/vehicles/\(tesla.smartcarId)/odometer"
            let odometer = try await client.request(.get, path, headers: bearer(token))
            #expect(odometer.status == .ok)
            let denied = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/location", headers: bearer(token))
            #expect(denied.status == .forbidden)

            let journal = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/journal")
            #expect(journal.status == .ok)
            let entries = try #require(journal.json["entries"] as? [[String: Any]])
            let entry = try #require(entries.first { $0["path"] as? String == path }, "no journal entry for \(path)")
            #expect(entry["vendor"] as? String == "smartcar")
            #expect(entry["method"] as? String == "GET")
            #expect(integer(entry["status"]) == 200)
            #expect(entry["sandbox"] as? String == sandbox.id)
            #expect(entry["requestId"] as? String == odometer.requestId)

            let refused = try #require(entries.first { ($0["path"] as? String)?.hasSuffix("/location") == true })
            #expect(refused["vendor"] as? String == "smartcar")
            #expect(integer(refused["status"]) == 403)
            #expect(refused["requestId"] as? String == denied.requestId)

            // The token exchange is Smartcar's too.
            #expect(entries.contains { $0["path"] as? String == "/oauth/token" && $0["vendor"] as? String == "smartcar" })

            // Filters: by path and by status.
            let byPath = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/journal?path=odometer")
            let pathEntries = byPath.json["entries"] as? [[String: Any]] ?? []
            #expect(pathEntries.count == 1)
            #expect(pathEntries.first?["path"] as? String == path)
            let byStatus = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/journal?status=403")
            #expect((byStatus.json["entries"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func connectPagesAreJournaled() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let page = try await client.request(.get, authorizeURI(sandbox))
            #expect(page.status == .ok)
            let journal = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/journal?path=/oauth/authorize")
            let entries = journal.json["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == 1)
            #expect(entries.first?["vendor"] as? String == "smartcar")
            #expect(integer(entries.first?["status"]) == 200)
        }
    }
}
