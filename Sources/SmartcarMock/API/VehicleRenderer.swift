import FleetCore
import FleetHTTP
import Foundation

/// Renders a vehicle's physical state as Smartcar v2.0 bodies.
struct VehicleRenderer {
    let vehicle: VehicleRecord
    let state: VehicleState
    let units: UnitSystem
    let now: Date
    /// Test vehicles report readings as decimals (219.3 kPa), never whole numbers, as upstream's do.
    var decimalReadings = false

    /// The electric share of a plug-in's range.
    var electricRangeKm: Double {
        guard let soc = state.stateOfCharge, let kwh = vehicle.batteryCapacityKWh else { return 0 }
        if vehicle.powertrain == .bev { return state.rangeKm }
        return min(state.rangeKm, soc * kwh * 4.5)
    }

    /// A measured value at `places` decimals. With `decimalReadings` a non-zero value never lands on a
    /// whole number (which JSON would carry as an integer): it shows one more decimal, or moves by
    /// the smallest step of that decimal.
    func reading(_ value: Double, _ places: Int) -> Double {
        let shown = rounded(value, places)
        guard decimalReadings, shown != 0, shown == shown.rounded() else { return shown }
        let finer = rounded(value, places + 1)
        if finer != finer.rounded() { return finer }
        var step = 1.0
        for _ in 0...places { step /= 10 }
        return shown + step
    }

    var attributes: JSONValue {
        .object([("id", .string(vehicle.smartcarId)), ("make", .string(vehicle.make)), ("model", .string(vehicle.model)),
                 ("year", .integer(Int64(vehicle.year)))])
    }

    var vin: JSONValue { .object([("vin", .string(vehicle.vin))]) }

    var odometer: JSONValue { .object([("distance", .number(reading(units.distance(state.odometerKm), 2)))]) }

    var location: JSONValue {
        .object([("latitude", .number(rounded(state.latitude, 6))), ("longitude", .number(rounded(state.longitude, 6)))])
    }

    var battery: JSONValue {
        .object([("percentRemaining", .number(rounded(state.stateOfCharge ?? 0, 4))),
                 ("range", .number(reading(units.distance(electricRangeKm), 1)))])
    }

    var batteryCapacity: JSONValue { .object([("capacity", .number(vehicle.batteryCapacityKWh ?? 0))]) }

    var nominalCapacity: JSONValue {
        let capacity = vehicle.batteryCapacityKWh ?? 0
        return .object([
            ("availableCapacities", .array([.object([("capacity", .number(capacity)), ("description", .null)])])),
            ("capacity", .object([("nominal", .number(capacity)), ("source", "SMARTCAR")])),
            ("url", .null),
        ])
    }

    var charge: JSONValue {
        .object([("isPluggedIn", .bool(state.isPluggedIn)), ("state", .string(state.chargeState.rawValue))])
    }

    var chargeLimit: JSONValue { .object([("limit", .number(state.chargeLimit))]) }

    var fuel: JSONValue {
        let fraction = state.fuelFraction ?? 0
        let liters = fraction * (vehicle.fuelTankLiters ?? 0)
        let fuelRange = max(0, state.rangeKm - (vehicle.powertrain == .phev ? electricRangeKm : 0))
        return .object([("amountRemaining", .number(reading(units.volume(liters), 1))),
                        ("percentRemaining", .number(rounded(fraction, 4))),
                        ("range", .number(reading(units.distance(fuelRange), 1)))])
    }

    var tirePressure: JSONValue {
        let t = state.tirePressureKPa
        return .object([("backLeft", .number(reading(units.pressure(t.backLeft), 1))),
                        ("backRight", .number(reading(units.pressure(t.backRight), 1))),
                        ("frontLeft", .number(reading(units.pressure(t.frontLeft), 1))),
                        ("frontRight", .number(reading(units.pressure(t.frontRight), 1)))])
    }

    var engineOil: JSONValue { .object([("lifeRemaining", .number(rounded(state.oilLife ?? 0, 4)))]) }

    var security: JSONValue {
        func closures(_ corners: Corners<ClosureStatus>) -> JSONValue {
            .array([("frontLeft", corners.frontLeft), ("frontRight", corners.frontRight), ("backRight", corners.backRight), ("backLeft", corners.backLeft)]
                .map { .object([("type", .string($0.0)), ("status", .string($0.1.rawValue))]) })
        }
        let sunroof: JSONValue = state.sunroof.map { .array([.object([("type", "sunroof"), ("status", .string($0.rawValue))])]) } ?? .array([])
        let port: JSONValue = state.chargingPort.map { .array([.object([("type", "chargingPort"), ("status", .string($0.rawValue))])]) } ?? .array([])
        return .object([
            ("isLocked", .bool(state.isLocked)),
            ("doors", closures(state.doors)),
            ("windows", closures(state.windows)),
            ("sunroof", sunroof),
            ("storage", .array([.object([("type", "rear"), ("status", .string(state.trunk.rawValue))]),
                                .object([("type", "front"), ("status", .string(state.hood.rawValue))])])),
            ("chargingPort", port),
        ])
    }

