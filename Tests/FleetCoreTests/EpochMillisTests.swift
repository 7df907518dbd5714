@testable import FleetCore
import Foundation
import GRDB
import Testing

/// Instants are stored as integer epoch milliseconds (issue 11).
@Suite struct EpochMillisTests {
    /// Every (table, column) of the schema declared DATETIME.
    static func datetimeColumns(_ db: Database) throws -> [(String, String)] {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%'")
        return try tables.flatMap { table in
            try db.columns(in: table).filter { $0.type.uppercased() == "DATETIME" }.map { (table, $0.name) }
        }
    }

    /// Rounding, not flooring: `…567.123` is `…567122.99…` in binary, and must stay `…567123`.
    @Test(arguments: [Int64(1_781_234_567_123), 1_772_366_400_001, 0, -1, 4_102_444_800_999])
    func wholeMillisecondsRoundTrip(millis: Int64) {
        let date = Date(epochMillis: millis)
        #expect(date.epochMillis == millis)
        #expect(date.wholeMillisecond == date)
        #expect(Date(timeIntervalSince1970: Double(millis) / 1000).epochMillis == millis)
    }

    @Test func theVirtualClockAnswersWholeMilliseconds() {
        let real = Date(timeIntervalSince1970: 1_781_234_567.123_456)
        let clock = VirtualClock(realAnchor: real, virtualAnchor: real, scale: 1)
        let now = clock.now(real: real.addingTimeInterval(0.000_7))
        #expect(now.epochMillis == 1_781_234_567_124)
        #expect(now == Date(epochMillis: 1_781_234_567_124))
    }

    /// A database written before the integer migration (GRDB's "yyyy-MM-dd HH:mm:ss.SSS" text columns,
    /// fractional milliseconds in JSON) opens, converts, and reads back the same instants.
    @Test func olderTextColumnsAreConverted() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v13 sandbox start")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO sandbox (id, seed, createdAt, seedDocument, clock, settings, simulatedUntil, startAt)
                VALUES ('old', 7, '2026-03-01 12:00:00.123', '{}',
                        '{"realAnchor":1772366400123.0,"scale":0,"virtualAnchor":1772366400122.9998}', '{}', '2026-03-01 12:30:00', NULL)
                """)
            try db.execute(sql: """
                INSERT INTO dimoChallenge (state, sandboxId, clientId, domain, address, challenge, createdAt, usedAt)
                VALUES ('s', 'old', 'c', 'd', 'a', 'x', '1999-12-31 23:59:59.999', NULL)
                """)
        }
        try Migrations.migrator.migrate(queue)
        try queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT typeof(createdAt) AS kind, createdAt, simulatedUntil, startAt FROM sandbox"))
            #expect(row["kind"] as String == "integer")
            #expect(row["createdAt"] as Int64 == 1_772_366_400_123)
            #expect(row["simulatedUntil"] as Int64 == 1_772_368_200_000)
            #expect(row["startAt"] as Int64? == nil)
            #expect(try Int64.fetchOne(db, sql: "SELECT createdAt FROM dimoChallenge") == 946_684_799_999)

            let sandbox = try #require(try SandboxRecord.fetchOne(db, key: "old"))
            #expect(sandbox.createdAt == Date(epochMillis: 1_772_366_400_123))
            #expect(sandbox.simulatedUntil == Date(epochMillis: 1_772_368_200_000))
            #expect(sandbox.clock.virtualAnchor == Date(epochMillis: 1_772_366_400_123))
            #expect(sandbox.clock.now() == Date(epochMillis: 1_772_366_400_123))
            // No DATETIME column anywhere still holds text.
            for (table, column) in try Self.datetimeColumns(db) {
                let texts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier) WHERE typeof(\(column.quotedDatabaseIdentifier)) = 'text'")
                #expect(texts == 0, "\(table).\(column)")
            }
        }
    }

    /// A fleet writes integers everywhere: every DATETIME column of a freshly made sandbox with history.
    @Test func aNewSandboxStoresOnlyIntegers() async throws {
        let database = try FleetDatabase.inMemory()
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: repositoryFixtures))
        try await fleet.bootstrapDefault(historyDays: 2)
        try await database.read { db in
            var checked = 0
            for (table, column) in try Self.datetimeColumns(db) {
                let other = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)
                    WHERE \(column.quotedDatabaseIdentifier) IS NOT NULL AND typeof(\(column.quotedDatabaseIdentifier)) != 'integer'
                    """)
                #expect(other == 0, "\(table).\(column)")
                checked += try Int.fetchOne(db, sql: "SELECT COUNT(\(column.quotedDatabaseIdentifier)) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            }
            #expect(checked > 1000, "history was written")
        }
    }
}
