import Foundation
import GRDB

/// The Smartcar permission names, in Smartcar's spelling.
public enum SmartcarScope {
    public static let all = [
        "read_vehicle_info", "read_vin", "read_odometer", "read_location", "read_battery", "read_charge",
        "control_charge", "read_fuel", "read_tires", "read_engine_oil", "read_security", "control_security",
        "control_navigation", "read_service_history", "read_diagnostics", "read_speedometer", "read_thermometer",
        "read_compass", "read_climate", "control_climate", "read_alerts", "read_extended_vehicle_info",
        "read_user_profile", "control_trunk", "control_pin", "read_charge_locations", "read_charge_records",
        "read_charge_events", "control_honk_flash",
    ]

    public static func isKnown(_ scope: String) -> Bool { all.contains(scope) }

    /// A scope asked for with this prefix is one Connect refuses to go on without.
    public static let requiredPrefix = "required:"

    /// The permission a scope names, without any `required:` prefix.
    public static func permission(of scope: String) -> String {
        isRequired(scope) ? String(scope.dropFirst(requiredPrefix.count)) : scope
    }

    /// Whether a scope is asked for as `required:`.
    public static func isRequired(_ scope: String) -> Bool { scope.hasPrefix(requiredPrefix) }
}

/// How a Connect session was run.
public enum SmartcarMode: String, Codable, Sendable {
    case live, test, simulated
}

public struct SmartcarCodeRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smartcarCode"
    public var code: String
    public var sandboxId: String
    public var ownerId: Int64
    public var vehicleIds: [Int64]
    public var scopes: [String]
    public var redirectUri: String
    public var mode: SmartcarMode
    public var createdAt: Date
    public var usedAt: Date?
}

public struct SmartcarTokenRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smartcarToken"
    public var accessToken: String
    public var refreshToken: String
    public var sandboxId: String
    public var ownerId: Int64
    public var vehicleIds: [Int64]
    public var scopes: [String]
    public var mode: SmartcarMode
    public var issuedAt: Date
    public var accessExpiresAt: Date
    public var refreshExpiresAt: Date
    public var refreshUsedAt: Date?
    public var revokedAt: Date?
}

public struct SmartcarConnectionRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "smartcarConnection"
    public var id: Int64?
    public var sandboxId: String
    public var ownerId: Int64
    public var vehicleId: Int64
    public var scopes: [String]
    public var mode: SmartcarMode
    public var connectedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct SmartcarTestAccountRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "smartcarTestAccount"
    public var ownerId: Int64
    public var mode: SmartcarMode
    /// `TYPE.CODE` for a v2 trigger email, or `v1:<name>` for the v1 test emails.
    public var errorTrigger: String?
}

public struct SmartcarWebhookRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "smartcarWebhook"
    public var id: Int64?
    public var sandboxId: String
    public var webhookId: String
    public var vehicleId: Int64
    public var subscribedAt: Date
    /// The signal bodies last delivered (JSON, code → body); nil until the first delivery.
    public var lastSignals: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Why a Smartcar credential was refused.
public enum SmartcarAccessFailure: Error, Equatable, Sendable {
    case invalidClient
    case invalidCode(String)
    case redirectMismatch(String)
    case invalidRefreshToken(String)
}

/// What a valid access token grants.
public struct SmartcarGrant: Sendable {
    /// The token's records, shared with the directory that cached them.
    private let cached: SandboxDirectory.CachedGrant
    public let sandbox: SandboxRecord

    init(_ cached: SandboxDirectory.CachedGrant, sandbox: SandboxRecord) {
        self.cached = cached
        self.sandbox = sandbox
    }

    public var token: SmartcarTokenRecord { cached.token }
    public var owner: OwnerRecord { cached.owner }
    public var app: SmartcarAppRecord { cached.app }
    /// Vehicles the token reaches that are still connected, in connection order.
    public var vehicles: [VehicleRecord] { cached.vehicles }
    public var testAccount: SmartcarTestAccountRecord? { cached.testAccount }

    public var now: Date { sandbox.clock.now() }

    /// The permissions the token carries, in grant order, whether asked for as optional or `required:`.
    public var permissions: [String] { token.scopes.map(SmartcarScope.permission(of:)) }

