import Foundation
import GRDB

/// What a sandbox is made from.
public struct SandboxRequest: Sendable, Equatable {
    /// A fixture set name; when nil and `vehicles` is nil, the `default` set.
    public var fixtures: String?
    public var seed: UInt64?
    /// A generated fleet of this many vehicles (or, with `fixtures`, the first N of the set).
    public var vehicles: Int?
    public var smartcarRedirectUris: [String] = []
    public var dimoRedirectUris: [String] = []
    /// Days of simulated past the sandbox starts with.
    public var historyDays = 30
    /// The sandbox clock's reading at creation (default: real time); with the same seed, the same start
    /// gives the same fleet and the same past.
    public var startAt: Date?
    /// Whether the clock starts frozen.
    public var frozen = false

    public init(fixtures: String? = nil, seed: UInt64? = nil, vehicles: Int? = nil,
                smartcarRedirectUris: [String] = [], dimoRedirectUris: [String] = [], historyDays: Int = 30) {
        self.historyDays = historyDays
        self.fixtures = fixtures
        self.seed = seed
        self.vehicles = vehicles
        self.smartcarRedirectUris = smartcarRedirectUris
        self.dimoRedirectUris = dimoRedirectUris
    }

    public static let maxVehicles = 1000
    public static let historyRange = 0...90
}

/// Everything a sandbox holds that a client needs to know: its credentials, users and vehicles.
public struct SandboxWorld: Sendable, Equatable {
    public var sandbox: SandboxRecord
    public var smartcarApp: SmartcarAppRecord
    public var dimoLicense: DIMOLicenseRecord
    public var owners: [OwnerRecord]
    public var vehicles: [VehicleRecord]
}

/// The fleet world: sandboxes and what lives in them, stored in SQLite. No HTTP here.
public final class Fleet: Sendable {
    public static let defaultSandboxId = "default"

    /// The store; closed to the vendor modules and the server, which ask `Fleet` and the access types
    /// for what they need.
    let database: any DatabaseWriter
    public let fixtures: FixtureLibrary
    /// Committed vehicle changes, for webhook deliveries.
    public let changes = FleetChangeFeed()
    /// Cached answers to every request's first questions (credential → sandbox, sandbox records,
    /// Smartcar grants), dropped on every committed change to the tables they come from.
    public let directory = SandboxDirectory()

    public init(database: any DatabaseWriter, fixtures: FixtureLibrary) {
        self.database = database
        self.fixtures = fixtures
        database.add(transactionObserver: directory, extent: .observerLifetime)
    }

    // MARK: Sandboxes

    /// Creates the `default` sandbox from the `default` fixture set, keeping its identities, unless it exists.
    /// Its simulated past can be deferred (`historyDays: 0`) and written later with `writeHistory`, so a
    /// server starts listening at once.
    @discardableResult
    public func bootstrapDefault(historyDays: Int = 30) async throws -> SandboxWorld {
        if let world = try? await world(Self.defaultSandboxId) { return world }
        let document = try fixtures.load("default")
        return try await insertSandbox(id: Self.defaultSandboxId, fixtures: "default", document: document, historyDays: historyDays)
    }

