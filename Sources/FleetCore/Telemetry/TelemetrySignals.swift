import Foundation
import GRDB

/// One telemetry value of a vehicle at a time, in DIMO's signal names and units. Stored as a row of
/// `telemetrySample` keyed by (vehicle, signal id, time); `name` comes from `telemetrySignal`.
public struct TelemetrySample: Codable, Sendable, Equatable {
    public var vehicleId: Int64
    public var name: String
    public var timestamp: Date
    public var valueNumber: Double?
    public var valueString: String?
    public var latitude: Double?
    public var longitude: Double?

    public init(vehicleId: Int64, name: String, timestamp: Date, valueNumber: Double?, valueString: String?, latitude: Double?, longitude: Double?) {
        self.vehicleId = vehicleId
        self.name = name
        self.timestamp = timestamp
        self.valueNumber = valueNumber
        self.valueString = valueString
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Reads the columns of `TelemetrySignals.sampleColumns` by position: range queries fetch thousands
    /// of these, so neither Codable nor a per-row copy of the name.
    init(vehicleId: Int64, name: String, row: Row) {
        self.init(vehicleId: vehicleId, name: name, timestamp: Date(epochMillis: row[0]),
                  valueNumber: row[1], valueString: row[2], latitude: row[3], longitude: row[4])
    }
}

/// The vehicle's physical state as DIMO signals: the same truth the Smartcar surface renders,
/// in VSS names and DIMO's units (km, km/h, kPa, %, °C, V, litres).
public enum TelemetrySignals {
    public enum Value: Sendable, Equatable {
        case number(Double)
        case string(String)
        case location(latitude: Double, longitude: Double)
    }

    public static func derive(_ vehicle: VehicleRecord, _ s: VehicleState) -> [(String, Value)] {
        func flag(_ b: Bool) -> Value { .number(b ? 1 : 0) }
        var out: [(String, Value)] = [
            ("speed", .number(s.speedKph)),
            ("powertrainTransmissionTravelledDistance", .number(s.odometerKm)),
            ("powertrainRange", .number(s.rangeKm)),
            ("powertrainType", .string(vehicle.powertrain == .bev ? "ELECTRIC" : vehicle.powertrain == .ice ? "COMBUSTION" : "HYBRID")),
            ("exteriorAirTemperature", .number(s.outsideTempC)),
            ("isIgnitionOn", flag(s.ignitionOn)),
            ("lowVoltageBatteryCurrentVoltage", .number(s.lowVoltageBatteryV)),
            ("bodyLockIsLocked", flag(s.isLocked)),
            ("bodyTrunkRearIsOpen", flag(s.trunk == .open)),
            ("bodyTrunkFrontIsOpen", flag(s.hood == .open)),
            ("cabinDoorRow1DriverSideIsOpen", flag(s.doors.frontLeft == .open)),
            ("cabinDoorRow1PassengerSideIsOpen", flag(s.doors.frontRight == .open)),
            ("cabinDoorRow2DriverSideIsOpen", flag(s.doors.backLeft == .open)),
            ("cabinDoorRow2PassengerSideIsOpen", flag(s.doors.backRight == .open)),
            ("cabinDoorRow1DriverSideWindowIsOpen", flag(s.windows.frontLeft == .open)),
            ("cabinDoorRow1PassengerSideWindowIsOpen", flag(s.windows.frontRight == .open)),
            ("cabinDoorRow2DriverSideWindowIsOpen", flag(s.windows.backLeft == .open)),
            ("cabinDoorRow2PassengerSideWindowIsOpen", flag(s.windows.backRight == .open)),
            ("chassisAxleRow1WheelLeftTirePressure", .number(s.tirePressureKPa.frontLeft)),
            ("chassisAxleRow1WheelRightTirePressure", .number(s.tirePressureKPa.frontRight)),
            ("chassisAxleRow2WheelLeftTirePressure", .number(s.tirePressureKPa.backLeft)),
            ("chassisAxleRow2WheelRightTirePressure", .number(s.tirePressureKPa.backRight)),
            ("currentLocationCoordinates", .location(latitude: s.latitude, longitude: s.longitude)),
            ("currentLocationHeading", .number(s.heading)),
        ]
        if vehicle.powertrain.isPlugIn, let soc = s.stateOfCharge {
            let capacity = vehicle.batteryCapacityKWh ?? 0
            out += [
                ("powertrainTractionBatteryStateOfChargeCurrent", .number(soc * 100)),
                ("powertrainTractionBatteryStateOfChargeCurrentEnergy", .number(soc * capacity)),
                ("powertrainTractionBatteryGrossCapacity", .number(capacity)),
                ("powertrainTractionBatteryChargingIsCharging", flag(s.chargeState == .charging)),
                ("powertrainTractionBatteryChargingIsChargingCableConnected", flag(s.isPluggedIn)),
                ("powertrainTractionBatteryChargingChargeLimit", .number(s.chargeLimit * 100)),
            ]
        }
        if vehicle.powertrain.hasFuelTank, let fuel = s.fuelFraction {
            out += [
                ("powertrainFuelSystemRelativeLevel", .number(fuel * 100)),
                ("powertrainFuelSystemAbsoluteLevel", .number(fuel * (vehicle.fuelTankLiters ?? 0))),
            ]
        }
        if vehicle.powertrain.hasEngine, let oil = s.oilLife {
            out.append(("powertrainCombustionEngineEngineOilRelativeLevel", .number(oil * 100)))
        }
        if let codes = s.troubleCodes {
            // VSS has DTCList as string[]; DIMO carries it as one string: a JSON array of the codes.
            out.append(("obdDTCList", .string(troubleCodeList(codes))))
            out.append(("obdStatusDTCCount", .number(Double(codes.count))))
        }
        return out
    }

