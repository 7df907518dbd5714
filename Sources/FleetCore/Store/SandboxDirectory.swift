import Foundation
import GRDB
import Synchronization

/// In-memory answers to the questions every request asks: which sandbox a credential belongs to,
/// that sandbox's record, and what a Smartcar access token grants. Entries are dropped whenever a
/// transaction that changed one of the tables they come from commits (a GRDB transaction observer),
/// so a cached answer is never older than the last committed write.
///
/// A read that raced a write is not kept: every fill carries the generation it started from, and
/// a change in between bumps the generation.
public final class SandboxDirectory: TransactionObserver, Sendable {
    /// Tables whose changes drop every cached answer.
    static let watchedTables: Set<String> = [
        "sandbox", "smartcarToken", "smartcarApp", "smartcarConnection", "smartcarTestAccount",
        "dimoLicense", "vehicle", "owner",
    ]

    private struct State {
        var generation: UInt64 = 0
        var dirty = false
        var sandboxes: [String: SandboxRecord] = [:]
        var credentials: [String: String] = [:]
        var grants: [String: CachedGrant] = [:]
    }

    /// A Smartcar grant without its sandbox record (that one has its own entry).
    struct CachedGrant: Sendable {
        var token: SmartcarTokenRecord
        var owner: OwnerRecord
        var app: SmartcarAppRecord
        var vehicles: [VehicleRecord]
        var testAccount: SmartcarTestAccountRecord?
    }

    private let state = Mutex(State())
    /// Entries kept at most per map; past it a map starts again empty (load tests make many tokens).
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    // MARK: Reading and filling

    /// The generation to quote when filling after a read.
    var generation: UInt64 { state.withLock { $0.generation } }

    func sandbox(_ id: String) -> SandboxRecord? { state.withLock { $0.sandboxes[id] } }
    func sandboxId(credential key: String) -> String? { state.withLock { $0.credentials[key] } }
    func grant(_ accessToken: String) -> CachedGrant? { state.withLock { $0.grants[accessToken] } }

    func fill(sandbox: SandboxRecord, generation: UInt64) {
        store(generation) { state in Self.insert(sandbox, for: sandbox.id, into: &state.sandboxes, capacity: capacity) }
    }

    func fill(credential key: String, sandboxId: String, generation: UInt64) {
        store(generation) { state in Self.insert(sandboxId, for: key, into: &state.credentials, capacity: capacity) }
    }

    func fill(grant: CachedGrant, for accessToken: String, generation: UInt64) {
        store(generation) { state in Self.insert(grant, for: accessToken, into: &state.grants, capacity: capacity) }
    }

    private func store(_ generation: UInt64, _ body: (inout State) -> Void) {
        state.withLock { state in
            guard state.generation == generation, !state.dirty else { return }
            body(&state)
        }
    }

    private static func insert<Value>(_ value: Value, for key: String, into map: inout [String: Value], capacity: Int) {
        if map.count >= capacity { map.removeAll(keepingCapacity: true) }
        map[key] = value
    }

    /// Drops everything (used after writes made outside a transaction observer's sight, and by tests).
    public func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.sandboxes.removeAll()
            state.credentials.removeAll()
            state.grants.removeAll()
        }
    }

    // MARK: TransactionObserver

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.watchedTables.contains(eventKind.tableName)
    }

    public func databaseDidChange(with event: DatabaseEvent) {
        state.withLock { state in
            state.dirty = true
            state.generation &+= 1
        }
    }

    public func databaseDidCommit(_ db: Database) {
        let changed = state.withLock { $0.dirty }
        guard changed else { return }
        invalidate()
        state.withLock { $0.dirty = false }
    }

    public func databaseDidRollback(_ db: Database) {
        // Rolled-back changes leave the committed data as it was; entries stay valid but fills in
        // flight during the transaction were refused, which is harmless.
        state.withLock { $0.dirty = false }
    }
}