    /// Whether the token carries a permission.
    public func allows(_ permission: String) -> Bool {
        token.scopes.contains { SmartcarScope.permission(of: $0) == permission }
    }
}

/// Smartcar's OAuth world: authorization codes, token sets and connections, on the sandbox clock.
public struct SmartcarAccess: Sendable {
    public static let codeLifetime: TimeInterval = 600
    public static let accessLifetime: TimeInterval = 7200
    public static let refreshLifetime: TimeInterval = 60 * 86400
    /// How long a used refresh token keeps working (the docs say 1 or 10 minutes; one minute here).
    public static let refreshGrace: TimeInterval = 60

    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    var database: any DatabaseWriter { fleet.database }

    /// The app (and its sandbox) that owns a client id.
    public func app(clientId: String) async throws -> (SmartcarAppRecord, SandboxRecord)? {
        try await database.read { db in
            guard let app = try SmartcarAppRecord.filter(Column("clientId") == clientId).fetchOne(db),
                  let sandbox = try SandboxRecord.fetchOne(db, key: app.sandboxId) else { return nil }
            return (app, sandbox)
        }
    }

    /// The app whose management token this is.
    public func app(managementToken: String) async throws -> (SmartcarAppRecord, SandboxRecord)? {
        try await database.read { db in
            guard let app = try SmartcarAppRecord.filter(Column("managementToken") == managementToken).fetchOne(db),
                  let sandbox = try SandboxRecord.fetchOne(db, key: app.sandboxId) else { return nil }
            return (app, sandbox)
        }
    }

    /// A (live) owner of the sandbox by email, case-insensitive; test-mode accounts are not live owners.
    public func owner(sandboxId: String, email: String) async throws -> OwnerRecord? {
        try await database.read { db in
            try OwnerRecord.filter(Column("sandboxId") == sandboxId).filter(sql: "lower(email) = lower(?)", arguments: [email])
                .filter(sql: "id NOT IN (SELECT ownerId FROM smartcarTestAccount)").fetchOne(db)
        }
    }

    /// The vehicles an owner has.
    public func vehicles(ownerId: Int64) async throws -> [VehicleRecord] {
        try await database.read { db in try VehicleRecord.filter(Column("ownerId") == ownerId).order(Column("id")).fetchAll(db) }
    }

