import Foundation
import GRDB

/// DIMO's privileges by id, with the permission strings the vehicle JWT carries.
public enum DIMOPrivilege {
    public static let names: [Int: String] = [
        1: "privilege:GetNonLocationHistory", 2: "privilege:ExecuteCommands", 3: "privilege:GetCurrentLocation",
        4: "privilege:GetLocationHistory", 5: "privilege:GetVINCredential", 6: "privilege:GetLiveData",
        7: "privilege:GetRawData", 8: "privilege:GetApproximateLocation",
    ]

    /// The SACD permission bits for privilege ids: privilege i sets bits 2i and 2i+1.
    public static func mask(_ ids: [Int]) -> [UInt8] {
        var bits = [UInt8](repeating: 0, count: 32)  // 256 bits, little-endian bytes
        for id in ids where id >= 0 && id < 128 {
            for bit in [2 * id, 2 * id + 1] { bits[bit / 8] |= 1 << UInt8(bit % 8) }
        }
        return bits
    }

    /// `0x` + lowercase hex without padding, as Identity renders SACD permissions.
    public static func hex(_ ids: [Int]) -> String {
        let bytes = mask(ids)
        var hex = Hex.encode(bytes.reversed())
        while hex.hasPrefix("0"), hex.count > 1 { hex.removeFirst() }
        return "0x" + hex
    }

    /// The privilege ids whose two bits are both set in a permissions hex.
    public static func ids(fromHex text: String) -> [Int] {
        var body = text.lowercased()
        if body.hasPrefix("0x") { body.removeFirst(2) }
        if body.count % 2 == 1 { body = "0" + body }
        guard let bytes = Hex.decode(body) else { return [] }
        let little = Array(bytes.reversed())
        func bit(_ n: Int) -> Bool { n / 8 < little.count && little[n / 8] & (1 << UInt8(n % 8)) != 0 }
        return (0..<128).filter { bit(2 * $0) && bit(2 * $0 + 1) }
    }
}

public struct DIMOChallengeRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dimoChallenge"
    public var state: String
    public var sandboxId: String
    public var clientId: String
    public var domain: String
    public var address: String
    public var challenge: String
    public var createdAt: Date
    public var usedAt: Date?

    public init(state: String, sandboxId: String, clientId: String, domain: String, address: String, challenge: String, createdAt: Date, usedAt: Date? = nil) {
        self.state = state
        self.sandboxId = sandboxId
        self.clientId = clientId
        self.domain = domain
        self.address = address
        self.challenge = challenge
        self.createdAt = createdAt
        self.usedAt = usedAt
    }
}

public struct DIMOSacdRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "dimoSacd"
    public var id: Int64?
    public var sandboxId: String
    public var vehicleId: Int64
    public var grantee: String
    public var permissions: String
    public var source: String
    public var createdAt: Date
    public var expiresAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct DIMOAttestationRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "dimoAttestation"
    public var id: Int64?
    public var sandboxId: String
    public var vehicleId: Int64
    public var kind: String
    public var payload: String
    public var createdAt: Date

    public init(sandboxId: String, vehicleId: Int64, kind: String, payload: String, createdAt: Date) {
        self.sandboxId = sandboxId
        self.vehicleId = vehicleId
        self.kind = kind
        self.payload = payload
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct SigningKeyRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "signingKey"
    public var issuer: String
    public var kid: String
    public var privateKeyDER: Data
}

