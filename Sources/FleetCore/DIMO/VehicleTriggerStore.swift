import Foundation
import GRDB

/// A webhook (trigger) of DIMO's Vehicle Triggers API, owned by a sandbox's developer license.
public struct DIMOWebhookRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dimoWebhook"
    /// A lower-case UUID.
    public var id: String
    public var sandboxId: String
    /// The license (its client id) that registered the webhook.
    public var clientId: String
    /// `signals` or `events`.
    public var service: String
    /// `vss.<signal>` for signals, `<category>.<event>` (e.g. `behavior.harshBraking`) for events.
    public var metricName: String
    /// A CEL expression.
    public var condition: String
    public var targetURL: String
    /// Minimum seconds between firings.
    public var coolDownPeriod: Int64
    /// `enabled` or `disabled` (upstream also knows `failed`).
    public var status: String
    public var description: String
    /// Unique per license; the id when none was given.
    public var displayName: String
    public var verificationToken: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Consecutive delivery failures; an update resets it.
    public var failureCount: Int64

    public init(id: String, sandboxId: String, clientId: String, service: String, metricName: String, condition: String,
                targetURL: String, coolDownPeriod: Int64, status: String, description: String, displayName: String,
                verificationToken: String, createdAt: Date, updatedAt: Date, failureCount: Int64 = 0) {
        self.id = id
        self.sandboxId = sandboxId
        self.clientId = clientId
        self.service = service
        self.metricName = metricName
        self.condition = condition
        self.targetURL = targetURL
        self.coolDownPeriod = coolDownPeriod
        self.status = status
        self.description = description
        self.displayName = displayName
        self.verificationToken = verificationToken
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.failureCount = failureCount
    }
}

/// A vehicle subscribed to a webhook, with the asset DID it was subscribed by (canonical form).
public struct DIMOWebhookSubscriptionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dimoWebhookSubscription"
    public var webhookId: String
    public var vehicleId: Int64
    /// `did:erc721:<chain>:<checksummed contract>:<token id>`.
    public var assetDID: String
    public var createdAt: Date

    public init(webhookId: String, vehicleId: Int64, assetDID: String, createdAt: Date) {
        self.webhookId = webhookId
        self.vehicleId = vehicleId
        self.assetDID = assetDID
        self.createdAt = createdAt
    }
}

/// Why a trigger write was refused.
public enum VehicleTriggerStoreError: Error, Equatable, Sendable {
    /// Another webhook of the same license has this display name.
    case duplicateDisplayName
    /// The vehicle is already subscribed to the webhook.
    case alreadySubscribed
}

