import Foundation
import GRDB

/// Opens the SQLite database behind a fleet: a WAL `DatabasePool` on a file, or an in-memory
/// `DatabaseQueue` for tests and `--memory`. Runs the migrations either way.
public enum FleetDatabase {
    /// A file database at `path` (parent folders are created).
    public static func open(path: String) throws -> any DatabaseWriter {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        config.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: config)
        let applied = try pool.read { db in try Migrations.migrator.appliedIdentifiers(db) }
        try Migrations.migrator.migrate(pool)
        if !applied.isEmpty, !applied.contains(Migrations.compactTelemetry) {
            // An existing database just had its samples rewritten at about a quarter of their size:
            // give the pages that freed back to the file system, once.
            try pool.vacuum()
        }
        return pool
    }

    /// A private in-memory database. `trace`, when given, sees every SQL statement executed (tests
    /// count transactions with it).
    public static func inMemory(trace: (@Sendable (String) -> Void)? = nil) throws -> any DatabaseWriter {
        var config = Configuration()
        config.prepareDatabase { db in
            // The pages a deleted sandbox frees are handed back (`Fleet.deleteSandbox` runs an incremental
            // vacuum); without this an in-memory database keeps them on its freelist for as long as it lives.
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            if let trace { db.trace(options: .statement) { event in trace(event.description) } }
        }
        let queue = try DatabaseQueue(configuration: config)
        try Migrations.migrator.migrate(queue)
        return queue
    }
}
