import Foundation
import GRDB

/// The receiver registered for a sandbox app's webhook (through the control API).
public struct SmartcarWebhookEndpointRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smartcarWebhookEndpoint"
    public var sandboxId: String
    public var webhookId: String
    public var url: String
    public var name: String
    /// Whether the receiver answered the VERIFY challenge; only verified receivers get events.
    public var verified: Bool
    public var createdAt: Date
    public var verifiedAt: Date?

    public init(sandboxId: String, webhookId: String, url: String, name: String, verified: Bool, createdAt: Date, verifiedAt: Date?) {
        self.sandboxId = sandboxId
        self.webhookId = webhookId
        self.url = url
        self.name = name
        self.verified = verified
        self.createdAt = createdAt
        self.verifiedAt = verifiedAt
    }
}

/// One subscribed vehicle as a delivery needs it: who owns it, its state, what the app may read.
public struct SmartcarWebhookTarget: Sendable {
    public var subscriptionId: Int64
    public var vehicle: VehicleRecord
    public var owner: OwnerRecord
    public var state: VehicleState
    public var stateUpdatedAt: Date
    /// The scopes of the vehicle's connection; nil when it is no longer connected to the app.
    public var scopes: [String]?
    /// The signal bodies last delivered (code → compact JSON); nil before the first delivery.
    public var lastSignals: [String: String]?
}

/// Storage behind Smartcar webhook deliveries: the registered receiver and what each subscription last received.
public struct SmartcarWebhookStore: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    /// The receiver registered for the sandbox's app, if any.
    public func endpoint(sandboxId: String) async throws -> SmartcarWebhookEndpointRecord? {
        try await fleet.database.read { db in try SmartcarWebhookEndpointRecord.fetchOne(db, key: sandboxId) }
    }

    /// Registers (or replaces) the receiver. Every subscription starts over, so the new receiver's first
    /// event for each vehicle carries `FIRST_DELIVERY`; a verified receiver gets those at once.
    public func save(_ endpoint: SmartcarWebhookEndpointRecord) async throws {
        try await fleet.database.write { db in
            guard try SmartcarAppRecord.exists(db, key: endpoint.sandboxId) else {
                throw FleetError.notFound(kind: "sandbox", id: endpoint.sandboxId)
            }
            try endpoint.save(db)
            try Self.forgetDeliveries(sandboxId: endpoint.sandboxId, in: db)
        }
        if endpoint.verified { fleet.changes.publish(FleetChange(sandboxId: endpoint.sandboxId, vehicleIds: nil, cause: .subscription)) }
    }

    /// Removes the receiver; false when there was none.
    public func deleteEndpoint(sandboxId: String) async throws -> Bool {
        try await fleet.database.write { db in
            let deleted = try SmartcarWebhookEndpointRecord.deleteOne(db, key: sandboxId)
            try Self.forgetDeliveries(sandboxId: sandboxId, in: db)
            return deleted
        }
    }

    static func forgetDeliveries(sandboxId: String, in db: Database) throws {
        try db.execute(sql: "UPDATE smartcarWebhook SET lastSignals = NULL WHERE sandboxId = ?", arguments: [sandboxId])
    }

    /// The sandbox clock's now and the subscribed vehicles among `vehicleIds` (all when nil), oldest subscription first.
    public func targets(sandboxId: String, webhookId: String, vehicleIds: [Int64]?) async throws -> (now: Date, targets: [SmartcarWebhookTarget])? {
        try await fleet.database.read { db in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { return nil }
            var request = SmartcarWebhookRecord.filter(Column("sandboxId") == sandboxId && Column("webhookId") == webhookId)
            if let vehicleIds { request = request.filter(vehicleIds.contains(Column("vehicleId"))) }
            let subscriptions = try request.order(Column("id")).fetchAll(db)
            let snapshots = try Fleet.snapshots(VehicleRecord.filter(subscriptions.map(\.vehicleId).contains(Column("id"))), in: db)
            let byVehicle = Dictionary(uniqueKeysWithValues: snapshots.compactMap { s in s.vehicle.id.map { ($0, s) } })
            var targets: [SmartcarWebhookTarget] = []
            for subscription in subscriptions {
                guard let id = subscription.id, let snapshot = byVehicle[subscription.vehicleId] else { continue }
                let connection = try SmartcarConnectionRecord.filter(Column("vehicleId") == subscription.vehicleId).fetchOne(db)
                let last = subscription.lastSignals.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
                targets.append(SmartcarWebhookTarget(subscriptionId: id, vehicle: snapshot.vehicle, owner: snapshot.owner, state: snapshot.state,
                                                     stateUpdatedAt: snapshot.updatedAt, scopes: connection?.scopes, lastSignals: last))
            }
            return (sandbox.clock.now(), targets)
        }
    }

    /// Remembers what a subscription was last sent (code → compact JSON body).
    public func recordDelivered(subscriptionId: Int64, signals: [String: String]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(signals), as: UTF8.self)
        try await fleet.database.write { db in
            try db.execute(sql: "UPDATE smartcarWebhook SET lastSignals = ? WHERE id = ?", arguments: [text, subscriptionId])
        }
    }
}
