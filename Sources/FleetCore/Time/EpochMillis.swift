import Foundation
import GRDB

/// Every instant fleetmock stores is an integer: milliseconds since 1970-01-01T00:00:00Z.
///
/// Both vendors speak in milliseconds at most, so that is the resolution of the virtual clock too
/// (`VirtualClock.now()` answers whole milliseconds). Dates are rounded, never floored: a whole
/// millisecond such as `…567.123` is `…567122.9999…` in binary floating point, and flooring it would
/// lose a millisecond on every round trip.
extension Date {
    /// Milliseconds since the Unix epoch, rounded to the nearest one.
    public var epochMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The instant `epochMillis` milliseconds after the Unix epoch.
    public init(epochMillis: Int64) {
        self.init(timeIntervalSince1970: Double(epochMillis) / 1000)
    }

    /// This instant rounded to the nearest millisecond: the value it has after a trip through the database.
    public var wholeMillisecond: Date { Date(epochMillis: epochMillis) }
}

/// A record whose `Date` properties are stored as integer epoch milliseconds, in its columns and inside
/// its JSON columns alike. Conforming is all a record type does; raw SQL binds `date.epochMillis`.
public protocol EpochMillisRecord: FetchableRecord, EncodableRecord {}

extension EpochMillisRecord {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { $0.epochMillis }
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { value in Int64.fromDatabaseValue(value).map(Date.init(epochMillis:)) }
    }

    public static func databaseJSONEncoder(for column: String) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dataEncodingStrategy = .base64
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.epochMillis)
        }
        encoder.nonConformingFloatEncodingStrategy = .throw
        encoder.outputFormatting = .sortedKeys
        encoder.userInfo = databaseEncodingUserInfo
        return encoder
    }

    public static func databaseJSONDecoder(for column: String) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dataDecodingStrategy = .base64
        // Documents written before the integer migration hold GRDB's fractional milliseconds: rounded here.
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(epochMillis: Int64(try decoder.singleValueContainer().decode(Double.self).rounded()))
        }
        decoder.nonConformingFloatDecodingStrategy = .throw
        decoder.userInfo = databaseDecodingUserInfo
        return decoder
    }
}

extension Row {
    /// The instant stored as epoch milliseconds in `column`, or nil when it is NULL.
    public func epochMillis(_ column: String) -> Date? {
        (self[column] as Int64?).map(Date.init(epochMillis:))
    }
}

// Every stored record keeps its instants as integer milliseconds (`Migrations` converts older text columns).
extension SandboxRecord: EpochMillisRecord {}
extension OwnerRecord: EpochMillisRecord {}
extension SmartcarAppRecord: EpochMillisRecord {}
extension DIMOLicenseRecord: EpochMillisRecord {}
extension VehicleRecord: EpochMillisRecord {}
extension VehicleStateRecord: EpochMillisRecord {}
extension TripRecord: EpochMillisRecord {}
extension VehicleEventRecord: EpochMillisRecord {}
extension VehiclePlan: EpochMillisRecord {}
extension DIMOWebhookRecord: EpochMillisRecord {}
extension DIMOWebhookSubscriptionRecord: EpochMillisRecord {}
extension DIMOAgentRecord: EpochMillisRecord {}
extension DIMOAgentMessageRecord: EpochMillisRecord {}
extension DIMOChallengeRecord: EpochMillisRecord {}
extension DIMOSacdRecord: EpochMillisRecord {}
extension DIMOAttestationRecord: EpochMillisRecord {}
extension SigningKeyRecord: EpochMillisRecord {}
extension SmartcarCodeRecord: EpochMillisRecord {}
extension SmartcarTokenRecord: EpochMillisRecord {}
extension SmartcarConnectionRecord: EpochMillisRecord {}
extension SmartcarTestAccountRecord: EpochMillisRecord {}
extension SmartcarWebhookRecord: EpochMillisRecord {}
extension SmartcarWebhookEndpointRecord: EpochMillisRecord {}
