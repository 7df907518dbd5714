import Foundation
import GRDB

/// A part of the car that opens and closes.
public enum VehiclePart: String, Sendable, CaseIterable {
    case doorFrontLeft = "doors.frontLeft", doorFrontRight = "doors.frontRight", doorBackLeft = "doors.backLeft", doorBackRight = "doors.backRight"
    case windowFrontLeft = "windows.frontLeft", windowFrontRight = "windows.frontRight", windowBackLeft = "windows.backLeft", windowBackRight = "windows.backRight"
    case trunk, hood, sunroof, chargingPort

    /// Sets the part's status in a state.
    func set(_ status: ClosureStatus, in state: inout VehicleState) {
        switch self {
        case .doorFrontLeft: state.doors.frontLeft = status
        case .doorFrontRight: state.doors.frontRight = status
        case .doorBackLeft: state.doors.backLeft = status
        case .doorBackRight: state.doors.backRight = status
        case .windowFrontLeft: state.windows.frontLeft = status
        case .windowFrontRight: state.windows.frontRight = status
        case .windowBackLeft: state.windows.backLeft = status
        case .windowBackRight: state.windows.backRight = status
        case .trunk: state.trunk = status
        case .hood: state.hood = status
        case .sunroof: state.sunroof = status
        case .chargingPort: state.chargingPort = status
        }
    }
}

/// One thing an explicit plan tells a car to do.
public enum PlanAction: Sendable, Equatable {
    /// Drive from wherever the car is to a point, at an average speed.
    case drive(latitude: Double, longitude: Double, speedKph: Double)
    /// Stay parked for a while.
    case wait(seconds: Double)
    case plugIn, unplug
    case open(VehiclePart), close(VehiclePart)
    case lock, unlock
    /// Deep sleep: the car stops reporting until it is woken or drives.
    case sleep, wake
}

/// What a client asks for: steps run one after another from `startAt` (default: the sandbox clock's now).
public struct PlanRequest: Sendable, Equatable {
    public var steps: [PlanAction]
    public var startAt: Date?
    /// Whether the car goes back to its routine once the last step is done (else it stays put until the plan is removed).
    public var resumeRoutine: Bool

    public init(steps: [PlanAction], startAt: Date? = nil, resumeRoutine: Bool = false) {
        self.steps = steps
        self.startAt = startAt
        self.resumeRoutine = resumeRoutine
    }
}

/// A step placed on the sandbox's timeline, with the positions a drive goes between.
public struct PlannedStep: Codable, Sendable, Equatable {
    /// `drive`, `wait`, `plugIn`, `unplug`, `open`, `close`, `lock`, `unlock`, `sleep` or `wake`.
    public var action: String
    public var at: Date
    public var end: Date
    public var part: String?
    public var fromLatitude: Double?
    public var fromLongitude: Double?
    public var toLatitude: Double?
    public var toLongitude: Double?
    public var distanceKm: Double?
    public var speedKph: Double?
    /// Set for steps done when the plan was made (instant steps at the clock's now).
    public var applied: Bool

    var isInstant: Bool { action != "drive" && action != "wait" }
}

/// A vehicle's explicit plan: while it exists, the car follows it instead of its routine.
public struct VehiclePlan: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "vehiclePlan"
    public var vehicleId: Int64
    public var createdAt: Date
    public var startAt: Date
    public var endsAt: Date
    public var resumeRoutine: Bool
    public var steps: [PlannedStep]

    /// Whether the car is in deep sleep at `time`: its latest sleep, wake or drive step by then is a sleep.
    public func isAsleep(at time: Date) -> Bool {
        asleep(through: steps.filter { $0.at <= time })
    }

    /// Whether the car starts an interval at `from` asleep: steps before it, and those already done at it.
    func isAsleep(enteringAt from: Date) -> Bool {
        asleep(through: steps.filter { $0.applied || $0.at < from })
    }

    private func asleep(through done: [PlannedStep]) -> Bool {
        var asleep = false
        for step in done {
            switch step.action {
            case "sleep": asleep = true
            case "wake", "drive": asleep = false
            default: break
            }
        }
        return asleep
    }
}

