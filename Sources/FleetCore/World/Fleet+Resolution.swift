import Foundation
import GRDB

/// What a request carries that can name a sandbox, read from its headers, query and path (no HTTP
/// types here: the HTTP edge fills it in).
public struct RequestCredential: Sendable, Equatable {
    /// A sandbox named outright: the `X-Fleetmock-Sandbox` header, a `/sandbox/{id}` path prefix,
    /// or a control-API path `/__fleetmock/sandboxes/{id}`.
    public var explicitSandbox: String?
    /// A bearer token: a Smartcar access or management token, or a DIMO JWT.
    public var bearer: String?
    /// A Smartcar client id (`client_id` in the query, or HTTP Basic's user).
    public var smartcarClientId: String?
    /// A DIMO license client id (a JWT's `aud` or `ethereum_address`, else `client_id`).
    public var dimoClientId: String?
    /// A DIMO vehicle token id (a vehicle JWT's `token_id`).
    public var dimoTokenId: Int64?

    public init(explicitSandbox: String? = nil, bearer: String? = nil, smartcarClientId: String? = nil,
                dimoClientId: String? = nil, dimoTokenId: Int64? = nil) {
        self.explicitSandbox = explicitSandbox
        self.bearer = bearer
        self.smartcarClientId = smartcarClientId
        self.dimoClientId = dimoClientId
        self.dimoTokenId = dimoTokenId
    }

    /// Whether it names nothing at all.
    public var isEmpty: Bool {
        explicitSandbox == nil && bearer == nil && smartcarClientId == nil && dimoClientId == nil && dimoTokenId == nil
    }

    /// The directory's key for this combination.
    /// What the directory remembers a credential's sandbox by (the explicit sandbox aside).
    struct CacheKey: Hashable, Sendable {
        var bearer: String?
        var smartcarClientId: String?
        var dimoClientId: String?
        var dimoTokenId: Int64?
    }

    var cacheKey: CacheKey {
        CacheKey(bearer: bearer, smartcarClientId: smartcarClientId, dimoClientId: dimoClientId?.lowercased(), dimoTokenId: dimoTokenId)
    }
}

extension Fleet {
    /// A sandbox's record (from the directory when it has it; else one read).
    public func sandboxRecord(_ id: String) async throws -> SandboxRecord? {
        if let cached = directory.sandbox(id) { return cached }
        let generation = directory.generation(.access)
        let record = try await database.read { db in try SandboxRecord.fetchOne(db, key: id) }
        if let record { directory.fill(sandbox: record, generation: generation) }
        return record
    }

    /// The sandbox a request's credential belongs to, with its record; nil when it names none that exists.
    /// At most one read transaction, none when the directory knows the answer.
    public func resolveSandbox(_ credential: RequestCredential) async throws -> SandboxRecord? {
        if let explicit = credential.explicitSandbox { return try await sandboxRecord(explicit) }
        guard !credential.isEmpty else { return nil }
        let key = credential.cacheKey
        if let id = directory.sandboxId(credential: key), let record = directory.sandbox(id) { return record }
        let generation = directory.generation(.access)
        let found = try await database.read { db -> SandboxRecord? in
            guard let id = try Self.sandboxId(for: credential, in: db) else { return nil }
            return try SandboxRecord.fetchOne(db, key: id)
        }
        if let found {
            directory.fill(credential: key, sandboxId: found.id, generation: generation)
            directory.fill(sandbox: found, generation: generation)
        }
        return found
    }

    /// Which sandbox holds a credential (every credential belongs to exactly one).
    static func sandboxId(for credential: RequestCredential, in db: Database) throws -> String? {
        if let bearer = credential.bearer {
            if let id = try String.fetchOne(db.cachedStatement(sql: "SELECT sandboxId FROM smartcarToken WHERE accessToken = ?"), arguments: [bearer]) {
                return id
            }
            if let id = try String.fetchOne(db.cachedStatement(sql: "SELECT sandboxId FROM smartcarApp WHERE managementToken = ?"), arguments: [bearer]) {
                return id
            }
        }
        if let client = credential.smartcarClientId,
           let id = try String.fetchOne(db.cachedStatement(sql: "SELECT sandboxId FROM smartcarApp WHERE clientId = ?"), arguments: [client]) {
            return id
        }
        if let client = credential.dimoClientId,
           let id = try String.fetchOne(db.cachedStatement(sql: "SELECT sandboxId FROM dimoLicense WHERE lower(clientId) = lower(?)"), arguments: [client]) {
            return id
        }
        if let tokenId = credential.dimoTokenId,
           let id = try String.fetchOne(db.cachedStatement(sql: "SELECT sandboxId FROM vehicle WHERE dimoTokenId = ?"), arguments: [tokenId]) {
            return id
        }
        return nil
    }

