import Foundation
import GRDB

/// Plays a sandbox's fleet forward in time: trips along each car's routine (position, speed,
/// odometer, energy or fuel used, range), charging sessions that taper near full, refuelling,
/// oil wear, and the telemetry samples, trips and events that a real fleet would record.
/// Deterministic: the same seed and the same interval give the same history.
enum Simulator {
    static let drivingStep: TimeInterval = 600
    static let parkedStep: TimeInterval = 3 * 3600
    static let homeChargerKW = 7.2
    /// A DC fast charger's peak power, the state of charge below which a BEV away from home uses one, and where it stops.
    static let dcChargerKW = 150.0
    static let dcFastChargeBelow = 0.35
    static let dcChargeLimit = 0.8
    /// Below this state of charge a drive raises a `lowBattery` event.
    static let lowBatteryFraction = 0.15
    /// The longest stretch one clock change plays out; a bigger jump skips the time before it (cars stay parked).
    public static let maxInterval: TimeInterval = 31 * 86400

    struct Efficiency {
        var kmPerKWh: Double
        var kmPerLiter: Double

        init(_ vehicle: VehicleRecord) {
            switch vehicle.powertrain {
            case .bev: kmPerKWh = 6.0; kmPerLiter = 0
            case .phev: kmPerKWh = 4.5; kmPerLiter = 16
            case .hev: kmPerKWh = 0; kmPerLiter = 20
            case .ice: kmPerKWh = 0; kmPerLiter = (vehicle.fuelTankLiters ?? 50) > 80 ? 8 : 13
            }
        }
    }

    /// Writes samples, trips and events through cached statements (fast for long intervals).
    struct Writer {
        let db: Database
        let sample: Statement
        let trip: Statement
        let event: Statement

        init(_ db: Database) throws {
            self.db = db
            sample = try db.cachedStatement(sql: TelemetrySignals.insertSQL)
            trip = try db.cachedStatement(sql: "INSERT OR REPLACE INTO trip (id, vehicleId, startTime, endTime, startLatitude, startLongitude, endLatitude, endLongitude, distanceKm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            event = try db.cachedStatement(sql: "INSERT INTO vehicleEvent (vehicleId, timestamp, name, durationNs, metadata) VALUES (?, ?, ?, ?, ?)")
        }

        func number(_ vehicleId: Int64, _ name: String, _ at: Date, _ value: Double) throws {
            try sample.execute(arguments: [vehicleId, name, at.epochMillis, value, nil, nil, nil])
        }

        func string(_ vehicleId: Int64, _ name: String, _ at: Date, _ value: String) throws {
            try sample.execute(arguments: [vehicleId, name, at.epochMillis, nil, value, nil, nil])
        }

        /// One row per fix; the legacy latitude/longitude signals are read from it.
        func location(_ vehicleId: Int64, _ at: Date, _ lat: Double, _ lon: Double) throws {
            try sample.execute(arguments: [vehicleId, "currentLocationCoordinates", at.epochMillis, nil, nil, lat, lon])
        }

        func all(_ vehicle: VehicleRecord, _ state: VehicleState, _ at: Date) throws {
            try TelemetrySignals.record(vehicle, state, at: at, in: db)
        }

        func event(_ vehicleId: Int64, _ at: Date, _ name: String, duration: TimeInterval = 0, metadata: String? = nil) throws {
            try event.execute(arguments: [vehicleId, at.epochMillis, name, Int64(duration * 1e9), metadata])
        }
    }

