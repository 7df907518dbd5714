import Foundation
import GRDB
import Synchronization

/// In-memory answers to the questions every request asks: which sandbox a credential belongs to,
/// that sandbox's record, what a Smartcar access token grants, and a vehicle's current state and plan.
/// Entries are dropped whenever a transaction that changed one of the tables they come from commits (a
/// GRDB transaction observer), so a cached answer is never older than the last committed write.
///
/// Two groups are invalidated separately, so that the simulation writing states every simulated
/// minute does not drop the credentials: `access` (sandboxes, credentials, grants) and `readings`
/// (vehicle states and plans). A read that raced a write is not kept: every fill carries the
/// generation of its group from before the read, and a change in between bumps it.
public final class SandboxDirectory: TransactionObserver, Sendable {
    enum Group: CaseIterable {
        case access, readings

        /// The tables whose changes drop the group.
        var tables: Set<String> {
            switch self {
            case .access:
                ["sandbox", "smartcarToken", "smartcarApp", "smartcarConnection", "smartcarTestAccount", "dimoLicense", "vehicle", "owner"]
            case .readings:
                ["vehicleState", "vehiclePlan", "vehicle", "sandbox"]
            }
        }
    }

    private struct State {
        var generations: [Group: UInt64] = [.access: 0, .readings: 0]
        var dirty: Set<Group> = []
        var sandboxes: [String: SandboxRecord] = [:]
        var credentials: [RequestCredential.CacheKey: String] = [:]
        var grants: [String: CachedGrant] = [:]
        var readings: [Int64: CachedReading] = [:]

        mutating func drop(_ group: Group) {
            generations[group, default: 0] &+= 1
            switch group {
            case .access:
                sandboxes.removeAll()
                credentials.removeAll()
                grants.removeAll()
            case .readings:
                readings.removeAll()
            }
        }
    }

    /// A Smartcar grant without its sandbox record (that one has its own entry). Immutable and shared:
    /// a lookup hands out a reference, not a copy of every record in it.
    final class CachedGrant: Sendable {
        let token: SmartcarTokenRecord
        let owner: OwnerRecord
        let app: SmartcarAppRecord
        let vehicles: [VehicleRecord]
        let testAccount: SmartcarTestAccountRecord?

        init(token: SmartcarTokenRecord, owner: OwnerRecord, app: SmartcarAppRecord, vehicles: [VehicleRecord],
             testAccount: SmartcarTestAccountRecord?) {
            self.token = token
            self.owner = owner
            self.app = app
            self.vehicles = vehicles
            self.testAccount = testAccount
        }
    }

    /// A vehicle's stored state and plan, as one data read needs them (shared, like ``CachedGrant``).
    final class CachedReading: Sendable {
        let state: VehicleStateRecord
        let plan: VehiclePlan?

        init(state: VehicleStateRecord, plan: VehiclePlan?) {
            self.state = state
            self.plan = plan
        }
    }

    private let state = Mutex(State())
    /// Entries kept at most per map; past it a map starts again empty (load tests make many tokens).
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    // MARK: Reading and filling

    /// The generation of a group to quote when filling after a read.
    func generation(_ group: Group) -> UInt64 { state.withLock { $0.generations[group] ?? 0 } }

    func sandbox(_ id: String) -> SandboxRecord? { state.withLock { $0.sandboxes[id] } }
    func sandboxId(credential key: RequestCredential.CacheKey) -> String? { state.withLock { $0.credentials[key] } }
    func grant(_ accessToken: String) -> CachedGrant? { state.withLock { $0.grants[accessToken] } }
    func reading(_ vehicleId: Int64) -> CachedReading? { state.withLock { $0.readings[vehicleId] } }

    func fill(sandbox: SandboxRecord, generation: UInt64) {
        store(.access, generation) { Self.insert(sandbox, for: sandbox.id, into: &$0.sandboxes, capacity: capacity) }
    }

    func fill(credential key: RequestCredential.CacheKey, sandboxId: String, generation: UInt64) {
        store(.access, generation) { Self.insert(sandboxId, for: key, into: &$0.credentials, capacity: capacity) }
    }

    func fill(grant: CachedGrant, for accessToken: String, generation: UInt64) {
        store(.access, generation) { Self.insert(grant, for: accessToken, into: &$0.grants, capacity: capacity) }
    }

    func fill(reading: CachedReading, for vehicleId: Int64, generation: UInt64) {
        store(.readings, generation) { state in
            if state.readings.count >= capacity { state.readings.removeAll(keepingCapacity: true) }
            state.readings[vehicleId] = reading
        }
    }

    private func store(_ group: Group, _ generation: UInt64, _ body: (inout State) -> Void) {
        state.withLock { state in
            guard state.generations[group] == generation, !state.dirty.contains(group) else { return }
            body(&state)
        }
    }

    private static func insert<Key: Hashable, Value>(_ value: Value, for key: Key, into map: inout [Key: Value], capacity: Int) {
        if map.count >= capacity { map.removeAll(keepingCapacity: true) }
        map[key] = value
    }

    // MARK: TransactionObserver

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Group.allCases.contains { $0.tables.contains(eventKind.tableName) }
    }

    public func databaseDidChange(with event: DatabaseEvent) {
        let table = event.tableName
        state.withLock { state in
            for group in Group.allCases where group.tables.contains(table) {
                state.dirty.insert(group)
                state.generations[group, default: 0] &+= 1
            }
        }
    }

    public func databaseDidCommit(_ db: Database) {
        state.withLock { state in
            for group in state.dirty { state.drop(group) }
            state.dirty.removeAll()
        }
    }

    public func databaseDidRollback(_ db: Database) {
        // The committed data is as it was, so entries stay valid; fills refused meanwhile are harmless.
        state.withLock { $0.dirty.removeAll() }
    }
}