    /// Creates (or finds) a test-mode account: an owner with `count` vehicles of `make`.
    public func testAccount(sandboxId: String, email: String, make: String, count: Int, mode: SmartcarMode, errorTrigger: String?) async throws -> OwnerRecord {
        try await database.write { db in
            if let existing = try OwnerRecord.filter(Column("sandboxId") == sandboxId).filter(sql: "lower(email) = lower(?)", arguments: [email]).fetchOne(db) {
                // A live owner's email cannot become a test account: their real cars would leak into test mode.
                guard try SmartcarTestAccountRecord.fetchOne(db, key: existing.id ?? 0) != nil else {
                    throw FleetError.conflict("\(email) is a live owner of this sandbox; use another email in test mode")
                }
                return existing
            }
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            var rng = SystemRandomNumberGenerator()
            // Seeded from the email, so the same test account gets the same cars in every run.
            let digest = Keccak256.hash(email.lowercased())
            var seeded = SeededRandom(seed: digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
            let models = FleetGenerator.catalogue.filter { $0.make == make.uppercased() }
            var owner = OwnerRecord(id: nil, sandboxId: sandboxId, email: email, name: "Test Driver", smartcarUserId: Identifiers.uuid(using: &rng),
                                    dimoAddress: FleetGenerator.randomAddress(using: &rng), homeLatitude: 39.7392, homeLongitude: -104.9903, homeCity: "Denver")
            try owner.insert(db)
            guard let ownerId = owner.id else { return owner }
            try SmartcarTestAccountRecord(ownerId: ownerId, mode: mode, errorTrigger: errorTrigger).insert(db)
            var nextToken = (try Int64.fetchOne(db, sql: "SELECT MAX(dimoTokenId) FROM vehicle") ?? 0) + 1
            let home = FleetDocument.Place(latitude: owner.homeLatitude, longitude: owner.homeLongitude, city: owner.homeCity)
            for i in 0..<count {
                // Test mode gets upstream's all-answering test vehicles; simulated mode the make's own models.
                let model = mode == .test ? SmartcarTestVehicles.model(make: make.uppercased())
                    : models.isEmpty
                    ? FleetGenerator.Model(make: make.uppercased(), model: "Test Vehicle", wmi: "0SC", years: 2020...2024, powertrain: .bev,
                                           batteryKWh: 75, tankLiters: nil, hasSunroof: false, kmPerKWh: 6, kmPerLiter: 0)
                    : models[i % models.count]
                let year = Int.random(in: model.years, using: &seeded)
                // Test-mode VINs start with 0SC, as Smartcar's do.
                let vin = "0SC" + String(VIN.generate(wmi: "0SC", year: year, using: &rng).dropFirst(3))
                var vehicle = VehicleRecord(id: nil, sandboxId: sandboxId, ownerId: ownerId, vin: vin, smartcarId: Identifiers.uuid(using: &rng),
                                            dimoTokenId: nextToken, make: model.make, model: model.model, year: year, powertrain: model.powertrain,
                                            batteryCapacityKWh: model.batteryKWh, fuelTankLiters: model.tankLiters)
                nextToken += 1
                try vehicle.insert(db)
                guard let vehicleId = vehicle.id else { continue }
                var state = FleetGenerator.parkedState(model: model, year: year, home: home, rng: &seeded)
                if mode == .test { SmartcarTestVehicles.shape(&state, rng: &seeded) }
                try VehicleStateRecord(vehicleId: vehicleId, updatedAt: sandbox.clock.now(), state: state).insert(db)
                try TelemetrySignals.record(vehicle, state, at: sandbox.clock.now(), in: db)
            }
            return owner
        }
    }

    /// The test account of an owner, if it is one.
    public func testAccount(ownerId: Int64) async throws -> SmartcarTestAccountRecord? {
        try await database.read { db in try SmartcarTestAccountRecord.fetchOne(db, key: ownerId) }
    }

    /// Issues an authorization code for an approved Connect session.
    public func issueCode(sandboxId: String, ownerId: Int64, vehicleIds: [Int64], scopes: [String], redirectUri: String, mode: SmartcarMode) async throws -> String {
        try await database.write { db in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            var rng = SystemRandomNumberGenerator()
            let code = Identifiers.uuid(using: &rng)
            try SmartcarCodeRecord(code: code, sandboxId: sandboxId, ownerId: ownerId, vehicleIds: vehicleIds, scopes: scopes,
                                   redirectUri: redirectUri, mode: mode, createdAt: sandbox.clock.now(), usedAt: nil).insert(db)
            return code
        }
    }

    /// Exchanges a code for a token set; the code dies on first use. Connections are (re)made for its vehicles.
    public func exchange(code: String, app: SmartcarAppRecord, redirectUri: String?) async throws -> SmartcarTokenRecord {
        try await database.write { db in
            guard var record = try SmartcarCodeRecord.fetchOne(db, key: code), record.sandboxId == app.sandboxId,
                  let sandbox = try SandboxRecord.fetchOne(db, key: app.sandboxId) else {
                throw SmartcarAccessFailure.invalidCode(code)
            }
            let now = sandbox.clock.now()
            guard record.usedAt == nil, now.timeIntervalSince(record.createdAt) <= Self.codeLifetime else {
                throw SmartcarAccessFailure.invalidCode(code)
            }
            // Node sends the literal "undefined" when no redirect URI was configured; Python omits it.
            if let redirectUri, !redirectUri.isEmpty, redirectUri != "undefined", redirectUri != record.redirectUri {
                throw SmartcarAccessFailure.redirectMismatch(redirectUri)
            }
            record.usedAt = now
            try record.update(db)
            for vehicleId in record.vehicleIds {
                if var existing = try SmartcarConnectionRecord.filter(Column("vehicleId") == vehicleId).fetchOne(db) {
                    existing.scopes = record.scopes
                    existing.ownerId = record.ownerId
                    existing.mode = record.mode
                    try existing.update(db)
                } else {
                    var connection = SmartcarConnectionRecord(id: nil, sandboxId: record.sandboxId, ownerId: record.ownerId, vehicleId: vehicleId,
                                                              scopes: record.scopes, mode: record.mode, connectedAt: now)
                    try connection.insert(db)
                }
            }
            return try Self.newToken(sandboxId: record.sandboxId, ownerId: record.ownerId, vehicleIds: record.vehicleIds,
                                     scopes: record.scopes, mode: record.mode, now: now, in: db)
        }
    }

    static func newToken(sandboxId: String, ownerId: Int64, vehicleIds: [Int64], scopes: [String], mode: SmartcarMode, now: Date, in db: Database) throws -> SmartcarTokenRecord {
        var rng = SystemRandomNumberGenerator()
        let token = SmartcarTokenRecord(
            accessToken: Identifiers.uuid(using: &rng), refreshToken: Identifiers.uuid(using: &rng), sandboxId: sandboxId,
            ownerId: ownerId, vehicleIds: vehicleIds, scopes: scopes, mode: mode, issuedAt: now,
            accessExpiresAt: now.addingTimeInterval(accessLifetime), refreshExpiresAt: now.addingTimeInterval(refreshLifetime),
            refreshUsedAt: nil, revokedAt: nil)
        try token.insert(db)
        return token
    }

    /// Rotates a refresh token: a new token set; the old refresh token keeps working for a short grace period.
    public func refresh(_ refreshToken: String, app: SmartcarAppRecord) async throws -> SmartcarTokenRecord {
        try await database.write { db in
            guard var old = try SmartcarTokenRecord.filter(Column("refreshToken") == refreshToken).fetchOne(db), old.sandboxId == app.sandboxId,
                  let sandbox = try SandboxRecord.fetchOne(db, key: app.sandboxId) else {
                throw SmartcarAccessFailure.invalidRefreshToken(refreshToken)
            }
            let now = sandbox.clock.now()
            guard old.revokedAt == nil, now < old.refreshExpiresAt else { throw SmartcarAccessFailure.invalidRefreshToken(refreshToken) }
            if let used = old.refreshUsedAt, now.timeIntervalSince(used) > Self.refreshGrace {
                throw SmartcarAccessFailure.invalidRefreshToken(refreshToken)
            }
            if old.refreshUsedAt == nil {
                old.refreshUsedAt = now
                try old.update(db)
            }
            return try Self.newToken(sandboxId: old.sandboxId, ownerId: old.ownerId, vehicleIds: old.vehicleIds, scopes: old.scopes,
                                     mode: old.mode, now: now, in: db)
        }
    }

    /// Resolves a bearer access token; nil when unknown, expired or revoked. Answered from the fleet's
    /// directory when it can be (no read at all), else in one read transaction.
    public func grant(accessToken: String) async throws -> SmartcarGrant? {
        let directory = fleet.directory
        if let cached = directory.grant(accessToken), let sandbox = directory.sandbox(cached.token.sandboxId) {
            return Self.valid(cached, sandbox: sandbox)
        }
        let generation = directory.generation(.access)
        let loaded = try await database.read { db -> (SandboxDirectory.CachedGrant, SandboxRecord)? in
            guard let token = try SmartcarTokenRecord.fetchOne(db, key: accessToken),
                  let sandbox = try SandboxRecord.fetchOne(db, key: token.sandboxId),
                  let owner = try OwnerRecord.fetchOne(db, key: token.ownerId),
                  let app = try SmartcarAppRecord.fetchOne(db, key: token.sandboxId) else { return nil }
            let connected = try Int64.fetchSet(db, SmartcarConnectionRecord.select(Column("vehicleId")).filter(token.vehicleIds.contains(Column("vehicleId"))))
            let vehicles = try VehicleRecord.filter(token.vehicleIds.filter(connected.contains).contains(Column("id"))).order(Column("id")).fetchAll(db)
            let test = try SmartcarTestAccountRecord.fetchOne(db, key: owner.id ?? 0)
            return (SandboxDirectory.CachedGrant(token: token, owner: owner, app: app, vehicles: vehicles, testAccount: test), sandbox)
        }
        guard let (grant, sandbox) = loaded else { return nil }
        directory.fill(grant: grant, for: accessToken, generation: generation)
        directory.fill(sandbox: sandbox, generation: generation)
        return Self.valid(grant, sandbox: sandbox)
    }

    /// The grant, unless its token is revoked or expired on the sandbox clock.
    static func valid(_ grant: SandboxDirectory.CachedGrant, sandbox: SandboxRecord) -> SmartcarGrant? {
        guard grant.token.revokedAt == nil, sandbox.clock.now() < grant.token.accessExpiresAt else { return nil }
        return SmartcarGrant(grant, sandbox: sandbox)
    }

    /// Disconnects one vehicle from the app (DELETE /application) and revokes the token used.
    public func disconnect(vehicleId: Int64, accessToken: String?) async throws {
        try await database.write { db in
            _ = try SmartcarConnectionRecord.filter(Column("vehicleId") == vehicleId).deleteAll(db)
            if let accessToken, var token = try SmartcarTokenRecord.fetchOne(db, key: accessToken),
               let sandbox = try SandboxRecord.fetchOne(db, key: token.sandboxId) {
                token.revokedAt = sandbox.clock.now()
                try token.update(db)
            }
        }
    }

    /// A connection of the app.
    public struct Connection: Sendable {
        public var userId: String
        public var vehicleId: String
        public var connectedAt: Date
        public var mode: SmartcarMode
    }

    /// The app's connections, newest first.
    public func connections(sandboxId: String) async throws -> [Connection] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT o.smartcarUserId AS userId, v.smartcarId AS vehicleId, c.connectedAt AS connectedAt, c.mode AS mode
                FROM smartcarConnection c JOIN owner o ON o.id = c.ownerId JOIN vehicle v ON v.id = c.vehicleId
                WHERE c.sandboxId = ? ORDER BY c.connectedAt DESC, c.id DESC
                """, arguments: [sandboxId])
            return rows.map { row in
                Connection(userId: row["userId"], vehicleId: row["vehicleId"], connectedAt: Date(epochMillis: row["connectedAt"]),
                           mode: SmartcarMode(rawValue: row["mode"] ?? "live") ?? .live)
            }
        }
    }

    /// Deletes connections by user and/or vehicle (Smartcar ids); returns what was deleted.
    public func deleteConnections(sandboxId: String, userId: String?, vehicleId: String?) async throws -> [Connection] {
        try await database.write { db in
            var sql = """
                SELECT c.id AS id, o.smartcarUserId AS userId, v.smartcarId AS vehicleId, c.connectedAt AS connectedAt, c.mode AS mode
                FROM smartcarConnection c JOIN owner o ON o.id = c.ownerId JOIN vehicle v ON v.id = c.vehicleId
                WHERE c.sandboxId = ?
                """
            var arguments: StatementArguments = [sandboxId]
            if let userId { sql += " AND o.smartcarUserId = ?"; arguments += [userId] }
            if let vehicleId { sql += " AND v.smartcarId = ?"; arguments += [vehicleId] }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let ids: [Int64] = rows.map { $0["id"] }
            _ = try SmartcarConnectionRecord.filter(ids.contains(Column("id"))).deleteAll(db)
            return rows.map { row in
                Connection(userId: row["userId"], vehicleId: row["vehicleId"], connectedAt: Date(epochMillis: row["connectedAt"]),
                           mode: SmartcarMode(rawValue: row["mode"] ?? "live") ?? .live)
            }
        }
    }

    /// Records a webhook subscription (a new one is announced, so its first delivery goes out).
    public func subscribe(sandboxId: String, webhookId: String, vehicleId: Int64) async throws {
        let created = try await database.write { db -> Bool in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { return false }
            guard try SmartcarWebhookRecord.filter(Column("webhookId") == webhookId && Column("vehicleId") == vehicleId).fetchCount(db) == 0 else {
                return false
            }
            var record = SmartcarWebhookRecord(id: nil, sandboxId: sandboxId, webhookId: webhookId, vehicleId: vehicleId,
                                               subscribedAt: sandbox.clock.now(), lastSignals: nil)
            try record.insert(db)
            return true
        }
        if created { fleet.changes.publish(FleetChange(sandboxId: sandboxId, vehicleIds: [vehicleId], cause: .subscription)) }
    }

    /// Removes a webhook subscription; false when there was none.
    public func unsubscribe(sandboxId: String, webhookId: String, vehicleId: Int64) async throws -> Bool {
        try await database.write { db in
            try SmartcarWebhookRecord.filter(Column("sandboxId") == sandboxId && Column("webhookId") == webhookId && Column("vehicleId") == vehicleId).deleteAll(db) > 0
        }
    }
}