    /// Plays `[from, to)` for every vehicle of the sandbox and stores the resulting states.
    static func run(sandbox: SandboxRecord, from: Date, to: Date, in db: Database) throws {
        guard to > from else { return }
        let writer = try Writer(db)
        let vehicles = try VehicleRecord.filter(Column("sandboxId") == sandbox.id).order(Column("id")).fetchAll(db)
        for (index, vehicle) in vehicles.enumerated() {
            guard let id = vehicle.id, var record = try VehicleStateRecord.fetchOne(db, key: id),
                  let owner = try OwnerRecord.fetchOne(db, key: vehicle.ownerId) else { continue }
            let routine = Routine(seed: UInt64(bitPattern: sandbox.seed), vehicleKey: Int64(index), home: (owner.homeLatitude, owner.homeLongitude))
            let before = record.state
            var routineFrom = from
            var sleeping = false
            if let plan = try VehiclePlan.fetchOne(db, key: id) {
                sleeping = plan.isAsleep(at: to)
                // An explicit plan drives the car until it ends with a return to the routine (or is removed).
                let planEnd = plan.resumeRoutine ? min(to, max(from, plan.endsAt)) : to
                if planEnd > from { try play(vehicle: vehicle, state: &record.state, plan: plan, from: from, to: planEnd, writer: writer) }
                if plan.resumeRoutine, plan.endsAt <= to { try plan.delete(db) }
                routineFrom = planEnd
            }
            if routineFrom < to {
                _ = try play(vehicle: vehicle, state: &record.state, routine: routine, from: routineFrom, to: to, writer: writer)
            }
            try troubleCodes(vehicle, &record.state, routine: routine, from: from, to: to, writer: writer)
            let changed = record.state != before
            if changed {
                // A car in deep sleep reports nothing: its readings keep their old time.
                if !sleeping { record.updatedAt = to }
                try record.update(db)
                if !sleeping { try writer.all(vehicle, record.state, to) }
            }
        }
        try prune(sandbox: sandbox, from: from, to: to, in: db)
    }

    /// Drops samples, events and trips older than the sandbox's retention, once per simulated day
    /// (when `[from, to)` crosses a UTC midnight) so that catching up minute by minute stays cheap.
    static func prune(sandbox: SandboxRecord, from: Date, to: Date, in db: Database) throws {
        guard (from.timeIntervalSince1970 / 86400).rounded(.down) != (to.timeIntervalSince1970 / 86400).rounded(.down) else { return }
        let cutoff = to.addingTimeInterval(-Double(sandbox.settings.retentionDays) * 86400)
        let vehicles = "SELECT id FROM vehicle WHERE sandboxId = ?"
        try db.execute(sql: "DELETE FROM telemetrySample WHERE vehicleId IN (\(vehicles)) AND timestamp < ?", arguments: [sandbox.id, cutoff.epochMillis])
        try db.execute(sql: "DELETE FROM vehicleEvent WHERE vehicleId IN (\(vehicles)) AND timestamp < ?", arguments: [sandbox.id, cutoff.epochMillis])
        try db.execute(sql: "DELETE FROM trip WHERE vehicleId IN (\(vehicles)) AND endTime < ?", arguments: [sandbox.id, cutoff.epochMillis])
    }

    /// A 30-day past for a new sandbox, ending in the fixture's own state at `now`.
    static func history(sandbox: SandboxRecord, days: Int, now: Date, in db: Database) throws {
        guard days > 0 else { return }
        let from = now.addingTimeInterval(-Double(days) * 86400)
        let writer = try Writer(db)
        let vehicles = try VehicleRecord.filter(Column("sandboxId") == sandbox.id).order(Column("id")).fetchAll(db)
        for (index, vehicle) in vehicles.enumerated() {
            guard let id = vehicle.id, let record = try VehicleStateRecord.fetchOne(db, key: id),
                  let owner = try OwnerRecord.fetchOne(db, key: vehicle.ownerId) else { continue }
            let routine = Routine(seed: UInt64(bitPattern: sandbox.seed), vehicleKey: Int64(index), home: (owner.homeLatitude, owner.homeLongitude))
            let planned = routine.distance(from: from, to: now, driving: false)
            // Start from home, parked, with the odometer the trips will bring up to today's value.
            var past = record.state
            past.odometerKm = max(0, record.state.odometerKm - planned)
            (past.latitude, past.longitude) = routine.home
            past.speedKph = 0
            past.ignitionOn = false
            past.isPluggedIn = false
            past.chargeState = .notCharging
            if vehicle.powertrain.isPlugIn { past.stateOfCharge = min(past.chargeLimit, 0.85) }
            if vehicle.powertrain.hasFuelTank { past.fuelFraction = 0.9 }
            // Today is the fixture's truth: the sample written when the sandbox was made (at `now`) follows these.
            _ = try play(vehicle: vehicle, state: &past, routine: routine, from: from, to: now, writer: writer)
            past.troubleCodes = []
            try troubleCodes(vehicle, &past, routine: routine, from: from, to: now, writer: writer)
            // The codes active now join today's state (the rest of it is the fixture's).
            var today = record
            today.state.troubleCodes = record.state.troubleCodes ?? past.troubleCodes
            try today.update(db)
            if let codes = today.state.troubleCodes {
                try writer.string(id, "obdDTCList", now, TelemetrySignals.troubleCodeList(codes))
                try writer.number(id, "obdStatusDTCCount", now, Double(codes.count))
            }
            // A parked car stands where its latest trip ended.
            if !record.state.ignitionOn {
                try db.execute(sql: """
                    UPDATE trip SET endLatitude = ?, endLongitude = ?
                    WHERE id = (SELECT id FROM trip WHERE vehicleId = ? ORDER BY endTime DESC LIMIT 1)
                    """, arguments: [record.state.latitude, record.state.longitude, id])
            }
        }
    }

