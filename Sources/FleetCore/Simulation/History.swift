import Foundation
import GRDB

/// A completed drive.
public struct TripRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "trip"
    public var id: String
    public var vehicleId: Int64
    public var startTime: Date
    public var endTime: Date
    public var startLatitude: Double
    public var startLongitude: Double
    public var endLatitude: Double
    public var endLongitude: Double
    public var distanceKm: Double
}

/// Something that happened to a vehicle (ignition, charging, harsh braking, refuelling).
public struct VehicleEventRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vehicleEvent"
    public var vehicleId: Int64
    public var timestamp: Date
    public var name: String
    public var durationNs: Int64
    public var metadata: String?
}

extension Fleet {
    /// Completed trips ending at or before `now`, newest first, with the total count.
    public func trips(vehicleId: Int64, until now: Date, limit: Int, offset: Int) async throws -> (trips: [TripRecord], total: Int) {
        try await database.read { db in
            let request = TripRecord.filter(Column("vehicleId") == vehicleId && Column("endTime") <= now.epochMillis)
            let total = try request.fetchCount(db)
            let page = try request.order(Column("endTime").desc).limit(limit, offset: offset).fetchAll(db)
            return (page, total)
        }
    }

    /// Trips overlapping `[from, to)`, oldest first.
    public func trips(vehicleId: Int64, from: Date, to: Date) async throws -> [TripRecord] {
        try await database.read { db in
            try TripRecord.filter(Column("vehicleId") == vehicleId && Column("endTime") > from.epochMillis && Column("startTime") < to.epochMillis)
                .order(Column("startTime")).fetchAll(db)
        }
    }

    /// Events in `[from, to)`, oldest first.
    public func events(vehicleId: Int64, from: Date, to: Date) async throws -> [VehicleEventRecord] {
        try await database.read { db in
            try VehicleEventRecord.filter(Column("vehicleId") == vehicleId && Column("timestamp") >= from.epochMillis && Column("timestamp") < to.epochMillis)
                .order(Column("timestamp")).fetchAll(db)
        }
    }
}