/// DIMO's world: web3 challenges, SACD shares, attestations; vehicles found by token id.
public struct DIMOAccess: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    var database: any DatabaseWriter { fleet.database }

    /// The license with this client id (any case) and its sandbox.
    public func license(clientId: String) async throws -> (DIMOLicenseRecord, SandboxRecord)? {
        try await database.read { db in
            guard let license = try DIMOLicenseRecord.filter(sql: "lower(clientId) = lower(?)", arguments: [clientId]).fetchOne(db),
                  let sandbox = try SandboxRecord.fetchOne(db, key: license.sandboxId) else { return nil }
            return (license, sandbox)
        }
    }

    public func license(alias: String) async throws -> (DIMOLicenseRecord, SandboxRecord)? {
        try await database.read { db in
            guard let license = try DIMOLicenseRecord.filter(Column("alias") == alias).fetchOne(db),
                  let sandbox = try SandboxRecord.fetchOne(db, key: license.sandboxId) else { return nil }
            return (license, sandbox)
        }
    }

    public func license(tokenId: Int64) async throws -> (DIMOLicenseRecord, SandboxRecord)? {
        try await database.read { db in
            guard let license = try DIMOLicenseRecord.filter(Column("tokenId") == tokenId).fetchOne(db),
                  let sandbox = try SandboxRecord.fetchOne(db, key: license.sandboxId) else { return nil }
            return (license, sandbox)
        }
    }

    public func licenseAndSandbox(sandboxId: String) async throws -> (DIMOLicenseRecord, SandboxRecord)? {
        try await database.read { db in
            guard let license = try DIMOLicenseRecord.fetchOne(db, key: sandboxId),
                  let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { return nil }
            return (license, sandbox)
        }
    }

    public func license(sandboxId: String) async throws -> DIMOLicenseRecord? {
        try await database.read { db in try DIMOLicenseRecord.fetchOne(db, key: sandboxId) }
    }

    public func saveChallenge(_ record: DIMOChallengeRecord) async throws {
        try await database.write { db in try record.insert(db) }
    }

    /// A challenge by state; nil when unknown or already used.
    public func challenge(state: String) async throws -> DIMOChallengeRecord? {
        try await database.read { db in
            guard let record = try DIMOChallengeRecord.fetchOne(db, key: state), record.usedAt == nil else { return nil }
            return record
        }
    }

    /// Marks a challenge used; false when it was already used (a race lost).
    public func consumeChallenge(state: String, at date: Date) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "UPDATE dimoChallenge SET usedAt = ? WHERE state = ? AND usedAt IS NULL", arguments: [date.epochMillis, state])
            return db.changesCount == 1
        }
    }

    /// A vehicle by its DIMO token id, with owner and state.
    public func vehicle(tokenId: Int64) async throws -> VehicleSnapshot? {
        try await database.read { db in
            try Fleet.snapshot(dimoTokenId: tokenId, in: db)
        }
    }

    /// Vehicles of one sandbox with their owners, newest token id first, without reading their states:
    /// what Identity's listings, device definitions and Login with DIMO answer from.
    public func registrations(sandboxId: String) async throws -> [VehicleRegistration] {
        try await database.read { db in
            let vehicles = try VehicleRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM vehicle WHERE sandboxId = ? ORDER BY dimoTokenId DESC"),
                                                      arguments: [sandboxId])
            let owners = try OwnerRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM owner WHERE id IN (SELECT ownerId FROM vehicle WHERE sandboxId = ?)"),
                                                  arguments: [sandboxId])
            let ownerById = Dictionary(owners.compactMap { owner in owner.id.map { ($0, owner) } }, uniquingKeysWith: { first, _ in first })
            return vehicles.compactMap { vehicle in ownerById[vehicle.ownerId].map { VehicleRegistration(vehicle: vehicle, owner: $0) } }
        }
    }

    /// Vehicles of one sandbox, newest token id first.
    public func vehicles(sandboxId: String) async throws -> [VehicleSnapshot] {
        try await database.read { db in
            try Fleet.snapshots(VehicleRecord.filter(Column("sandboxId") == sandboxId), in: db).sorted { $0.vehicle.dimoTokenId > $1.vehicle.dimoTokenId }
        }
    }

    /// The owner with this email (any case) in a sandbox: who logs in to Login with DIMO.
    public func owner(sandboxId: String, email: String) async throws -> OwnerRecord? {
        try await database.read { db in
            try OwnerRecord.filter(Column("sandboxId") == sandboxId).filter(sql: "lower(email) = lower(?)", arguments: [email]).fetchOne(db)
        }
    }

    /// The owners of vehicles share them with a grantee (an SACD), replacing earlier shares to that grantee.
    public func share(sandboxId: String, tokenIds: [Int64], grantee: String, privileges: [Int], expiresAt: Date?) async throws -> [DIMOSacdRecord] {
        try await database.write { db in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            let now = sandbox.clock.now()
            var out: [DIMOSacdRecord] = []
            for tokenId in tokenIds {
                guard let vehicle = try VehicleRecord.filter(Column("dimoTokenId") == tokenId && Column("sandboxId") == sandboxId).fetchOne(db),
                      let vehicleId = vehicle.id else {
                    throw FleetError.invalid(field: "vehicles", reason: "no vehicle with token id \(tokenId) in sandbox \(sandboxId)")
                }
                var record = DIMOSacdRecord(id: nil, sandboxId: sandboxId, vehicleId: vehicleId, grantee: grantee,
                                            permissions: DIMOPrivilege.hex(privileges),
                                            source: "ipfs://fleetmock-\(Keccak256Hex.short("\(tokenId):\(grantee):\(now.timeIntervalSince1970)"))",
                                            createdAt: now, expiresAt: expiresAt ?? now.addingTimeInterval(365 * 86400))
                try record.insert(db)
                out.append(record)
            }
            return out
        }
    }

    /// Unexpired SACDs of a vehicle, newest first.
    public func sacds(vehicleId: Int64, at now: Date) async throws -> [DIMOSacdRecord] {
        try await database.read { db in
            try DIMOSacdRecord.filter(Column("vehicleId") == vehicleId).filter(Column("expiresAt") > now.epochMillis)
                .order(Column("createdAt").desc, Column("grantee")).fetchAll(db)
        }
    }

    public func addAttestation(_ record: DIMOAttestationRecord) async throws {
        try await database.write { db in
            var copy = record
            try copy.insert(db)
        }
    }

    /// The newest attestation of a kind for a vehicle.
    public func latestAttestation(vehicleId: Int64, kind: String) async throws -> DIMOAttestationRecord? {
        try await database.read { db in
            try DIMOAttestationRecord.filter(Column("vehicleId") == vehicleId && Column("kind") == kind)
                .order(Column("createdAt").desc, Column("id").desc).fetchOne(db)
        }
    }

    /// The signing key of an issuer, created on first use by `make`.
    public func signingKey(issuer: String, make: @Sendable () throws -> (kid: String, der: Data)) async throws -> SigningKeyRecord {
        try await database.write { db in
            if let existing = try SigningKeyRecord.fetchOne(db, key: issuer) { return existing }
            let (kid, der) = try make()
            let record = SigningKeyRecord(issuer: issuer, kid: kid, privateKeyDER: der)
            try record.insert(db)
            return record
        }
    }
}

enum Keccak256Hex {
    static func short(_ text: String) -> String { String(Hex.encode(Keccak256.hash(text)).prefix(16)) }
}