    /// Plays one vehicle; returns whether its state changed.
    static func play(vehicle: VehicleRecord, state: inout VehicleState, routine: Routine, from: Date, to: Date, writer: Writer) throws -> Bool {
        guard let vehicleId = vehicle.id else { return false }
        let before = state
        let efficiency = Efficiency(vehicle)
        // Legs overlapping the interval, including one begun before it, but only while the car is on that
        // drive: a car parked at `from` (a fixture's state, a patched state) does not resume a leg mid-way
        // with its ignition off.
        let legs = routine.legs(from: from.addingTimeInterval(-12 * 3600), to: to)
            .filter { $0.start.addingTimeInterval($0.duration) > from }
            .filter { $0.start >= from || state.ignitionOn }
        var cursor = from
        for leg in legs {
            let start = max(leg.start, from)
            if start > cursor { try park(vehicle, &state, from: cursor, to: min(start, to), home: routine.home, writer: writer) }
            if leg.start >= to { break }
            try drive(vehicle, &state, leg: leg, from: from, to: to, efficiency: efficiency, seed: routine.seed, writer: writer)
            cursor = min(leg.start.addingTimeInterval(leg.duration), to)
        }
        if cursor < to { try park(vehicle, &state, from: cursor, to: to, home: routine.home, writer: writer) }
        return state != before
    }

