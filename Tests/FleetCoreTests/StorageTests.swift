@testable import FleetCore
import Foundation
import GRDB
import Testing

/// What deleting a sandbox gives back.
@Suite struct StorageTests {
    /// An in-memory database hands the pages of a deleted sandbox back instead of keeping them on its freelist.
    @Test func deletingASandboxShrinksAnInMemoryDatabase() async throws {
        let database = try FleetDatabase.inMemory()
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: repositoryFixtures))
        try await fleet.bootstrapDefault(historyDays: 0)
        let pages = { try await database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 } }
        let before = try await pages()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 3, historyDays: 3))
        let grown = try await pages()
        #expect(grown > before + 50, "three days of history take room")
        try await fleet.deleteSandbox(world.sandbox.id)
        #expect(try await pages() < before + (grown - before) / 10)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") } == 0)
    }
}