    /// Writes `days` of simulated past before the sandbox's creation (used after a deferred bootstrap).
    public func writeHistory(_ id: String, days: Int = 30) async throws {
        try await database.write { db in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: id) else { return }
            // A reset makes the same past again.
            sandbox.historyDays = days
            try sandbox.update(db)
            let existing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trip JOIN vehicle ON vehicle.id = trip.vehicleId WHERE vehicle.sandboxId = ?", arguments: [id]) ?? 0
            guard existing == 0 else { return }
            try Simulator.history(sandbox: sandbox, days: days, now: sandbox.createdAt, in: db)
        }
    }

    /// Creates a sandbox with fresh identities.
    public func createSandbox(_ request: SandboxRequest) async throws -> SandboxWorld {
        var identities = SystemRandomNumberGenerator()
        if !SandboxRequest.historyRange.contains(request.historyDays) {
            throw FleetError.invalid(field: "historyDays", reason: "must be between 0 and 90")
        }
        if let count = request.vehicles, !(1...SandboxRequest.maxVehicles).contains(count) {
            throw FleetError.invalid(field: "vehicles", reason: "must be between 1 and \(SandboxRequest.maxVehicles)")
        }
        for (field, uris) in [("smartcar.redirectUris", request.smartcarRedirectUris), ("dimo.redirectUris", request.dimoRedirectUris)] {
            for (i, uri) in uris.enumerated() where URL(string: uri)?.scheme == nil || URL(string: uri)?.host == nil && !uri.contains("://") {
                throw FleetError.invalid(field: "\(field)[\(i)]", reason: "'\(uri)' is not an absolute URI")
            }
        }
        var document: FleetDocument
        let name: String?
        if request.fixtures == nil, let count = request.vehicles {
            document = FleetGenerator.generate(seed: request.seed ?? UInt64.random(in: 1...UInt64(Int64.max)), count: count, identities: &identities)
            name = nil
        } else {
            let setName = request.fixtures ?? "default"
            do {
                document = try fixtures.load(setName)
            } catch {
                throw FleetError.invalid(field: "fixtures", reason: error.description)
            }
            if let count = request.vehicles {
                guard count <= document.vehicles.count else {
                    throw FleetError.invalid(field: "vehicles", reason: "fixture set '\(setName)' has only \(document.vehicles.count) vehicles")
                }
                document.vehicles = Array(document.vehicles.prefix(count))
            }
            if let seed = request.seed { document.seed = seed }
            FleetGenerator.assignIdentities(&document, using: &identities)
            name = setName
        }
        document.smartcarApp.redirectUris += request.smartcarRedirectUris.filter { !document.smartcarApp.redirectUris.contains($0) }
        document.dimoLicense.redirectUris += request.dimoRedirectUris.filter { !document.dimoLicense.redirectUris.contains($0) }
        let id = "sbx_" + Identifiers.hexToken(length: 12, using: &identities)
        return try await insertSandbox(id: id, fixtures: name, document: document, assignTokenIds: true, historyDays: request.historyDays,
                                       startAt: request.startAt, frozen: request.frozen)
    }

    private func insertSandbox(id: String, fixtures: String?, document: FleetDocument, assignTokenIds: Bool = false, historyDays: Int = 30,
                               startAt: Date? = nil, frozen: Bool = false) async throws -> SandboxWorld {
        try await database.write { db in
            var doc = document
            if assignTokenIds {
                var next = (try Int64.fetchOne(db, sql: "SELECT MAX(dimoTokenId) FROM vehicle") ?? 0) + 1
                for i in doc.vehicles.indices {
                    doc.vehicles[i].dimoTokenId = next
                    next += 1
                }
                doc.dimoLicense.tokenId = (try Int64.fetchOne(db, sql: "SELECT MAX(tokenId) FROM dimoLicense") ?? 0) + 1
            }
            let real = Date().wholeMillisecond
            let now = (startAt ?? real).wholeMillisecond
            let clock = VirtualClock(realAnchor: real, virtualAnchor: now, scale: frozen ? 0 : 1)
            let record = SandboxRecord(
                id: id, fixtures: fixtures, seed: Int64(bitPattern: doc.seed), createdAt: real,
                seedDocument: try Self.encodeDocument(doc), clock: clock, settings: SandboxSettings(), simulatedUntil: now,
                historyDays: historyDays, startAt: startAt, startFrozen: frozen)
            try record.insert(db)
            try Self.materialize(doc, sandboxId: id, at: now, in: db)
            try Simulator.history(sandbox: record, days: historyDays, now: now, in: db)
            return try Self.fetchWorld(id, in: db)
        }
    }

    /// Writes a document's rows for a sandbox.
    static func materialize(_ doc: FleetDocument, sandboxId: String, at now: Date, in db: Database) throws {
        try SmartcarAppRecord(sandboxId: sandboxId, clientId: doc.smartcarApp.clientId, clientSecret: doc.smartcarApp.clientSecret,
                              managementToken: doc.smartcarApp.managementToken, redirectUris: doc.smartcarApp.redirectUris).insert(db)
        try DIMOLicenseRecord(sandboxId: sandboxId, clientId: doc.dimoLicense.clientId, tokenId: doc.dimoLicense.tokenId,
                              alias: doc.dimoLicense.alias, redirectUris: doc.dimoLicense.redirectUris,
                              signerPrivateKey: doc.dimoLicense.signerPrivateKey, signerAddress: doc.dimoLicense.signerAddress).insert(db)
        var ownerIds: [String: Int64] = [:]
        for spec in doc.owners {
            var owner = OwnerRecord(id: nil, sandboxId: sandboxId, email: spec.email, name: spec.name,
                                    smartcarUserId: spec.smartcarUserId, dimoAddress: spec.dimoAddress,
                                    homeLatitude: spec.home.latitude, homeLongitude: spec.home.longitude, homeCity: spec.home.city)
            try owner.insert(db)
            ownerIds[spec.email.lowercased()] = owner.id
        }
        for spec in doc.vehicles {
            guard let ownerId = ownerIds[spec.owner.lowercased()] else {
                throw FleetError.invalid(field: "owner", reason: "no owner '\(spec.owner)'")
            }
            var vehicle = VehicleRecord(id: nil, sandboxId: sandboxId, ownerId: ownerId, vin: spec.vin, smartcarId: spec.smartcarId,
                                        dimoTokenId: spec.dimoTokenId, make: spec.make, model: spec.model, year: spec.year,
                                        powertrain: spec.powertrain, batteryCapacityKWh: spec.batteryCapacityKWh,
                                        fuelTankLiters: spec.fuelTankLiters)
            try vehicle.insert(db)
            guard let vehicleId = vehicle.id else { continue }
            try VehicleStateRecord(vehicleId: vehicleId, updatedAt: now, state: spec.state).insert(db)
            try TelemetrySignals.record(vehicle, spec.state, at: now, in: db)
        }
    }

    static func encodeDocument(_ doc: FleetDocument) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }

    static func fetchWorld(_ id: String, in db: Database) throws -> SandboxWorld {
        guard let sandbox = try SandboxRecord.fetchOne(db, key: id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
        guard let app = try SmartcarAppRecord.fetchOne(db, key: id), let license = try DIMOLicenseRecord.fetchOne(db, key: id) else {
            throw FleetError.notFound(kind: "sandbox", id: id)
        }
        let owners = try OwnerRecord.filter(Column("sandboxId") == id).order(Column("id")).fetchAll(db)
        let vehicles = try VehicleRecord.filter(Column("sandboxId") == id).order(Column("id")).fetchAll(db)
        return SandboxWorld(sandbox: sandbox, smartcarApp: app, dimoLicense: license, owners: owners, vehicles: vehicles)
    }

    /// A sandbox and its credentials.
    public func world(_ id: String) async throws -> SandboxWorld {
        try await database.read { db in try Self.fetchWorld(id, in: db) }
    }

    /// All sandboxes, oldest first.
    public func sandboxes() async throws -> [SandboxRecord] {
        try await database.read { db in try SandboxRecord.order(Column("createdAt")).fetchAll(db) }
    }

    /// Deletes a sandbox and everything in it.
    public func deleteSandbox(_ id: String) async throws {
        let deleted = try await database.write { db in try SandboxRecord.deleteOne(db, key: id) }
        if !deleted { throw FleetError.notFound(kind: "sandbox", id: id) }
        // Gives the freed pages back where the database allows it (in memory: auto_vacuum is incremental).
        // A file database made before this keeps its size; SQLite reuses its free pages.
        try? await database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA incremental_vacuum") }
        // The allocator keeps freed heap pages mapped; hand them back so the process shrinks after a cleanup.
        HeapTrim.now()
    }

    /// Puts a sandbox back to its seed: the same identities, the initial vehicle states, real time,
    /// default settings; everything issued since (grants, tokens, state changes) is gone.
    public func resetSandbox(_ id: String) async throws -> SandboxWorld {
        try await database.write { db in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
            let doc = try JSONDecoder().decode(FleetDocument.self, from: Data(sandbox.seedDocument.utf8))
            for table in ["vehicle", "owner", "smartcarApp", "dimoLicense"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE sandboxId = ?", arguments: [id])
            }
            for hook in Self.resetHooks { try hook(db, id) }
            // Back to how it was made: its start clock (or real time now) and its days of history.
            let real = Date().wholeMillisecond
            let now = (sandbox.startAt ?? real).wholeMillisecond
            sandbox.clock = VirtualClock(realAnchor: real, virtualAnchor: now, scale: sandbox.startFrozen == true ? 0 : 1)
            sandbox.settings = SandboxSettings()
            sandbox.simulatedUntil = now
            try sandbox.update(db)
            try Self.materialize(doc, sandboxId: id, at: now, in: db)
            try Simulator.history(sandbox: sandbox, days: sandbox.historyDays ?? 30, now: now, in: db)
            return try Self.fetchWorld(id, in: db)
        }
    }

    /// Extra per-sandbox tables (added by later features) that a reset must clear.
    /// Tables with `ON DELETE CASCADE` to vehicle/owner/sandbox rows need no hook.
    static let resetHooks: [@Sendable (Database, String) throws -> Void] = []

    /// Changes a sandbox's settings.
    public func updateSettings(_ id: String, _ change: @Sendable (inout SandboxSettings) throws -> Void) async throws -> SandboxRecord {
        try await database.write { db in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
            try change(&sandbox.settings)
            try sandbox.update(db)
            return sandbox
        }
    }

    // MARK: Clock

    /// A sandbox's clock.
    public func clock(_ id: String) async throws -> VirtualClock {
        guard let sandbox = try await sandboxRecord(id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
        return sandbox.clock
    }

    /// Changes a sandbox's clock and returns it.
    public func changeClock(_ id: String, _ change: ClockChange) async throws -> VirtualClock {
        let (clock, simulated) = try await database.write { db -> (VirtualClock, Bool) in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: id) else { throw FleetError.notFound(kind: "sandbox", id: id) }
            change.apply(to: &sandbox.clock)
            // Moving time forward plays the interval out. Going back before the last simulated moment is
            // refused: every car's state is stamped at that moment, so the world would stand still until
            // the clock caught up again. Nothing is written (the transaction is rolled back).
            let now = sandbox.clock.now()
            let simulated = sandbox.simulatedUntil ?? sandbox.createdAt
            if now < simulated {  // both whole milliseconds (the clock's resolution)
                throw FleetError.conflict(Self.clockGoesBack(to: now, simulated: simulated, sandbox: id))
            }
            let plays = now > simulated
            if plays {
                try Simulator.run(sandbox: sandbox, from: max(simulated, now.addingTimeInterval(-Simulator.maxInterval)), to: now, in: db)
                sandbox.simulatedUntil = now
            }
            try sandbox.update(db)
            return (sandbox.clock, plays)
        }
        if simulated { changes.publish(FleetChange(sandboxId: id, vehicleIds: nil, cause: .simulation)) }
        return clock
    }

    /// The refusal of a clock change that would go back in time, naming the ways that do work.
    static func clockGoesBack(to now: Date, simulated: Date, sandbox id: String) -> String {
        "the clock cannot go back to \(Timestamp.millis(now)): sandbox '\(id)' has been simulated up to \(Timestamp.millis(simulated)), "
            + "and its cars' state is of that moment. To work at an earlier time, create a sandbox with {\"clock\": {\"now\": \"<RFC3339>\"}} "
            + "(the same seed and start give the same fleet), or POST /__fleetmock/sandboxes/\(id)/reset to go back to its start clock"
    }

    /// Whether a sandbox's simulation is at least `minimumStep` behind its clock, as its record tells:
    /// a request holding a current record asks this before paying for ``catchUp(_:minimumStep:)``.
    public static func isBehind(_ sandbox: SandboxRecord, minimumStep: TimeInterval = 60) -> Bool {
        sandbox.clock.now().timeIntervalSince(sandbox.simulatedUntil ?? sandbox.createdAt) >= minimumStep
    }

    /// Catches a sandbox's simulation up with its clock when it is at least `minimumStep` behind
    /// (at real-time speed the fleet moves minute by minute, as requests arrive).
    public func catchUp(_ id: String, minimumStep: TimeInterval = 60) async throws {
        guard let sandbox = try await sandboxRecord(id), Self.isBehind(sandbox, minimumStep: minimumStep) else { return }
        let simulated = try await database.write { db -> Bool in
            guard var fresh = try SandboxRecord.fetchOne(db, key: id) else { return false }
            let now = fresh.clock.now()
            let from = fresh.simulatedUntil ?? fresh.createdAt
            guard now.timeIntervalSince(from) >= minimumStep else { return false }
            try Simulator.run(sandbox: fresh, from: max(from, now.addingTimeInterval(-Simulator.maxInterval)), to: now, in: db)
            fresh.simulatedUntil = now
            try fresh.update(db)
            return true
        }
        if simulated { changes.publish(FleetChange(sandboxId: id, vehicleIds: nil, cause: .simulation)) }
    }

    // MARK: Vehicles

    static func snapshots(_ request: QueryInterfaceRequest<VehicleRecord>, in db: Database) throws -> [VehicleSnapshot] {
        let vehicles = try request.order(Column("id")).fetchAll(db)
        let ids = vehicles.compactMap(\.id)
        let states = try VehicleStateRecord.filter(ids.contains(Column("vehicleId"))).fetchAll(db)
        let stateById = Dictionary(uniqueKeysWithValues: states.map { ($0.vehicleId, $0) })
        let ownerIds = Set(vehicles.map(\.ownerId))
        let owners = try OwnerRecord.filter(ownerIds.contains(Column("id"))).fetchAll(db)
        let ownerById = Dictionary(uniqueKeysWithValues: owners.compactMap { o in o.id.map { ($0, o) } })
        return vehicles.compactMap { v in
            guard let id = v.id, let s = stateById[id], let o = ownerById[v.ownerId] else { return nil }
            return VehicleSnapshot(vehicle: v, owner: o, state: s.state, updatedAt: s.updatedAt)
        }
    }

    /// The one vehicle whose `dimoTokenId` is `tokenId`, with owner and state, through cached statements:
    /// every DIMO Telemetry and token request looks its vehicle up this way.
    static func snapshot(dimoTokenId tokenId: Int64, in db: Database) throws -> VehicleSnapshot? {
        guard let vehicle = try VehicleRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM vehicle WHERE dimoTokenId = ?"), arguments: [tokenId]),
              let id = vehicle.id,
              let state = try VehicleStateRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM vehicleState WHERE vehicleId = ?"), arguments: [id]),
              let owner = try OwnerRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM owner WHERE id = ?"), arguments: [vehicle.ownerId])
        else { return nil }
        return VehicleSnapshot(vehicle: vehicle, owner: owner, state: state.state, updatedAt: state.updatedAt)
    }

    /// Every vehicle of a sandbox with its state.
    public func vehicles(in sandboxId: String) async throws -> [VehicleSnapshot] {
        try await database.read { db in
            guard try SandboxRecord.exists(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            return try Self.snapshots(VehicleRecord.filter(Column("sandboxId") == sandboxId), in: db)
        }
    }

    /// One vehicle by VIN (or by Smartcar id) within a sandbox.
    public func vehicle(in sandboxId: String, vin: String) async throws -> VehicleSnapshot {
        try await database.read { db in
            guard try SandboxRecord.exists(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            let request = VehicleRecord.filter(Column("sandboxId") == sandboxId)
                .filter(Column("vin") == vin.uppercased() || Column("smartcarId") == vin)
            guard let snapshot = try Self.snapshots(request, in: db).first else { throw FleetError.notFound(kind: "vehicle", id: vin) }
            return snapshot
        }
    }

    /// Applies a partial state (a JSON object with any of `VehicleState`'s keys, nested objects merged)
    /// to a vehicle. The result is validated as a whole; on any error nothing is written.
    public func patchVehicleState(in sandboxId: String, vin: String, patch: Data) async throws -> VehicleSnapshot {
        let current = try await vehicle(in: sandboxId, vin: vin)
        let merged = try StatePatch.apply(patch, to: current.state)
        try Self.validate(merged, for: current.vehicle)
        return try await updateState(in: sandboxId, vehicleId: current.vehicle.id ?? 0) { state in state = merged }
    }

    static func validate(_ state: VehicleState, for vehicle: VehicleRecord) throws {
        do {
            try FleetValidation.validate(state, powertrain: vehicle.powertrain, field: "state")
        } catch {
            throw FleetError.invalid(field: error.field, reason: error.reason)
        }
    }

    /// Changes a vehicle's state in one transaction, stamping it with the sandbox clock's now.
    @discardableResult
    public func updateState(in sandboxId: String, vehicleId: Int64, _ change: @Sendable @escaping (inout VehicleState) throws -> Void) async throws -> VehicleSnapshot {
        let (snapshot, changed) = try await database.write { db -> (VehicleSnapshot, Bool) in
            guard let sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            guard var record = try VehicleStateRecord.fetchOne(db, key: vehicleId) else {
                throw FleetError.notFound(kind: "vehicle", id: String(vehicleId))
            }
            let before = record.state
            try change(&record.state)
            record.updatedAt = sandbox.clock.now()
            try record.update(db)
            if record.state != before, let vehicle = try VehicleRecord.fetchOne(db, key: vehicleId) {
                try TelemetrySignals.record(vehicle, record.state, at: record.updatedAt, in: db)
            }
            guard let snapshot = try Self.snapshots(VehicleRecord.filter(Column("id") == vehicleId), in: db).first else {
                throw FleetError.notFound(kind: "vehicle", id: String(vehicleId))
            }
            return (snapshot, record.state != before)
        }
        if changed { changes.publish(FleetChange(sandboxId: sandboxId, vehicleIds: [vehicleId], cause: .stateWritten)) }
        return snapshot
    }
}

/// Merges a partial JSON state into a full one.
enum StatePatch {
    static func apply(_ patch: Data, to state: VehicleState) throws -> VehicleState {
        guard let patchObject = try? JSONSerialization.jsonObject(with: patch) as? [String: Any] else {
            throw FleetError.invalid(field: "state", reason: "must be a JSON object")
        }
        let encoder = JSONEncoder()
        guard var base = try JSONSerialization.jsonObject(with: encoder.encode(state)) as? [String: Any] else {
            throw FleetError.invalid(field: "state", reason: "could not be read")
        }
        try merge(patchObject, into: &base, path: "state", template: try templateKeys(state))
        let data = try JSONSerialization.data(withJSONObject: base)
        do {
            return try JSONDecoder().decode(VehicleState.self, from: data)
        } catch let error as DecodingError {
            let field = error.fieldPath
            throw FleetError.invalid(field: field.isEmpty ? "state" : "state.\(field)", reason: error.reason)
        }
    }

    /// The key tree of a full state, nulls included, for rejecting unknown keys.
    private static func templateKeys(_ state: VehicleState) throws -> [String: Any] {
        let encoder = JSONEncoder()
        let object = try JSONSerialization.jsonObject(with: encoder.encode(state)) as? [String: Any] ?? [:]
        var keys = object
        // Optional fields encode as absent when nil; every VehicleState key is allowed.
        for key in ["stateOfCharge", "fuelFraction", "sunroof", "chargingPort", "oilLife"] where keys[key] == nil {
            keys[key] = NSNull()
        }
        return keys
    }

    private static func merge(_ patch: [String: Any], into base: inout [String: Any], path: String, template: [String: Any]) throws {
        for (key, value) in patch {
            guard let templateValue = template[key] else {
                throw FleetError.invalid(field: "\(path).\(key)", reason: "unknown field")
            }
            if let nested = value as? [String: Any], let nestedTemplate = templateValue as? [String: Any] {
                var nestedBase = base[key] as? [String: Any] ?? [:]
                try merge(nested, into: &nestedBase, path: "\(path).\(key)", template: nestedTemplate)
                base[key] = nestedBase
            } else if value is NSNull {
                base.removeValue(forKey: key)
            } else {
                base[key] = value
            }
        }
    }
}