    static func drive(_ vehicle: VehicleRecord, _ state: inout VehicleState, leg: Routine.Leg, from: Date, to: Date,
                      efficiency: Efficiency, seed: UInt64, writer: Writer) throws {
        guard let id = vehicle.id else { return }
        let end = leg.start.addingTimeInterval(leg.duration)
        var rng = SeededRandom(seed: seed ^ UInt64(leg.start.timeIntervalSince1970))
        if leg.start >= from {
            // Departure: unplug, refuel if low, doors shut and locked, ignition on.
            if state.isPluggedIn {
                if state.chargeState == .charging { try writer.event(id, leg.start, "chargingStopped") }
                state.isPluggedIn = false
                state.chargeState = .notCharging
            }
            if vehicle.powertrain.hasFuelTank, let fuel = state.fuelFraction, fuel < 0.2 {
                state.fuelFraction = 1
                try writer.event(id, leg.start.addingTimeInterval(-600), "refuel", duration: 480, metadata: #"{"liters":\#(Int((1 - fuel) * (vehicle.fuelTankLiters ?? 50)))}"#)
            }
            state.doors = Corners(all: .closed)
            state.windows = Corners(all: .closed)
            state.trunk = .closed
            state.hood = .closed
            state.isLocked = true
            state.ignitionOn = true
            // Rolling tires warm up and gain a little pressure; they give it back when parked.
            adjustTires(&state, by: tireWarmUpKPa)
            try writer.event(id, leg.start, "ignitionOn")
        }
        let segmentStart = max(leg.start, from)
        let segmentEnd = min(end, to)
        var t = segmentStart
        while t < segmentEnd {
            let next = min(t.addingTimeInterval(drivingStep), segmentEnd)
            let f0 = t.timeIntervalSince(leg.start) / leg.duration
            let f1 = next.timeIntervalSince(leg.start) / leg.duration
            let km = leg.distanceKm * (f1 - f0)
            state.odometerKm += km
            let socBefore = state.stateOfCharge
            use(km, vehicle, &state, efficiency)
            if let before = socBefore, let after = state.stateOfCharge, before >= lowBatteryFraction, after < lowBatteryFraction {
                try writer.event(id, next, "lowBattery", metadata: #"{"stateOfCharge":\#((after * 1000).rounded() / 10)}"#)
            }
            // The alternator or DC-DC converter holds the 12 V battery up while the car runs.
            state.lowVoltageBatteryV = 14.1
            let position = point(leg, f1)
            state.heading = Geo.heading(from: point(leg, f0), to: position).rounded()
            (state.latitude, state.longitude) = position
            state.speedKph = next < end ? (leg.distanceKm / (leg.duration / 3600) * rng.double(in: 0.75...1.25)).rounded() : 0
            state.oilLife = state.oilLife.map { max(0, $0 - km / 15000) }
            try writer.number(id, "speed", next, state.speedKph)
            try writer.number(id, "powertrainTransmissionTravelledDistance", next, state.odometerKm)
            try writer.location(id, next, state.latitude, state.longitude)
            try writer.number(id, "powertrainRange", next, state.rangeKm)
            if let soc = state.stateOfCharge { try writer.number(id, "powertrainTractionBatteryStateOfChargeCurrent", next, soc * 100) }
            if let fuel = state.fuelFraction { try writer.number(id, "powertrainFuelSystemRelativeLevel", next, fuel * 100) }
            t = next
        }
        let pullAway = leg.start.addingTimeInterval(leg.duration / 5)
        let harshStart = rng.double(in: 0...1) < 0.1
        if harshStart, pullAway >= from, pullAway < to {
            try writer.event(id, pullAway, "behavior.harshAcceleration", metadata: #"{"speedKph":\#(Int(leg.distanceKm / (leg.duration / 3600)))}"#)
        }
        if leg.start < to, leg.start.addingTimeInterval(leg.duration / 2) >= from, leg.start.addingTimeInterval(leg.duration / 2) < to,
           rng.double(in: 0...1) < 0.15 {
            try writer.event(id, leg.start.addingTimeInterval(leg.duration / 2), "behavior.harshBraking", metadata: #"{"speedKph":\#(Int(state.speedKph))}"#)
        }
        if end <= to {
            // Arrival: parked, ignition off; plug-ins plug in at home in the evening when not nearly full.
            state.speedKph = 0
            state.ignitionOn = false
            state.lowVoltageBatteryV = 12.7
            adjustTires(&state, by: -tireWarmUpKPa)
            (state.latitude, state.longitude) = leg.to
            try writer.event(id, end, "ignitionOff", duration: leg.duration)
            let tripId = "trp_" + Hex.encode(Keccak256.hash("\(id):\(leg.start.timeIntervalSince1970)").prefix(10))
            try writer.trip.execute(arguments: [tripId, id, leg.start.epochMillis, end.epochMillis, leg.from.0, leg.from.1, leg.to.0, leg.to.1, leg.distanceKm])
            if vehicle.powertrain.isPlugIn, leg.endsAtHome, let soc = state.stateOfCharge, soc < state.chargeLimit - 0.05 {
                state.isPluggedIn = true
                state.chargeState = .charging
                try writer.event(id, end.addingTimeInterval(120), "chargingStarted")
            } else if vehicle.powertrain == .bev, !leg.endsAtHome, let soc = state.stateOfCharge, soc < dcFastChargeBelow {
                // Low away from home: a DC fast charger.
                state.isPluggedIn = true
                state.chargeState = .charging
                try writer.event(id, end.addingTimeInterval(300), "chargingStarted", metadata: #"{"kind":"DC"}"#)
            }
            try writer.all(vehicle, state, end)
        }
    }

    /// Parked time: charging if plugged in, and a sample every few hours unless the car is in deep sleep.
    /// Charging is AC at home (or wherever `home` is unknown) and DC fast charging elsewhere.
    static func park(_ vehicle: VehicleRecord, _ state: inout VehicleState, from: Date, to: Date, asleep: Bool = false,
                     home: (Double, Double)? = nil, writer: Writer) throws {
        let fastCharger = home.map { Geo.kilometres(from: $0, to: (state.latitude, state.longitude)) > 0.5 } ?? false
        guard let id = vehicle.id, to > from else { return }
        if state.speedKph > 0 || state.ignitionOn {
            // A car caught mid-drive by the interval (a fixture that starts moving) pulls over.
            state.speedKph = 0
            state.ignitionOn = false
            adjustTires(&state, by: -tireWarmUpKPa)
            try writer.event(id, from, "ignitionOff")
        }
        var t = from
        var nextSample = Date(timeIntervalSince1970: ((from.timeIntervalSince1970 / parkedStep).rounded(.down) + 1) * parkedStep)
        while t < to {
            let step = min(state.chargeState == .charging ? (fastCharger ? 120 : 900) : parkedStep, to.timeIntervalSince(t))
            let next = t.addingTimeInterval(step)
            if next >= nextSample, state.chargeState != .charging, state.lowVoltageBatteryV > 11.0 {
                // A parked car's 12 V battery drains slowly (half as fast in deep sleep, not while charging),
                // a step at each 3-hour mark so that any way of playing the same time drains the same.
                let before = state.lowVoltageBatteryV
                state.lowVoltageBatteryV = max(11.0, ((before - (asleep ? 0.0024 : 0.0048)) * 10000).rounded() / 10000)
                if before >= 11.8, state.lowVoltageBatteryV < 11.8 { try writer.event(id, nextSample, "lowVoltageBatteryLow") }
            }
            if state.chargeState == .charging, let soc = state.stateOfCharge, let capacity = vehicle.batteryCapacityKWh, capacity > 0 {
                // AC: flat to 80 %, then tapering. DC: full power to 50 %, tapering to 80 %, where it stops.
                let power = fastCharger ? dcChargerKW * (soc < 0.5 ? 1 : max(0.1, (0.85 - soc) / 0.35))
                                        : homeChargerKW * (soc < 0.8 ? 1 : max(0.25, (1 - soc) / 0.2))
                let limit = fastCharger ? min(state.chargeLimit, dcChargeLimit) : state.chargeLimit
                let added = power * step / 3600 / capacity
                var newSoc = soc >= limit ? soc : min(limit, soc + added)
                if newSoc >= limit - 0.0005 {
                    newSoc = max(soc, limit)
                    state.chargeState = .fullyCharged
                    try writer.event(id, next, "chargingCompleted")
                }
                state.stateOfCharge = (newSoc * 10000).rounded() / 10000
                rangeUpdate(vehicle, &state, Efficiency(vehicle))
                try writer.number(id, "powertrainTractionBatteryStateOfChargeCurrent", next, newSoc * 100)
                try writer.number(id, "powertrainTractionBatteryChargingIsCharging", next, state.chargeState == .charging ? 1 : 0)
            }
            if next >= nextSample, asleep {
                nextSample = nextSample.addingTimeInterval(parkedStep)
            } else if next >= nextSample {
                let hour = (next.timeIntervalSince1970 + (state.longitude / 15).rounded() * 3600).truncatingRemainder(dividingBy: 86400) / 3600
                let temperature = ((14 + 6 * sin((hour - 9) / 24 * 2 * .pi)) * 10).rounded() / 10
                // Tire pressure follows the air temperature, about 1 kPa per °C.
                adjustTires(&state, by: temperature - state.outsideTempC)
                state.outsideTempC = temperature
                state.cabinTempC = state.outsideTempC
                try writer.number(id, "exteriorAirTemperature", next, state.outsideTempC)
                try writer.number(id, "lowVoltageBatteryCurrentVoltage", next, state.lowVoltageBatteryV)
                try writer.number(id, "isIgnitionOn", next, 0)
                try writer.number(id, "speed", next, 0)
                try writer.number(id, "powertrainTransmissionTravelledDistance", next, state.odometerKm)
                try writer.location(id, next, state.latitude, state.longitude)
                nextSample = nextSample.addingTimeInterval(parkedStep)
            }
            t = next
        }
    }

    /// Sets and clears the routine's trouble codes within `[from, to)`: an event and a sample each time.
    /// Codes set by hand (a control-API patch) stay until patched away.
    static func troubleCodes(_ vehicle: VehicleRecord, _ state: inout VehicleState, routine: Routine, from: Date, to: Date, writer: Writer) throws {
        guard let id = vehicle.id else { return }
        let episodes = routine.troubleEpisodes(vehicle.powertrain, from: from, to: to)
        var codes = state.troubleCodes ?? []
        if state.troubleCodes == nil {
            // First time: what is active at `from`.
            for episode in episodes where episode.start < from && episode.end > from && !codes.contains(where: { $0.code == episode.code }) {
                codes.append(TroubleCode(code: episode.code, since: Timestamp.millis(episode.start)))
            }
        }
        var changes: [(at: Date, episode: Routine.TroubleEpisode, set: Bool)] = []
        for episode in episodes {
            if episode.start >= from, episode.start < to { changes.append((episode.start, episode, true)) }
            if episode.end >= from, episode.end < to { changes.append((episode.end, episode, false)) }
        }
        for change in changes.sorted(by: { $0.at < $1.at }) {
            let since = Timestamp.millis(change.episode.start)
            if change.set {
                guard !codes.contains(where: { $0.code == change.episode.code }) else { continue }
                codes.append(TroubleCode(code: change.episode.code, since: since))
                try writer.event(id, change.at, "dtcSet", metadata: #"{"code":"\#(change.episode.code)"}"#)
            } else {
                guard codes.contains(where: { $0.code == change.episode.code && $0.since == since }) else { continue }
                codes.removeAll { $0.code == change.episode.code && $0.since == since }
                try writer.event(id, change.at, "dtcCleared", metadata: #"{"code":"\#(change.episode.code)"}"#)
            }
            try writer.string(id, "obdDTCList", change.at, TelemetrySignals.troubleCodeList(codes))
            try writer.number(id, "obdStatusDTCCount", change.at, Double(codes.count))
        }
        state.troubleCodes = codes
    }

    static let tireWarmUpKPa = 6.0

    /// Adds `kPa` to every tire (rounded to 0.1 kPa, never below zero).
    static func adjustTires(_ state: inout VehicleState, by kPa: Double) {
        guard kPa != 0 else { return }
        func adjusted(_ value: Double) -> Double { max(0, ((value + kPa) * 10).rounded() / 10) }
        state.tirePressureKPa = Corners(frontLeft: adjusted(state.tirePressureKPa.frontLeft), frontRight: adjusted(state.tirePressureKPa.frontRight),
                                        backLeft: adjusted(state.tirePressureKPa.backLeft), backRight: adjusted(state.tirePressureKPa.backRight))
    }

    static func use(_ km: Double, _ vehicle: VehicleRecord, _ state: inout VehicleState, _ e: Efficiency) {
        var remaining = km
        if vehicle.powertrain.isPlugIn, let soc = state.stateOfCharge, let capacity = vehicle.batteryCapacityKWh, capacity > 0, e.kmPerKWh > 0 {
            let electricKm = min(remaining, soc * capacity * e.kmPerKWh)
            state.stateOfCharge = max(0, soc - electricKm / e.kmPerKWh / capacity)
            remaining -= electricKm
            if vehicle.powertrain == .bev { remaining = 0 }
        }
        if remaining > 0, let fuel = state.fuelFraction, let tank = vehicle.fuelTankLiters, tank > 0, e.kmPerLiter > 0 {
            state.fuelFraction = max(0, fuel - remaining / e.kmPerLiter / tank)
        }
        rangeUpdate(vehicle, &state, e)
    }

    static func rangeUpdate(_ vehicle: VehicleRecord, _ state: inout VehicleState, _ e: Efficiency) {
        var range = 0.0
        if let soc = state.stateOfCharge, let capacity = vehicle.batteryCapacityKWh { range += soc * capacity * e.kmPerKWh }
        if let fuel = state.fuelFraction, let tank = vehicle.fuelTankLiters { range += fuel * tank * e.kmPerLiter }
        state.rangeKm = (range * 10).rounded() / 10
    }

    /// A point along a leg, bowed slightly so routes are not straight lines.
    static func point(_ leg: Routine.Leg, _ fraction: Double) -> (Double, Double) {
        let f = min(1, max(0, fraction))
        let lat = leg.from.0 + (leg.to.0 - leg.from.0) * f
        let lon = leg.from.1 + (leg.to.1 - leg.from.1) * f
        let bow = sin(f * .pi) * 0.08
        return (((lat + (leg.to.1 - leg.from.1) * bow) * 1e6).rounded() / 1e6, ((lon - (leg.to.0 - leg.from.0) * bow) * 1e6).rounded() / 1e6)
    }
}
