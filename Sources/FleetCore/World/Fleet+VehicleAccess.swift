import Foundation
import GRDB

/// Who can reach one vehicle: its Smartcar connection and live token sets, and its DIMO permission grants.
public struct VehicleAccess: Sendable {
    /// A Smartcar token set that lists the vehicle, unrevoked and with its refresh token still usable.
    public struct SmartcarTokenSet: Sendable {
        /// The first characters of the access token, enough to tell sets apart.
        public var accessTokenPrefix: String
        public var user: String
        public var scopes: [String]
        public var mode: SmartcarMode
        public var issuedAt: Date
        public var accessExpiresAt: Date
        /// Whether the access token is expired at the sandbox's `now` (the refresh token may still work).
        public var accessExpired: Bool
    }

    public var smartcarConnection: SmartcarConnectionRecord?
    public var smartcarTokens: [SmartcarTokenSet]
    /// Unexpired SACDs, newest first.
    public var dimoGrants: [DIMOSacdRecord]
}

extension Fleet {
    /// The grants that reach a vehicle of a sandbox (by VIN or Smartcar id), at the sandbox's clock.
    public func vehicleAccess(in sandboxId: String, vin: String) async throws -> VehicleAccess {
        let snapshot = try await vehicle(in: sandboxId, vin: vin)
        guard let vehicleId = snapshot.vehicle.id else { throw FleetError.notFound(kind: "vehicle", id: vin) }
        let now = try await clock(sandboxId).now()
        return try await database.read { db in
            let connection = try SmartcarConnectionRecord.filter(Column("vehicleId") == vehicleId).fetchOne(db)
            // Token sets keep their vehicle ids as a JSON array: filter the sandbox's live sets here.
            let tokens = try SmartcarTokenRecord
                .filter(Column("sandboxId") == sandboxId && Column("revokedAt") == nil && Column("refreshExpiresAt") > now.epochMillis)
                .order(Column("issuedAt").desc).fetchAll(db)
                .filter { $0.vehicleIds.contains(vehicleId) }
            let emails = try Dictionary(OwnerRecord.filter(Column("sandboxId") == sandboxId).fetchAll(db).compactMap { owner in
                owner.id.map { ($0, owner.email) }
            }, uniquingKeysWith: { first, _ in first })
            let sets = tokens.map { token in
                VehicleAccess.SmartcarTokenSet(accessTokenPrefix: String(token.accessToken.prefix(8)), user: emails[token.ownerId] ?? "",
                                               scopes: token.scopes, mode: token.mode, issuedAt: token.issuedAt,
                                               accessExpiresAt: token.accessExpiresAt, accessExpired: now >= token.accessExpiresAt)
            }
            let grants = try DIMOSacdRecord.filter(Column("vehicleId") == vehicleId).filter(Column("expiresAt") > now.epochMillis)
                .order(Column("createdAt").desc, Column("grantee")).fetchAll(db)
            return VehicleAccess(smartcarConnection: connection, smartcarTokens: sets, dimoGrants: grants)
        }
    }
}
