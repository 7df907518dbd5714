@testable import FleetCore
@testable import FleetServer
import FleetTestSupport
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

/// The background catch-up and the retention limit.
@Suite struct SimulationTickerTests {
    func fleet() async throws -> Fleet {
        let fleet = Fleet(database: try FleetDatabase.inMemory(), fixtures: FixtureLibrary(directory: repositoryFixtures))
        try await fleet.bootstrapDefault(historyDays: 0)
        return fleet
    }

    /// Moves a sandbox's simulation an hour behind its clock, as if nobody had asked for an hour.
    func fallBehind(_ fleet: Fleet, _ id: String) async throws -> Date {
        try await fleet.database.write { db in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
            let behind = sandbox.clock.now().addingTimeInterval(-3600)
            sandbox.simulatedUntil = behind
            try sandbox.update(db)
            return behind
        }
    }

    @Test func aTickCatchesUpRunningSandboxesOnlyAndPublishesTheChange() async throws {
        let fleet = try await fleet()
        let running = try await fleet.createSandbox(SandboxRequest(historyDays: 0))
        let frozen = try await fleet.createSandbox(SandboxRequest(historyDays: 0))
        _ = try await fleet.changeClock(frozen.sandbox.id, .freeze(true))
        let runningBehind = try await fallBehind(fleet, running.sandbox.id)
        let frozenBehind = try await fallBehind(fleet, frozen.sandbox.id)
        let heard = Mutex<[String]>([])
        let observer = fleet.changes.observe { change in heard.withLock { $0.append(change.sandboxId) } }
        defer { fleet.changes.removeObserver(observer) }

        await SimulationTicker(fleet: fleet, interval: 30, logger: Logger(label: "test")).tick()

        let sandboxes = try await fleet.sandboxes()
        let after = try #require(sandboxes.first { $0.id == running.sandbox.id }?.simulatedUntil)
        #expect(after.timeIntervalSince(runningBehind) >= 3599)
        let frozenAfter = try #require(sandboxes.first { $0.id == frozen.sandbox.id }?.simulatedUntil)
        #expect(frozenAfter == frozenBehind, "a frozen sandbox is left alone")
        #expect(heard.withLock { $0.contains(running.sandbox.id) && !$0.contains(frozen.sandbox.id) })
    }

    @Test func samplesEventsAndTripsOlderThanTheRetentionArePruned() async throws {
        let fleet = try await fleet()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 5, vehicles: 4, historyDays: 10))
        let id = world.sandbox.id
        _ = try await fleet.changeClock(id, .freeze(true))
        _ = try await fleet.updateSettings(id) { try $0.set("retentionDays", .integer(3)) }
        _ = try await fleet.changeClock(id, .advance(seconds: 86400))
        let now = try await fleet.clock(id).now()
        let cutoff = now.addingTimeInterval(-3 * 86400)
        let counts = try await fleet.database.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM telemetrySample WHERE vehicleId IN (SELECT id FROM vehicle WHERE sandboxId = ?) AND timestamp < ?", arguments: [id, cutoff.epochMillis]) ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vehicleEvent WHERE vehicleId IN (SELECT id FROM vehicle WHERE sandboxId = ?) AND timestamp < ?", arguments: [id, cutoff.epochMillis]) ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM telemetrySample WHERE vehicleId IN (SELECT id FROM vehicle WHERE sandboxId = ?)", arguments: [id]) ?? -1)
        }
        #expect(counts.0 == 0 && counts.1 == 0)
        #expect(counts.2 > 0, "the last three days are kept")
        var bad = SandboxSettings()
        #expect(throws: FleetError.self) { try bad.set("retentionDays", .integer(0)) }
    }
}