    /// Maintenance records every 15 000 km, dated back from now at the car's average mileage.
    func serviceHistory(from start: Date?, to end: Date?) -> JSONValue {
        let interval = 15_000.0
        let count = Int(state.odometerKm / interval)
        let ageYears = max(0.5, Double(Calendar(identifier: .gregorian).component(.year, from: now) - vehicle.year) + 0.5)
        let kmPerSecond = max(state.odometerKm, 1) / (ageYears * 365.25 * 86400)
        var records: [JSONValue] = []
        let tasks = [("1001", "Engine oil and filter change"), ("1002", "Tire rotation"), ("1003", "Multi-point inspection"),
                     ("1004", "Cabin air filter replacement"), ("1005", "Brake fluid exchange")]
        for i in stride(from: count, through: 1, by: -1) {
            let distance = Double(i) * interval
            let date = now.addingTimeInterval(-(state.odometerKm - distance) / kmPerSecond)
            if let start, date < start { continue }
            if let end, date > end { continue }
            var taskList: [JSONValue] = []
            for (n, task) in tasks.enumerated() where vehicle.powertrain != .bev || n != 0 {
                if (i + n) % 2 == 0 || n == 2 {
                    taskList.append(.object([("taskId", .string(task.0)), ("taskDescription", .string(task.1))]))
                }
            }
            records.append(.object([
                ("serviceId", .string("svc-\(vehicle.vin.suffix(6))-\(i)")),
                ("odometerDistance", .number(rounded(distance))),
                ("serviceDate", .string(Timestamp.millis(date))),
                ("serviceTasks", .array(taskList)),
                ("serviceDetails", .array([.object([("type", "dealer"), ("value", "fleetmock service center")])])),
                ("serviceCost", .object([("totalCost", .null), ("currency", .null)])),
            ]))
        }
        return .array(records)
    }

    var diagnosticSystems: [(id: String, alert: String?)] {
        var systems: [(String, String?)] = []
        let low = state.tirePressureKPa.ordered.filter { $0.value < 200 }.map(\.name)
        systems.append(("SYSTEM_TPMS", low.isEmpty ? nil : "Low tire pressure: \(low.joined(separator: ", "))"))
        systems.append(("SYSTEM_LOW_VOLTAGE_BATTERY", state.lowVoltageBatteryV < 11.8 ? "12V battery voltage low" : nil))
        systems.append(("SYSTEM_AIRBAG", nil))
        systems.append(("SYSTEM_BRAKE_FLUID", nil))
        if vehicle.powertrain.hasEngine {
            systems.append(("SYSTEM_ENGINE_OIL", (state.oilLife ?? 1) < 0.1 ? "Engine oil life below 10%" : nil))
        }
        if vehicle.powertrain.isPlugIn {
            systems.append(("SYSTEM_EV_BATTERY_CONDITIONING", nil))
            systems.append(("SYSTEM_EV_HV_BATTERY", nil))
        }
        return systems
    }

    var systemStatus: JSONValue {
        .object([("systems", .array(diagnosticSystems.map {
            .object([("systemId", .string($0.id)), ("status", .string($0.alert == nil ? "OK" : "ALERT")), ("description", .string($0.alert))])
        }))])
    }

    var troubleCodes: JSONValue {
        // The codes the car has set, each with when it set it; then codes read off its condition now.
        var codes: [JSONValue] = (state.troubleCodes ?? []).map { .object([("code", .string($0.code)), ("timestamp", .string($0.since))]) }
        let stamp = JSONValue.string(Timestamp.millis(now))
        let set = Set((state.troubleCodes ?? []).map(\.code))
        func add(_ code: String) { if !set.contains(code) { codes.append(.object([("code", .string(code)), ("timestamp", stamp)])) } }
        if state.lowVoltageBatteryV < 11.8 { add("P0562") }
        if state.tirePressureKPa.ordered.contains(where: { $0.value < 200 }) { add("C0750") }
        if vehicle.powertrain.hasEngine, (state.oilLife ?? 1) < 0.05 { add("P0520") }
        return .object([("activeCodes", .array(codes))])
    }
}
