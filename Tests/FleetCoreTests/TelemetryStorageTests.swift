@testable import FleetCore
import Foundation
import GRDB
import Testing

/// Telemetry samples live in one clustered table keyed by (vehicle, signal id, time); names in `telemetrySignal`.
@Suite struct TelemetryStorageTests {
    /// A sandbox, owner and vehicle (id 5) as a database before v16 holds them.
    static let oldVehicle = """
        INSERT INTO sandbox (id, seed, createdAt, seedDocument, clock, settings) VALUES ('old', 7, 0, '{}', '{}', '{}');
        INSERT INTO owner (id, sandboxId, email, name, smartcarUserId, dimoAddress, homeLatitude, homeLongitude, homeCity)
            VALUES (1, 'old', 'a@b.c', 'A', 'u1', '0x1', 0, 0, 'X');
        INSERT INTO vehicle (id, sandboxId, ownerId, vin, smartcarId, dimoTokenId, make, model, year, powertrain)
            VALUES (5, 'old', 1, 'VIN', 'sc', 9, 'Make', 'Model', 2024, 'BEV');
        """

    /// A database written before v16 (names as text, a rowid table and its index, duplicate instants)
    /// converts without losing a signal, keeping the later of two values at one millisecond.
    @Test func olderSamplesAreCompacted() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue, upTo: "v15 no index a composite one covers")
        try queue.write { db in
            try db.execute(sql: Self.oldVehicle)
            try db.execute(sql: """
                INSERT INTO telemetrySample (vehicleId, name, timestamp, valueNumber) VALUES
                    (5, 'speed', 1000, 10), (5, 'speed', 2000, 20), (5, 'speed', 2000, 21), (5, 'aRetiredSignal', 1500, 3);
                INSERT INTO telemetrySample (vehicleId, name, timestamp, latitude, longitude) VALUES (5, 'currentLocationCoordinates', 1000, 1.5, 2.5);
                """)
        }
        try Migrations.migrator.migrate(queue)
        try queue.read { db in
            // No index beside the clustered key (an automatic index has no SQL of its own).
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetrySample' AND sql IS NOT NULL") == 0)
            let rows = try Row.fetchAll(db, sql: """
                SELECT g.name, s.timestamp, s.valueNumber, s.latitude FROM telemetrySample s JOIN telemetrySignal g ON g.id = s.signalId
                ORDER BY g.name, s.timestamp
                """).map { "\($0["name"] as String)@\($0["timestamp"] as Int64)=\(($0["valueNumber"] as Double?) ?? ($0["latitude"] as Double? ?? -1))" }
            #expect(rows == ["aRetiredSignal@1500=3.0", "currentLocationCoordinates@1000=1.5", "speed@1000=10.0", "speed@2000=21.0"])
            // Every name the simulator writes is registered, the retired one kept beside them.
            let names = Set(try String.fetchAll(db, sql: "SELECT name FROM telemetrySignal"))
            #expect(names.isSuperset(of: TelemetrySignals.storedNames))
            #expect(names.contains("aRetiredSignal"))
        }
    }

    /// A file database opened by a build with v16 converts and then hands the freed pages back (VACUUM).
    @Test func aConvertedFileGivesItsFreedPagesBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-v16-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("fleet.sqlite").path
        do {
            let old = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(old, upTo: "v15 no index a composite one covers")
            try old.write { db in
                try db.execute(sql: Self.oldVehicle)
                let insert = try db.makeStatement(sql: "INSERT INTO telemetrySample (vehicleId, name, timestamp, valueNumber) VALUES (5, ?, ?, 1)")
                for index in 0..<20_000 {
                    try insert.execute(arguments: [index % 2 == 0 ? "speed" : "powertrainRange", index])
                }
            }
        }
        let converted = try FleetDatabase.open(path: path)
        let (samples, freePages) = try converted.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM telemetrySample"), try Int.fetchOne(db, sql: "PRAGMA freelist_count"))
        }
        #expect(samples == 20_000)
        #expect(freePages == 0)
    }

    /// Every signal `derive` produces, for each powertrain with every optional reading present, is registered.
    @Test func everyDerivedSignalIsRegistered() throws {
        // Every optional reading present, so every conditional signal is derived.
        let state = VehicleState(odometerKm: 100, latitude: 1, longitude: 2, heading: 0, stateOfCharge: 0.5, fuelFraction: 0.5, rangeKm: 300,
                                 isPluggedIn: false, chargeState: .notCharging, chargeLimit: 0.8, isLocked: true,
                                 doors: Corners(all: .closed), windows: Corners(all: .closed), sunroof: .closed, hood: .closed, trunk: .closed,
                                 chargingPort: .closed, tirePressureKPa: Corners(all: 240), oilLife: 0.5, ignitionOn: false, speedKph: 0,
                                 lowVoltageBatteryV: 12.6, cabinTempC: 20, outsideTempC: 15, troubleCodes: [])
        for powertrain in [Powertrain.bev, .phev, .hev, .ice] {
            let vehicle = VehicleRecord(id: 1, sandboxId: "s", ownerId: 1, vin: "V", smartcarId: "c", dimoTokenId: 1, make: "M", model: "m",
                                        year: 2024, powertrain: powertrain, batteryCapacityKWh: 60, fuelTankLiters: 40)
            for (name, _) in TelemetrySignals.derive(vehicle, state) {
                #expect(TelemetrySignals.storedNames.contains(name), "\(name)")
            }
        }
    }

    /// A sample of a name nobody registered is refused by the database, not stored under a null signal.
    @Test func anUnregisteredNameIsRefused() async throws {
        let database = try FleetDatabase.inMemory()
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: repositoryFixtures))
        let world = try await fleet.bootstrapDefault(historyDays: 0)
        let vehicleId = try #require(world.vehicles.first?.id)
        #expect(throws: DatabaseError.self) {
            try database.write { db in
                try db.execute(sql: TelemetrySignals.insertSQL, arguments: [vehicleId, "noSuchSignal", 1, 1.0, nil, nil, nil])
            }
        }
    }

    /// Reads by vehicle and signal seek the primary key; a sandbox's per-vehicle reads and the delete cascade too.
    @Test func readsUseThePrimaryKey() throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue)
        try queue.read { db in
            let plan = try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT \(TelemetrySignals.sampleColumns) FROM telemetrySample
                WHERE vehicleId = ? AND signalId = \(TelemetrySignals.signalIdByName) AND timestamp >= ? AND timestamp < ?
                """, arguments: [1, "speed", 0, 5]).map { $0["detail"] as String }.joined(separator: " ")
            #expect(plan.contains("USING PRIMARY KEY (vehicleId=? AND signalId=? AND timestamp>? AND timestamp<?)"), "\(plan)")
        }
    }
}