/// Storage of the Vehicle Triggers API: webhooks per sandbox and license, and their vehicle subscriptions.
/// No HTTP here; validation of the API's fields is the caller's.
public struct VehicleTriggerStore: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    var database: any DatabaseWriter { fleet.database }

    // MARK: Webhooks

    /// A license's webhooks, ordered by id (as upstream lists them).
    public func webhooks(sandboxId: String, clientId: String) async throws -> [DIMOWebhookRecord] {
        try await database.read { db in
            try DIMOWebhookRecord.filter(Column("sandboxId") == sandboxId)
                .filter(sql: "lower(clientId) = lower(?)", arguments: [clientId])
                .order(Column("id")).fetchAll(db)
        }
    }

    /// One webhook of a license; nil when there is none with this id or another license owns it.
    public func webhook(id: String, sandboxId: String, clientId: String) async throws -> DIMOWebhookRecord? {
        try await database.read { db in
            guard let record = try DIMOWebhookRecord.fetchOne(db, key: id), record.sandboxId == sandboxId,
                  record.clientId.lowercased() == clientId.lowercased() else { return nil }
            return record
        }
    }

    /// Inserts a webhook; throws `duplicateDisplayName` when the license already uses its display name.
    public func create(_ record: DIMOWebhookRecord) async throws {
        try await database.write { db in
            if try Self.displayNameTaken(record, in: db) { throw VehicleTriggerStoreError.duplicateDisplayName }
            try record.insert(db)
        }
    }

    /// Saves a changed webhook; false when it no longer exists. Throws `duplicateDisplayName` as `create` does.
    public func update(_ record: DIMOWebhookRecord) async throws -> Bool {
        try await database.write { db in
            guard try DIMOWebhookRecord.fetchOne(db, key: record.id) != nil else { return false }
            if try Self.displayNameTaken(record, in: db) { throw VehicleTriggerStoreError.duplicateDisplayName }
            try record.update(db)
            return true
        }
    }

    /// Deletes a webhook and (by cascade) its subscriptions; false when there was none.
    public func delete(id: String) async throws -> Bool {
        try await database.write { db in try DIMOWebhookRecord.deleteOne(db, key: id) }
    }

    static func displayNameTaken(_ record: DIMOWebhookRecord, in db: Database) throws -> Bool {
        try DIMOWebhookRecord.filter(Column("sandboxId") == record.sandboxId && Column("displayName") == record.displayName && Column("id") != record.id)
            .filter(sql: "lower(clientId) = lower(?)", arguments: [record.clientId])
            .fetchCount(db) > 0
    }

    // MARK: Subscriptions

    /// Subscribes a vehicle; throws `alreadySubscribed` when it is.
    public func subscribe(webhookId: String, vehicleId: Int64, assetDID: String, at date: Date) async throws {
        try await database.write { db in
            let existing = try DIMOWebhookSubscriptionRecord.filter(Column("webhookId") == webhookId && Column("vehicleId") == vehicleId).fetchCount(db)
            if existing > 0 { throw VehicleTriggerStoreError.alreadySubscribed }
            try DIMOWebhookSubscriptionRecord(webhookId: webhookId, vehicleId: vehicleId, assetDID: assetDID, createdAt: date).insert(db)
        }
    }

    /// Removes the subscriptions of an asset DID; the number removed.
    @discardableResult
    public func unsubscribe(webhookId: String, assetDID: String) async throws -> Int {
        try await database.write { db in
            try DIMOWebhookSubscriptionRecord.filter(Column("webhookId") == webhookId && Column("assetDID") == assetDID).deleteAll(db)
        }
    }

    /// Removes every subscription of a webhook; the number removed.
    public func unsubscribeAll(webhookId: String) async throws -> Int {
        try await database.write { db in
            try DIMOWebhookSubscriptionRecord.filter(Column("webhookId") == webhookId).deleteAll(db)
        }
    }

    /// A webhook's subscriptions, oldest first.
    public func subscriptions(webhookId: String) async throws -> [DIMOWebhookSubscriptionRecord] {
        try await database.read { db in
            try DIMOWebhookSubscriptionRecord.filter(Column("webhookId") == webhookId)
                .order(Column("createdAt"), Column.rowID).fetchAll(db)
        }
    }

    /// The subscriptions of one asset DID to a license's webhooks, oldest first, each with its webhook.
    public func subscriptions(sandboxId: String, clientId: String, assetDID: String) async throws
        -> [(subscription: DIMOWebhookSubscriptionRecord, webhook: DIMOWebhookRecord)] {
        try await database.read { db in
            let hooks = try DIMOWebhookRecord.filter(Column("sandboxId") == sandboxId)
                .filter(sql: "lower(clientId) = lower(?)", arguments: [clientId]).fetchAll(db)
            var byId: [String: DIMOWebhookRecord] = [:]
            for hook in hooks { byId[hook.id] = hook }
            let ids = hooks.map(\.id)
            let subs = try DIMOWebhookSubscriptionRecord.filter(Column("assetDID") == assetDID)
                .filter(ids.contains(Column("webhookId")))
                .order(Column("createdAt"), Column.rowID).fetchAll(db)
            var out: [(subscription: DIMOWebhookSubscriptionRecord, webhook: DIMOWebhookRecord)] = []
            for sub in subs {
                if let hook = byId[sub.webhookId] { out.append((subscription: sub, webhook: hook)) }
            }
            return out
        }
    }

    // MARK: Shares

    /// Vehicles of a sandbox shared with a grantee by an unexpired SACD at `now`, by token id
    /// (what Identity's `vehicles(filterBy: {privileged: …})` lists for a license).
    public func sharedVehicles(sandboxId: String, grantee: String, at now: Date) async throws -> [(vehicleId: Int64, tokenId: Int64)] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT DISTINCT v.id AS vehicleId, v.dimoTokenId AS tokenId
                FROM vehicle v JOIN dimoSacd s ON s.vehicleId = v.id
                WHERE v.sandboxId = ? AND lower(s.grantee) = lower(?) AND s.expiresAt > ?
                ORDER BY v.dimoTokenId
                """, arguments: [sandboxId, grantee, now.epochMillis])
            var out: [(vehicleId: Int64, tokenId: Int64)] = []
            for row in rows {
                let vehicleId: Int64 = row["vehicleId"]
                let tokenId: Int64 = row["tokenId"]
                out.append((vehicleId: vehicleId, tokenId: tokenId))
            }
            return out
        }
    }
}
