import FleetCore
@testable import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Logging
import Testing

/// `serve --sandbox-idle-expiry`: sandboxes nobody uses are deleted, with everything kept of them.
@Suite struct SandboxExpiryTests {
    @Test func idleSandboxesAreDeletedAndUsedOnesKept() async throws {
        try await withServer { client, services in
            let idle = try #require(try await client.createSandbox()["id"] as? String)
            let used = try #require(try await client.createSandbox()["id"] as? String)
            _ = try await client.request(.post, "/__fleetmock/sandboxes/\(idle)/faults",
                                         json: #"{"match": {"path": "/v2.0/user"}, "action": {"kind": "status", "status": 503}}"#)
            let expiry = SandboxExpiry(services: services, idleLimit: 3600, logger: Logger(label: "test"))

            // Nothing is idle for an hour yet.
            #expect(await expiry.sweep(now: Date()).isEmpty)

            // An hour and a bit later, only the sandbox a request reached in the meantime is kept.
            let later = Date().addingTimeInterval(3700)
            services.activity.touch(used, at: later.addingTimeInterval(-60))
            let expired = await expiry.sweep(now: later)
            #expect(expired == [idle])
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/\(idle)").status == .notFound)
            #expect(services.faults.rules(sandbox: idle).isEmpty)
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/\(used)").status == .ok)
            // The default sandbox is never deleted, however idle.
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/default").status == .ok)
            #expect(await expiry.sweep(now: later.addingTimeInterval(30 * 86400)) == [used])
            #expect(try await client.request(.get, "/__fleetmock/sandboxes/default").status == .ok)
        }
    }

    @Test func aRequestToASandboxCountsAsUse() async throws {
        try await withServer { client, services in
            let id = try #require(try await client.createSandbox()["id"] as? String)
            let before = Date()
            _ = try await client.request(.get, "/__fleetmock/sandboxes/\(id)/journal")
            let seen = try #require(services.activity.lastUse(id))
            #expect(seen >= before)
        }
    }
}