extension VehiclePlan {
    /// Lays the steps on the timeline from the car's position at `start`; checks each against the vehicle.
    static func build(_ request: PlanRequest, vehicle: VehicleRecord, state: VehicleState, start: Date, now: Date) throws -> VehiclePlan {
        guard let vehicleId = vehicle.id else { throw FleetError.notFound(kind: "vehicle", id: vehicle.vin) }
        guard !request.steps.isEmpty else { throw FleetError.invalid(field: "steps", reason: "needs at least one step") }
        // Whole milliseconds throughout, so a plan reads back from the database exactly as it was laid out.
        var t = start.wholeMillisecond
        var position = (state.latitude, state.longitude)
        var steps: [PlannedStep] = []
        for (index, action) in request.steps.enumerated() {
            let field = "steps[\(index)]"
            var step = PlannedStep(action: "", at: t, end: t, applied: false)
            switch action {
            case let .drive(latitude, longitude, speed):
                guard (-90...90).contains(latitude), (-180...180).contains(longitude) else {
                    throw FleetError.invalid(field: "\(field).drive.to", reason: "latitude must be in [-90, 90] and longitude in [-180, 180]")
                }
                guard speed > 0, speed <= 200 else { throw FleetError.invalid(field: "\(field).drive.speedKph", reason: "must be in (0, 200]") }
                // Roads are longer than the straight line.
                let km = max(0.1, Geo.kilometres(from: position, to: (latitude, longitude)) * 1.25)
                guard km <= 2000 else { throw FleetError.invalid(field: "\(field).drive.to", reason: "is \(Int(km)) km away; a plan drives at most 2000 km per step") }
                let duration = (km / speed * 3600).rounded()
                step.action = "drive"
                step.end = t.addingTimeInterval(duration).wholeMillisecond
                (step.fromLatitude, step.fromLongitude) = (position.0, position.1)
                (step.toLatitude, step.toLongitude) = (latitude, longitude)
                step.distanceKm = (km * 1000).rounded() / 1000
                step.speedKph = speed
                position = (latitude, longitude)
            case let .wait(seconds):
                guard seconds > 0, seconds <= 31 * 86400 else { throw FleetError.invalid(field: "\(field).wait", reason: "must be a duration between 1s and 31d") }
                step.action = "wait"
                step.end = t.addingTimeInterval(seconds).wholeMillisecond
            case .plugIn, .unplug:
                guard vehicle.powertrain.isPlugIn else {
                    throw FleetError.invalid(field: field, reason: "a \(vehicle.powertrain.rawValue) vehicle has no charging plug")
                }
                step.action = action == .plugIn ? "plugIn" : "unplug"
            case let .open(part), let .close(part):
                if part == .chargingPort, !vehicle.powertrain.isPlugIn {
                    throw FleetError.invalid(field: field, reason: "a \(vehicle.powertrain.rawValue) vehicle has no charging port")
                }
                if part == .sunroof, state.sunroof == nil { throw FleetError.invalid(field: field, reason: "this vehicle has no sunroof") }
                step.action = action == .open(part) ? "open" : "close"
                step.part = part.rawValue
            case .lock: step.action = "lock"
            case .unlock: step.action = "unlock"
            case .sleep: step.action = "sleep"
            case .wake: step.action = "wake"
            }
            steps.append(step)
            t = step.end
        }
        return VehiclePlan(vehicleId: vehicleId, createdAt: now, startAt: start, endsAt: t, resumeRoutine: request.resumeRoutine, steps: steps)
    }
}

extension Simulator {
    /// Does an instant step to a state at its time: the state change, its event, a full sample.
    static func apply(_ step: PlannedStep, _ vehicle: VehicleRecord, _ state: inout VehicleState, writer: Writer) throws {
        guard let id = vehicle.id else { return }
        switch step.action {
        case "plugIn":
            guard !state.isPluggedIn else { break }
            state.isPluggedIn = true
            state.chargingPort = state.chargingPort.map { _ in .open }
            if let soc = state.stateOfCharge, soc < state.chargeLimit - 0.0005 {
                state.chargeState = .charging
                try writer.event(id, step.at, "chargingStarted")
            } else {
                state.chargeState = .fullyCharged
            }
        case "unplug":
            guard state.isPluggedIn else { break }
            if state.chargeState == .charging { try writer.event(id, step.at, "chargingStopped") }
            state.isPluggedIn = false
            state.chargeState = .notCharging
            state.chargingPort = state.chargingPort.map { _ in .closed }
        case "open", "close":
            if let part = step.part.flatMap(VehiclePart.init(rawValue:)) { part.set(step.action == "open" ? .open : .closed, in: &state) }
        case "lock": state.isLocked = true
        case "unlock": state.isLocked = false
        case "sleep":
            try writer.event(id, step.at, "deepSleepStarted")
        case "wake":
            try writer.event(id, step.at, "deepSleepEnded")
        default: break
        }
        try writer.all(vehicle, state, step.at)
    }