    /// `["P0420","P0171"]`.
    static func troubleCodeList(_ codes: [TroubleCode]) -> String {
        "[" + codes.map { "\"\($0.code)\"" }.joined(separator: ",") + "]"
    }

    /// Every signal name the simulator stores, registered in `telemetrySignal` when a database opens.
    /// Append a name here when `derive` gains a signal; a sample of an unregistered name is refused.
    static let storedNames = [
        "speed", "powertrainTransmissionTravelledDistance", "powertrainRange", "powertrainType", "exteriorAirTemperature",
        "isIgnitionOn", "lowVoltageBatteryCurrentVoltage", "bodyLockIsLocked", "bodyTrunkRearIsOpen", "bodyTrunkFrontIsOpen",
        "cabinDoorRow1DriverSideIsOpen", "cabinDoorRow1PassengerSideIsOpen", "cabinDoorRow2DriverSideIsOpen",
        "cabinDoorRow2PassengerSideIsOpen", "cabinDoorRow1DriverSideWindowIsOpen", "cabinDoorRow1PassengerSideWindowIsOpen",
        "cabinDoorRow2DriverSideWindowIsOpen", "cabinDoorRow2PassengerSideWindowIsOpen", "chassisAxleRow1WheelLeftTirePressure",
        "chassisAxleRow1WheelRightTirePressure", "chassisAxleRow2WheelLeftTirePressure", "chassisAxleRow2WheelRightTirePressure",
        "currentLocationCoordinates", "currentLocationHeading", "powertrainTractionBatteryStateOfChargeCurrent",
        "powertrainTractionBatteryStateOfChargeCurrentEnergy", "powertrainTractionBatteryGrossCapacity",
        "powertrainTractionBatteryChargingIsCharging", "powertrainTractionBatteryChargingIsChargingCableConnected",
        "powertrainTractionBatteryChargingChargeLimit", "powertrainFuelSystemRelativeLevel", "powertrainFuelSystemAbsoluteLevel",
        "powertrainCombustionEngineEngineOilRelativeLevel", "obdDTCList", "obdStatusDTCCount",
    ]

    /// Adds the names of `storedNames` that `telemetrySignal` lacks (idempotent; ids are the database's).
    static func registerNames(_ db: Database) throws {
        let statement = try db.makeStatement(sql: "INSERT OR IGNORE INTO telemetrySignal (name) VALUES (?)")
        for name in storedNames { try statement.execute(arguments: [name]) }
    }

    /// A signal's id in SQL, bound by its name (one lookup in a table of a few dozen rows).
    static let signalIdByName = "(SELECT id FROM telemetrySignal WHERE name = ?)"

    /// Stores one sample; a later value of the same signal at the same millisecond replaces the earlier.
    static let insertSQL = """
        INSERT OR REPLACE INTO telemetrySample (vehicleId, signalId, timestamp, valueNumber, valueString, latitude, longitude)
        VALUES (?, \(signalIdByName), ?, ?, ?, ?, ?)
        """

