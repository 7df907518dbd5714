import FleetControl
import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The shared control client (the CLI's and the harness's) against a live server: every typed call
/// decodes what the server encodes, and a refused call carries the server's own message.
@Suite struct ControlClientTests {
    @Test func typedCallsRoundTripThroughTheSharedShapes() async throws {
        try await withServer(.live) { client, _ in
            let control = ControlClient(server: "http://127.0.0.1:\(try #require(client.port))")
            #expect(try await control.health().status == "ok")
            #expect(await control.isHealthy())

            let sandbox = try await control.sandbox(Fleet.defaultSandboxId)
            #expect(sandbox.id == Fleet.defaultSandboxId)
            #expect(!sandbox.vehicles.isEmpty && sandbox.smartcar.clientId.count > 0 && sandbox.dimo.clientId.hasPrefix("0x"))
            #expect(try await control.sandboxes().sandboxes.contains { $0.id == sandbox.id })

            let before = try await control.clock(sandbox.id)
            let frozen = try await control.changeClock(sandbox.id, .freeze(true))
            #expect(frozen.frozen)
            let advanced = try await control.changeClock(sandbox.id, .advance("2h"))
            #expect(advanced.now.timeIntervalSince(before.now) >= 7200)
            let start = try #require(Timestamp.parse("2030-01-01T08:00:00Z"))
            #expect(try await control.changeClock(sandbox.id, .set(start)).now == start)

            let rule = try await control.addFault(sandbox.id, rule: .object([("match", .object([("path", "/v2.0/user")])),
                                                                              ("action", .object([("kind", "status"), ("status", 503)]))]))
            let ruleId = try #require(rule["id"]?.stringValue)
            #expect(try await control.faults(sandbox.id)["faults"]?.arrayValue?.count == 1)
            try await control.removeFaults(sandbox.id, faultId: ruleId)
            #expect(try await control.faults(sandbox.id)["faults"]?.arrayValue?.isEmpty == true)

            let reset = try await control.reset(sandbox.id)
            #expect(reset.clock.now != start)

            await #expect(throws: ControlAPIError.self) { try await control.sandbox("no-such-sandbox") }
            do {
                _ = try await control.changeClock(sandbox.id, .advance("forever"))
                Issue.record("a bad duration was accepted")
            } catch let error as ControlAPIError {
                #expect(error.status == 400 && error.body.contains("advance"))
            }
        }
    }
}
