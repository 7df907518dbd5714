import Foundation
import GRDB

/// Per-sandbox settings stored with the sandbox.
public struct SandboxSettings: Codable, Sendable, Equatable {
    /// Whether Smartcar's rate limits apply. Off by default: a local simulator that throttles would break test suites.
    public var rateLimits: Bool = false
    /// Requests per minute the application's bucket earns (Smartcar: 2).
    public var appRequestsPerMinute: Int = 2
    /// The application's bucket size (Smartcar: 120).
    public var appBurst: Int = 120
    /// Requests per minute (and at once) each vehicle may take before `RATE_LIMIT`/`VEHICLE`.
    public var vehicleRequestsPerMinute: Int = 2
    /// How many requests the journal keeps.
    public var journalSize: Int = 1000
    /// Changes whenever a rate-limit setting is set, so the buckets start full again.
    public var rateLimitGeneration: UInt64 = 0
    /// Days of telemetry samples, events and trips kept behind the sandbox clock; older ones are pruned.
    public var retentionDays: Int = 90

    public init() {}

    public static let journalSizeRange = 1...100_000
    public static let requestsPerMinuteRange = 1...100_000
    public static let burstRange = 1...1_000_000
    public static let retentionDaysRange = 1...3650

    enum CodingKeys: String, CodingKey { case rateLimits, appRequestsPerMinute, appBurst, vehicleRequestsPerMinute, journalSize, rateLimitGeneration, retentionDays }

    // Rows written before a setting existed get its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxSettings()
        rateLimits = try container.decodeIfPresent(Bool.self, forKey: .rateLimits) ?? defaults.rateLimits
        appRequestsPerMinute = try container.decodeIfPresent(Int.self, forKey: .appRequestsPerMinute) ?? defaults.appRequestsPerMinute
        appBurst = try container.decodeIfPresent(Int.self, forKey: .appBurst) ?? defaults.appBurst
        vehicleRequestsPerMinute = try container.decodeIfPresent(Int.self, forKey: .vehicleRequestsPerMinute) ?? defaults.vehicleRequestsPerMinute
        journalSize = try container.decodeIfPresent(Int.self, forKey: .journalSize) ?? defaults.journalSize
        rateLimitGeneration = try container.decodeIfPresent(UInt64.self, forKey: .rateLimitGeneration) ?? defaults.rateLimitGeneration
        retentionDays = try container.decodeIfPresent(Int.self, forKey: .retentionDays) ?? defaults.retentionDays
    }

    /// Sets one setting from its JSON value, as `PATCH …/sandboxes/{id}` names it; throws
    /// `FleetError.invalid` naming `settings.<name>` for an unknown setting or a bad value.
    public mutating func set(_ name: String, _ value: JSONValue) throws {
        func integer(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = value.intValue, range.contains(Int(clamping: number)) else {
                throw FleetError.invalid(field: "settings.\(name)", reason: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return Int(number)
        }
        switch name {
        case "rateLimits":
            guard let flag = value.boolValue else { throw FleetError.invalid(field: "settings.rateLimits", reason: "must be a boolean") }
            rateLimits = flag
        case "appRequestsPerMinute": appRequestsPerMinute = try integer(Self.requestsPerMinuteRange)
        case "appBurst": appBurst = try integer(Self.burstRange)
        case "vehicleRequestsPerMinute": vehicleRequestsPerMinute = try integer(Self.requestsPerMinuteRange)
        case "journalSize": journalSize = try integer(Self.journalSizeRange)
        case "retentionDays": retentionDays = try integer(Self.retentionDaysRange)
        default: throw FleetError.invalid(field: "settings.\(name)", reason: "unknown setting")
        }
        if name != "journalSize" && name != "retentionDays" { rateLimitGeneration = UInt64.random(in: 1...UInt64.max) }
    }
}

/// A sandbox row: a whole isolated world and its clock.
public struct SandboxRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sandbox"
    public var id: String
    /// Name of the fixture set it came from, or `nil` when generated.
    public var fixtures: String?
    public var seed: Int64
    public var createdAt: Date
    /// The materialized world a reset returns to (JSON of `FleetDocument`).
    public var seedDocument: String
    public var clock: VirtualClock
    public var settings: SandboxSettings
    /// The sandbox-clock time up to which the fleet has been simulated.
    public var simulatedUntil: Date?
    /// How it was made, for a reset to make it again: days of history, and the clock's start when one was given.
    public var historyDays: Int?
    public var startAt: Date?
    public var startFrozen: Bool?
}

public struct OwnerRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "owner"
    public var id: Int64?
    public var sandboxId: String
    public var email: String
    public var name: String
    public var smartcarUserId: String
    public var dimoAddress: String
    public var homeLatitude: Double
    public var homeLongitude: Double
    public var homeCity: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct SmartcarAppRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smartcarApp"
    public var sandboxId: String
    public var clientId: String
    public var clientSecret: String
    public var managementToken: String
    public var redirectUris: [String]
}

public struct DIMOLicenseRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dimoLicense"
    public var sandboxId: String
    public var clientId: String
    public var tokenId: Int64
    public var alias: String
    public var redirectUris: [String]
    public var signerPrivateKey: String
    public var signerAddress: String
}

public struct VehicleRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "vehicle"
    public var id: Int64?
    public var sandboxId: String
    public var ownerId: Int64
    public var vin: String
    public var smartcarId: String
    public var dimoTokenId: Int64
    public var make: String
    public var model: String
    public var year: Int
    public var powertrain: Powertrain
    public var batteryCapacityKWh: Double?
    public var fuelTankLiters: Double?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A vehicle's physical state: one row per vehicle, one column per quantity
/// (grouped corners such as doors are JSON columns).
public struct VehicleStateRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vehicleState"
    public var vehicleId: Int64
    public var updatedAt: Date
    public var state: VehicleState

    public init(vehicleId: Int64, updatedAt: Date, state: VehicleState) {
        self.vehicleId = vehicleId
        self.updatedAt = updatedAt
        self.state = state
    }

    private enum CodingKeys: String, CodingKey { case vehicleId, updatedAt }

    // The state's fields are flattened into this row's columns.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vehicleId = try container.decode(Int64.self, forKey: .vehicleId)
        updatedAt = try container.decode(Date.self, forKey: .updatedAt)
        state = try VehicleState(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vehicleId, forKey: .vehicleId)
        try container.encode(updatedAt, forKey: .updatedAt)
        try state.encode(to: encoder)
    }
}

/// A vehicle and its owner, without the state (listings that never show it need not decode it).
public struct VehicleRegistration: Sendable, Equatable {
    public var vehicle: VehicleRecord
    public var owner: OwnerRecord

    public init(vehicle: VehicleRecord, owner: OwnerRecord) {
        self.vehicle = vehicle
        self.owner = owner
    }
}

/// A vehicle joined with its owner and state: what most reads want.
public struct VehicleSnapshot: Sendable, Equatable {
    public var vehicle: VehicleRecord
    public var owner: OwnerRecord
    public var state: VehicleState
    public var updatedAt: Date
}