    /// Plays `[from, to)` of a plan: parked between steps, drives along the planned legs, instant steps at their times.
    static func play(vehicle: VehicleRecord, state: inout VehicleState, plan: VehiclePlan, from: Date, to: Date, writer: Writer) throws {
        let efficiency = Efficiency(vehicle)
        var asleep = plan.isAsleep(enteringAt: from)
        var cursor = from
        for step in plan.steps {
            if step.isInstant {
                guard !step.applied, step.at >= from, step.at < to else { continue }
                if step.at > cursor { try park(vehicle, &state, from: cursor, to: step.at, asleep: asleep, writer: writer) }
                cursor = max(cursor, step.at)
                try apply(step, vehicle, &state, writer: writer)
                if step.action == "sleep" { asleep = true }
                if step.action == "wake" { asleep = false }
            } else if step.action == "drive", step.end > from, step.at < to,
                      let fromLat = step.fromLatitude, let fromLon = step.fromLongitude, let toLat = step.toLatitude, let toLon = step.toLongitude {
                if step.at > cursor { try park(vehicle, &state, from: cursor, to: step.at, asleep: asleep, writer: writer) }
                asleep = false
                let leg = Routine.Leg(start: step.at, duration: max(1, step.end.timeIntervalSince(step.at)), from: (fromLat, fromLon), to: (toLat, toLon),
                                      distanceKm: step.distanceKm ?? 0, endsAtHome: false)
                try drive(vehicle, &state, leg: leg, from: from, to: to, efficiency: efficiency,
                          seed: UInt64(bitPattern: plan.vehicleId) &* 0x9E37_79B9, writer: writer)
                cursor = max(cursor, min(step.end, to))
            }
        }
        if cursor < to { try park(vehicle, &state, from: cursor, to: to, asleep: asleep, writer: writer) }
    }
}

extension Geo {
    /// Great-circle distance in kilometres.
    static func kilometres(from a: (Double, Double), to b: (Double, Double)) -> Double {
        let rad = Double.pi / 180
        let dLat = (b.0 - a.0) * rad, dLon = (b.1 - a.1) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.0 * rad) * cos(b.0 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371 * asin(min(1, sqrt(h)))
    }
}

extension Fleet {
    /// Gives a vehicle an explicit plan (replacing any earlier one). The simulation first catches up with the
    /// clock, so the plan starts from where the car is now; steps due now happen at once.
    public func setPlan(in sandboxId: String, vin: String, _ request: PlanRequest) async throws -> VehiclePlan {
        let plan = try await database.write { db -> VehiclePlan in
            guard var sandbox = try SandboxRecord.fetchOne(db, key: sandboxId) else { throw FleetError.notFound(kind: "sandbox", id: sandboxId) }
            guard let vehicle = try VehicleRecord.filter(Column("sandboxId") == sandboxId)
                .filter(Column("vin") == vin.uppercased() || Column("smartcarId") == vin).fetchOne(db),
                let vehicleId = vehicle.id else { throw FleetError.notFound(kind: "vehicle", id: vin) }
            let now = sandbox.clock.now()
            let simulated = sandbox.simulatedUntil ?? sandbox.createdAt
            if now > simulated {
                try Simulator.run(sandbox: sandbox, from: max(simulated, now.addingTimeInterval(-Simulator.maxInterval)), to: now, in: db)
            }
            // The next interval played starts at exactly the plan's first step: both are stored from this same value.
            sandbox.simulatedUntil = now
            try sandbox.update(db)
            let start = request.startAt ?? now
            guard start >= now.addingTimeInterval(-1) else { throw FleetError.invalid(field: "startAt", reason: "is before the sandbox clock's now") }
            guard var record = try VehicleStateRecord.fetchOne(db, key: vehicleId) else { throw FleetError.notFound(kind: "vehicle", id: vin) }
            var plan = try VehiclePlan.build(request, vehicle: vehicle, state: record.state, start: max(start, now), now: now)
            // A car driving its routine pulls over where it is; steps due now happen now.
            let writer = try Simulator.Writer(db)
            if record.state.ignitionOn || record.state.speedKph > 0 {
                record.state.ignitionOn = false
                record.state.speedKph = 0
                Simulator.adjustTires(&record.state, by: -Simulator.tireWarmUpKPa)
                try writer.event(vehicleId, now, "ignitionOff")
            }
            for index in plan.steps.indices {
                guard plan.steps[index].isInstant, plan.steps[index].at <= now else { break }
                try Simulator.apply(plan.steps[index], vehicle, &record.state, writer: writer)
                plan.steps[index].applied = true
            }
            record.updatedAt = now
            try record.update(db)
            try writer.all(vehicle, record.state, now)
            try plan.save(db)
            return plan
        }
        changes.publish(FleetChange(sandboxId: sandboxId, vehicleIds: [plan.vehicleId], cause: .simulation))
        return plan
    }

    /// A vehicle's plan, if it has one.
    public func plan(in sandboxId: String, vin: String) async throws -> VehiclePlan? {
        let snapshot = try await vehicle(in: sandboxId, vin: vin)
        return try await database.read { db in try VehiclePlan.fetchOne(db, key: snapshot.vehicle.id) }
    }

    /// Removes a vehicle's plan: it wakes if asleep and goes back to its routine. False when it had none.
    public func removePlan(in sandboxId: String, vin: String) async throws -> Bool {
        let snapshot = try await vehicle(in: sandboxId, vin: vin)
        return try await database.write { db in try VehiclePlan.deleteOne(db, key: snapshot.vehicle.id) }
    }

    /// Whether a vehicle is in deep sleep (by its plan) at `time`.
    public func isAsleep(vehicleId: Int64, at time: Date) async throws -> Bool {
        try await database.read { db in try VehiclePlan.fetchOne(db, key: vehicleId)?.isAsleep(at: time) ?? false }
    }
}