    /// The value columns `TelemetrySample.init(vehicleId:name:row:)` reads, in its order.
    static let sampleColumns = "timestamp, valueNumber, valueString, latitude, longitude"

    /// Where a requested signal is stored: the legacy `currentLocationLatitude`/`Longitude` signals are a
    /// component (`latitude` true or false) of the stored location fixes; every other name is itself.
    static func storage(of name: String) -> (stored: String, latitude: Bool?) {
        switch name {
        case "currentLocationLatitude": return ("currentLocationCoordinates", true)
        case "currentLocationLongitude": return ("currentLocationCoordinates", false)
        default: return (name, nil)
        }
    }

    /// The stored samples of one signal (a stored name) of a vehicle, oldest first, whose `timestamp` meets
    /// `timeCondition` (SQL with two placeholders, the bounds in epoch milliseconds), at most `limit`.
    static func samples(vehicleId: Int64, stored name: String, timeCondition: String, bounds: (Date, Date), limit: Int? = nil,
                        in db: Database) throws -> [TelemetrySample] {
        let statement = try db.cachedStatement(sql: """
            SELECT \(sampleColumns) FROM telemetrySample
            WHERE vehicleId = ? AND signalId = \(signalIdByName) AND \(timeCondition)
            ORDER BY timestamp LIMIT ?
            """)
        statement.setUncheckedArguments([vehicleId, name, bounds.0.epochMillis, bounds.1.epochMillis, limit ?? -1])
        var samples: [TelemetrySample] = []
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() { samples.append(TelemetrySample(vehicleId: vehicleId, name: name, row: row)) }
        return samples
    }

    /// Writes one sample per signal of the state at `time`.
    static func record(_ vehicle: VehicleRecord, _ state: VehicleState, at time: Date, in db: Database) throws {
        guard let vehicleId = vehicle.id else { return }
        let statement = try db.cachedStatement(sql: insertSQL)
        for (name, value) in derive(vehicle, state) {
            switch value {
            case .number(let n): try statement.execute(arguments: [vehicleId, name, time.epochMillis, n, nil, nil, nil])
            case .string(let text): try statement.execute(arguments: [vehicleId, name, time.epochMillis, nil, text, nil, nil])
            case .location(let lat, let lon): try statement.execute(arguments: [vehicleId, name, time.epochMillis, nil, nil, lat, lon])
            }
        }
    }
}

extension Fleet {
    /// Samples of one signal in `[from, to)`, oldest first. The legacy latitude/longitude signals
    /// are the components of the stored location fixes.
    public func samples(vehicleId: Int64, name: String, from: Date, to: Date) async throws -> [TelemetrySample] {
        let (stored, component) = TelemetrySignals.storage(of: name)
        let rows = try await database.read { db in
            try TelemetrySignals.samples(vehicleId: vehicleId, stored: stored, timeCondition: "timestamp >= ? AND timestamp < ?", bounds: (from, to), in: db)
        }
        guard let latitude = component else { return rows }
        return rows.map { row in
            TelemetrySample(vehicleId: row.vehicleId, name: name, timestamp: row.timestamp,
                            valueNumber: latitude ? row.latitude : row.longitude, valueString: nil, latitude: nil, longitude: nil)
        }
    }

    /// Names of the signals a vehicle has data for (a location fix also answers the legacy latitude/longitude signals).
    public func availableSignals(vehicleId: Int64) async throws -> [String] {
        var names = try await database.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM telemetrySignal g
                WHERE EXISTS (SELECT 1 FROM telemetrySample WHERE vehicleId = ? AND signalId = g.id) ORDER BY name
                """, arguments: [vehicleId])
        }
        if names.contains("currentLocationCoordinates") { names += ["currentLocationLatitude", "currentLocationLongitude"] }
        return names.sorted()
    }

    /// Per-signal counts and first/last times.
    public func signalSummary(vehicleId: Int64) async throws -> [(name: String, count: Int, first: Date, last: Date)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT g.name, COUNT(*) AS n, MIN(s.timestamp) AS first, MAX(s.timestamp) AS last
                FROM telemetrySample s JOIN telemetrySignal g ON g.id = s.signalId
                WHERE s.vehicleId = ? GROUP BY s.signalId ORDER BY g.name
                """, arguments: [vehicleId])
                .map { ($0["name"], $0["n"], Date(epochMillis: $0["first"]), Date(epochMillis: $0["last"])) }
        }
    }
}