    /// A vehicle as a data endpoint reads it: its snapshot and whether its plan has it asleep at `time`.
    /// The vehicle and owner records come from the caller (a grant holds them); the state and plan come
    /// from the directory, else from one read by primary key (statements prepared once per connection).
    public func vehicleReading(_ vehicle: VehicleRecord, owner: OwnerRecord, at time: Date) async throws -> (snapshot: VehicleSnapshot, asleep: Bool) {
        guard let vehicleId = vehicle.id else { throw FleetError.notFound(kind: "vehicle", id: vehicle.vin) }
        guard owner.id == vehicle.ownerId else {
            // Not the caller's owner: read the vehicle with its own.
            return try await database.read { db in
                guard let snapshot = try Self.snapshots(VehicleRecord.filter(key: vehicleId), in: db).first else {
                    throw FleetError.notFound(kind: "vehicle", id: vehicle.vin)
                }
                return (snapshot, try VehiclePlan.fetchOne(db, key: vehicleId)?.isAsleep(at: time) ?? false)
            }
        }
        let reading = try await cachedReading(vehicleId, vin: vehicle.vin)
        let snapshot = VehicleSnapshot(vehicle: vehicle, owner: owner, state: reading.state.state, updatedAt: reading.state.updatedAt)
        return (snapshot, reading.plan?.isAsleep(at: time) ?? false)
    }

    /// A vehicle's stored state and plan, from the directory or one read.
    func cachedReading(_ vehicleId: Int64, vin: String) async throws -> SandboxDirectory.CachedReading {
        if let cached = directory.reading(vehicleId) { return cached }
        let generation = directory.generation(.readings)
        let reading = try await database.read { db -> SandboxDirectory.CachedReading in
            guard let state = try VehicleStateRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM vehicleState WHERE vehicleId = ?"),
                                                              arguments: [vehicleId]) else {
                throw FleetError.notFound(kind: "vehicle", id: vin)
            }
            let plan = try VehiclePlan.fetchOne(db.cachedStatement(sql: "SELECT * FROM vehiclePlan WHERE vehicleId = ?"), arguments: [vehicleId])
            return SandboxDirectory.CachedReading(state: state, plan: plan)
        }
        directory.fill(reading: reading, for: vehicleId, generation: generation)
        return reading
    }
}

extension Fleet {
    /// A vehicle of a sandbox by its Smartcar id, or nil.
    public func vehicleRecord(in sandboxId: String, smartcarId: String) async throws -> VehicleRecord? {
        try await database.read { db in
            try VehicleRecord.filter(Column("smartcarId") == smartcarId && Column("sandboxId") == sandboxId).fetchOne(db)
        }
    }

    /// A vehicle of a sandbox by its VIN (any case), or nil.
    public func vehicleRecord(in sandboxId: String, vin: String) async throws -> VehicleRecord? {
        try await database.read { db in
            try VehicleRecord.filter(Column("vin") == vin.uppercased() && Column("sandboxId") == sandboxId).fetchOne(db)
        }
    }

    /// A sandbox's Smartcar application.
    public func smartcarApp(sandboxId: String) async throws -> SmartcarAppRecord? {
        try await database.read { db in try SmartcarAppRecord.fetchOne(db, key: sandboxId) }
    }

    /// The indices of the `interval`-long buckets from `from` that hold at least one telemetry sample
    /// of a vehicle before `to`, ascending. Counted in whole milliseconds by the database, so no
    /// sample lands in the wrong bucket by rounding.
    public func sampleBuckets(vehicleId: Int64, from: Date, to: Date, interval: TimeInterval) async throws -> [Int64] {
        let fromMillis = from.epochMillis
        let intervalMillis = max(1, Int64((interval * 1000).rounded()))
        return try await database.read { db in
            try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT (timestamp - ?) / ? AS bucket
                FROM telemetrySample WHERE vehicleId = ? AND timestamp >= ? AND timestamp < ? ORDER BY bucket
                """), arguments: [fromMillis, intervalMillis, vehicleId, fromMillis, to.epochMillis])
        }
    }
}
