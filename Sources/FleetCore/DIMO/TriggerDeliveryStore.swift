import Foundation
import GRDB

/// One value a trigger's condition looks at: a signal sample or a vehicle event.
public struct TriggerReading: Sendable, Equatable {
    public var timestamp: Date
    public var valueNumber: Double?
    public var valueString: String?
    public var latitude: Double?
    public var longitude: Double?
    /// Events only.
    public var durationNs: Int64?
    public var metadata: String?

    public init(timestamp: Date, valueNumber: Double? = nil, valueString: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
                durationNs: Int64? = nil, metadata: String? = nil) {
        self.timestamp = timestamp
        self.valueNumber = valueNumber
        self.valueString = valueString
        self.latitude = latitude
        self.longitude = longitude
        self.durationNs = durationNs
        self.metadata = metadata
    }
}

/// An enabled webhook and one vehicle subscribed to it, with what its deliveries so far left behind.
public struct TriggerSubscriptionState: Sendable {
    public var webhook: DIMOWebhookRecord
    public var vehicleId: Int64
    public var assetDID: String
    /// Readings after this time are new.
    public var evaluatedSince: Date
    public var lastFiredAt: Date?
    /// The reading it last fired with (the condition's `previous…` values); nil before the first fire.
    public var lastFired: TriggerReading?
}

/// Storage behind DIMO vehicle-trigger deliveries: which subscriptions to evaluate, the readings since their last
/// evaluation, and the fire and failure bookkeeping.
public struct TriggerDeliveryStore: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    /// The sandbox clock's now and the subscriptions of enabled webhooks for `vehicleIds` (all when nil).
    public func subscriptions(sandboxId: String, vehicleIds: [Int64]?) async throws -> (now: Date, states: [TriggerSubscriptionState])? {
        try await fleet.database.read { db in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { return nil }
            let hooks = try DIMOWebhookRecord.filter(Column("sandboxId") == sandboxId && Column("status") == "enabled").fetchAll(db)
            guard !hooks.isEmpty else { return (sandbox.clock.now(), []) }
            let byId = Dictionary(uniqueKeysWithValues: hooks.map { ($0.id, $0) })
            var sql = """
                SELECT webhookId, vehicleId, assetDID, createdAt, evaluatedUntil, lastFiredAt, lastValueNumber, lastValueString, lastLatitude, lastLongitude
                FROM dimoWebhookSubscription WHERE webhookId IN (\(hooks.map { _ in "?" }.joined(separator: ",")))
                """
            var arguments = StatementArguments(hooks.map(\.id))
            if let vehicleIds {
                guard !vehicleIds.isEmpty else { return (sandbox.clock.now(), []) }
                sql += " AND vehicleId IN (\(vehicleIds.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(vehicleIds)
            }
            sql += " ORDER BY createdAt, webhookId"
            let states = try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> TriggerSubscriptionState? in
                guard let hook = byId[row["webhookId"]] else { return nil }
                let created = Date(epochMillis: row["createdAt"])
                let firedAt = row.epochMillis("lastFiredAt")
                let last = firedAt.map { TriggerReading(timestamp: $0, valueNumber: row["lastValueNumber"], valueString: row["lastValueString"],
                                                        latitude: row["lastLatitude"], longitude: row["lastLongitude"]) }
                return TriggerSubscriptionState(webhook: hook, vehicleId: row["vehicleId"], assetDID: row["assetDID"],
                                                evaluatedSince: row.epochMillis("evaluatedUntil") ?? created, lastFiredAt: firedAt, lastFired: last)
            }
            return (sandbox.clock.now(), states)
        }
    }

    /// A signal's samples in `(after, through]`, oldest first, at most `limit`. The legacy latitude/longitude
    /// signals read the stored location fixes.
    public func signalReadings(vehicleId: Int64, signal: String, after: Date, through: Date, limit: Int) async throws -> [TriggerReading] {
        let (stored, component) = TelemetrySignals.storage(of: signal)
        let samples = try await fleet.database.read { db in
            try TelemetrySignals.samples(vehicleId: vehicleId, stored: stored, timeCondition: "timestamp > ? AND timestamp <= ?",
                                         bounds: (after, through), limit: limit, in: db)
        }
        return samples.map { sample in
            var reading = TriggerReading(timestamp: sample.timestamp, valueNumber: sample.valueNumber, valueString: sample.valueString,
                                         latitude: sample.latitude, longitude: sample.longitude)
            if let component { reading.valueNumber = component ? sample.latitude : sample.longitude }
            return reading
        }
    }

    /// A vehicle's events of one name in `(after, through]`, oldest first, at most `limit`.
    public func eventReadings(vehicleId: Int64, name: String, after: Date, through: Date, limit: Int) async throws -> [TriggerReading] {
        let events = try await fleet.database.read { db in
            try VehicleEventRecord.filter(Column("vehicleId") == vehicleId && Column("name") == name)
                .filter(Column("timestamp") > after.epochMillis && Column("timestamp") <= through.epochMillis)
                .order(Column("timestamp")).limit(limit).fetchAll(db)
        }
        return events.map { TriggerReading(timestamp: $0.timestamp, durationNs: $0.durationNs, metadata: $0.metadata) }
    }

    /// Marks readings up to `until` as evaluated and, when the subscription fired, remembers the last fire.
    public func recordEvaluation(webhookId: String, vehicleId: Int64, until: Date, lastFire: TriggerReading?) async throws {
        try await fleet.database.write { db in
            if let fire = lastFire {
                try db.execute(sql: """
                    UPDATE dimoWebhookSubscription SET evaluatedUntil = ?, lastFiredAt = ?, lastValueNumber = ?, lastValueString = ?,
                    lastLatitude = ?, lastLongitude = ? WHERE webhookId = ? AND vehicleId = ?
                    """, arguments: [until.epochMillis, fire.timestamp.epochMillis, fire.valueNumber, fire.valueString, fire.latitude, fire.longitude, webhookId, vehicleId])
            } else {
                try db.execute(sql: "UPDATE dimoWebhookSubscription SET evaluatedUntil = ? WHERE webhookId = ? AND vehicleId = ?",
                               arguments: [until.epochMillis, webhookId, vehicleId])
            }
        }
    }

    /// Counts a delivery's outcome into the webhook's `failureCount`: one more after a failed delivery, 0 after a success.
    public func recordDelivery(webhookId: String, succeeded: Bool) async throws {
        try await fleet.database.write { db in
            if succeeded {
                try db.execute(sql: "UPDATE dimoWebhook SET failureCount = 0 WHERE id = ?", arguments: [webhookId])
            } else {
                try db.execute(sql: "UPDATE dimoWebhook SET failureCount = failureCount + 1 WHERE id = ?", arguments: [webhookId])
            }
        }
    }
}
