import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// One vehicle endpoint of API v2.0 (and v1.0): what it needs and what it does.
struct VehicleEndpoint: Sendable {
    enum Kind: Sendable {
        case attributes, vin, odometer, location, battery, batteryCapacity, nominalCapacity
        case charge, startStopCharge, chargeLimit, setChargeLimit, fuel, tirePressure, engineOil
        case security, lockUnlock, destination, serviceHistory, systemStatus, troubleCodes, permissions, disconnect
    }

    var kind: Kind
    /// The permission required, or nil for endpoints any token may call.
    var permission: String?
    /// Static endpoints ignore test-mode error triggers (`/`, `/vin`, `/permissions`).
    var isStatic = false
    /// Whether the body carries units (`SC-Unit-System`).
    var unitBearing = false
    /// Whether the body reports vehicle data (`SC-Data-Age`, `SC-Fetched-At`).
    var carriesData = true

    /// Every endpoint below `/vehicles/{id}`: its method, its path (no leading or trailing slash)
    /// and what it is. The router mounts one route each; batch resolves its paths here. (`DELETE …/application`
    /// is `disconnect`, with a route of its own.)
    static let table: [(method: HTTPRequest.Method, path: String, endpoint: VehicleEndpoint)] = [
        (.get, "", .init(kind: .attributes, permission: "read_vehicle_info", isStatic: true, carriesData: false)),
        (.get, "vin", .init(kind: .vin, permission: "read_vin", isStatic: true, carriesData: false)),
        (.get, "odometer", .init(kind: .odometer, permission: "read_odometer", unitBearing: true)),
        (.get, "location", .init(kind: .location, permission: "read_location")),
        (.get, "battery", .init(kind: .battery, permission: "read_battery", unitBearing: true)),
        (.get, "battery/capacity", .init(kind: .batteryCapacity, permission: "read_battery")),
        (.get, "battery/nominal_capacity", .init(kind: .nominalCapacity, permission: "read_battery")),
        (.get, "charge", .init(kind: .charge, permission: "read_charge")),
        (.post, "charge", .init(kind: .startStopCharge, permission: "control_charge", carriesData: false)),
        (.get, "charge/limit", .init(kind: .chargeLimit, permission: "read_charge")),
        (.post, "charge/limit", .init(kind: .setChargeLimit, permission: "control_charge", carriesData: false)),
        (.get, "fuel", .init(kind: .fuel, permission: "read_fuel", unitBearing: true)),
        (.get, "tires/pressure", .init(kind: .tirePressure, permission: "read_tires", unitBearing: true)),
        (.get, "engine/oil", .init(kind: .engineOil, permission: "read_engine_oil")),
        (.get, "security", .init(kind: .security, permission: "read_security")),
        (.post, "security", .init(kind: .lockUnlock, permission: "control_security", carriesData: false)),
        (.post, "navigation/destination", .init(kind: .destination, permission: "control_navigation", carriesData: false)),
        (.get, "service/history", .init(kind: .serviceHistory, permission: "read_service_history", unitBearing: true)),
        (.get, "diagnostics/system_status", .init(kind: .systemStatus, permission: "read_diagnostics")),
        (.get, "diagnostics/dtcs", .init(kind: .troubleCodes, permission: "read_diagnostics")),
        (.get, "permissions", .init(kind: .permissions, permission: nil, isStatic: true, carriesData: false)),
    ]

    /// `DELETE /vehicles/{id}/application`: its own route, since a management token may call it too.
    static let disconnect = VehicleEndpoint(kind: .disconnect, permission: nil, isStatic: true, carriesData: false)

    /// The endpoint for a method and a path below `/vehicles/{id}` (no leading or trailing slash).
    static func resolve(method: HTTPRequest.Method, path: String) -> VehicleEndpoint? {
        table.first { $0.method == method && $0.path == path }?.endpoint
    }
}

/// The outcome of one endpoint call, before it becomes a response or a batch item.
struct EndpointResult: Sendable {
    var body: JSONValue
    var dataAge: Date?
    var fetchedAt: Date?
    var unitSystem: UnitSystem?

    /// Smartcar's response headers for this result, lower-case as batch items carry them.
    var headerPairs: [(String, String)] {
        var pairs: [(String, String)] = []
        if let dataAge { pairs.append(("sc-data-age", Timestamp.millis(dataAge))) }
        if let fetchedAt { pairs.append(("sc-fetched-at", Timestamp.millis(fetchedAt))) }
        if let unitSystem { pairs.append(("sc-unit-system", unitSystem.rawValue)) }
        return pairs
    }
}

/// Runs vehicle endpoints against the fleet, enforcing scopes, capabilities and the car's state.
struct VehicleEndpointRunner: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess

    static let actionSuccess: JSONValue = .object([("message", "Successfully sent request to vehicle"), ("status", "success")])

    func run(_ endpoint: VehicleEndpoint, vehicle: VehicleRecord, grant: SmartcarGrant, body: JSONValue?,
             query: [String: String], units: UnitSystem) async throws -> EndpointResult {
        if let permission = endpoint.permission, !grant.allows(permission) {
            throw SmartcarAPIError.permission
        }
        if !endpoint.isStatic, let trigger = grant.testAccount?.errorTrigger {
            throw Self.triggeredError(trigger)
        }
        guard let vehicleId = vehicle.id else { throw SmartcarAPIError.validation() }
        let now = grant.now
        // One read for the vehicle and its plan. A car put into deep sleep by its plan answers
        // nothing but its static data.
        let (snapshot, asleep) = try await fleet.vehicleReading(vehicle, owner: grant.owner, at: now)
        if !endpoint.isStatic, asleep {
            throw SmartcarAPIError.of("VEHICLE_STATE", "ASLEEP")
        }
        // A test-mode login's cars answer like upstream's test vehicles: decimal readings, commands that succeed.
        let testVehicle = grant.testAccount?.mode == .test
        var renderer = VehicleRenderer(vehicle: vehicle, state: snapshot.state, units: units, now: now, decimalReadings: testVehicle)
        var result = EndpointResult(body: .null,
                                    dataAge: endpoint.carriesData ? min(snapshot.updatedAt, now) : nil,
                                    fetchedAt: endpoint.carriesData ? now : nil,
                                    unitSystem: endpoint.unitBearing ? units : nil)
        let powertrain = vehicle.powertrain
        func requirePlugIn() throws {
            if !powertrain.isPlugIn { throw SmartcarAPIError.of("COMPATIBILITY", "VEHICLE_NOT_CAPABLE") }
        }

        switch endpoint.kind {
        case .attributes: result.body = renderer.attributes
        case .vin: result.body = renderer.vin
        case .odometer: result.body = renderer.odometer
        case .location: result.body = renderer.location
        case .battery:
            try requirePlugIn()
            result.body = renderer.battery
        case .batteryCapacity:
            try requirePlugIn()
            result.body = renderer.batteryCapacity
        case .nominalCapacity:
            try requirePlugIn()
            result.body = renderer.nominalCapacity
        case .charge:
            try requirePlugIn()
            result.body = renderer.charge
        case .chargeLimit:
            try requirePlugIn()
            result.body = renderer.chargeLimit
        case .fuel:
            if !powertrain.hasFuelTank { throw SmartcarAPIError.of("COMPATIBILITY", "VEHICLE_NOT_CAPABLE") }
            result.body = renderer.fuel
        case .tirePressure: result.body = renderer.tirePressure
        case .engineOil:
            if !powertrain.hasEngine { throw SmartcarAPIError.of("COMPATIBILITY", "VEHICLE_NOT_CAPABLE") }
            result.body = renderer.engineOil
        case .security: result.body = renderer.security
        case .serviceHistory:
            let start = try Self.dateParameter(query, "startDate", "start_date")
            let end = try Self.dateParameter(query, "endDate", "end_date")
            result.body = renderer.serviceHistory(from: start ?? now.addingTimeInterval(-365 * 86400), to: end ?? now)
        case .systemStatus: result.body = renderer.systemStatus
        case .troubleCodes: result.body = renderer.troubleCodes
        case .permissions:
            let (limit, offset) = try Self.paging(query, defaultLimit: 25, maxLimit: 100)
            let names = grant.permissions
            result.body = .object([
                ("paging", .object([("count", .integer(Int64(names.count))), ("offset", .integer(Int64(offset)))])),
                ("permissions", .array(names.dropFirst(offset).prefix(limit).map { .string($0) })),
            ])
        case .disconnect:
            try await access.disconnect(vehicleId: vehicleId, accessToken: grant.token.accessToken)
            result.body = .object([("status", "success")])
        case .lockUnlock:
            let action = try Self.action(body, allowed: ["LOCK", "UNLOCK"])
            let updated = try await mutate(grant: grant, vehicleId: vehicleId) { state in
                if !testVehicle { try Self.requireLockable(state, action: action) }
                state.isLocked = action == "LOCK"
            }
            renderer = VehicleRenderer(vehicle: vehicle, state: updated, units: units, now: now, decimalReadings: testVehicle)
            result.body = Self.actionSuccess
        case .startStopCharge:
            try requirePlugIn()
            let action = try Self.action(body, allowed: ["START", "STOP"])
            _ = try await mutate(grant: grant, vehicleId: vehicleId) { state in
                if testVehicle { Self.testCharge(&state, action: action) } else { try Self.charge(&state, action: action) }
            }
            result.body = Self.actionSuccess
        case .setChargeLimit:
            try requirePlugIn()
            let limit = try Self.limit(body)
            _ = try await mutate(grant: grant, vehicleId: vehicleId) { state in
                state.chargeLimit = limit
                if let soc = state.stateOfCharge, state.isPluggedIn {
                    if soc >= limit - 0.001, state.chargeState == .charging { state.chargeState = .fullyCharged }
                    if soc < limit - 0.001, state.chargeState == .fullyCharged { state.chargeState = .notCharging }
                }
            }
            result.body = Self.actionSuccess
        case .destination:
            _ = try Self.coordinates(body)
            // Sending a destination changes nothing physical; a flat 12 V battery cannot receive it.
            if !testVehicle, snapshot.state.lowVoltageBatteryV < 11.0 { throw SmartcarAPIError.of("VEHICLE_STATE", "LOW_BATTERY") }
            result.body = Self.actionSuccess
        }
        return result
    }

    /// Applies a command's effect in one transaction; a thrown vehicle-state error leaves the car unchanged.
    private func mutate(grant: SmartcarGrant, vehicleId: Int64, _ change: @Sendable @escaping (inout VehicleState) throws -> Void) async throws -> VehicleState {
        try await fleet.updateState(in: grant.sandbox.id, vehicleId: vehicleId, change).state
    }

    /// LOCK and UNLOCK need a parked car; LOCK also needs every door, the trunk and the hood shut.
    static func requireLockable(_ state: VehicleState, action: String) throws {
        if state.speedKph > 0 { throw SmartcarAPIError.of("VEHICLE_STATE", "IN_MOTION") }
        guard action == "LOCK" else { return }
        if state.anyDoorOpen { throw SmartcarAPIError.of("VEHICLE_STATE", "DOOR_OPEN") }
        if state.trunk == .open { throw SmartcarAPIError.of("VEHICLE_STATE", "TRUNK_OPEN") }
        if state.hood == .open { throw SmartcarAPIError.of("VEHICLE_STATE", "HOOD_OPEN") }
    }

    /// START or STOP on a live car: each refused with the vehicle-state error its condition gives.
    static func charge(_ state: inout VehicleState, action: String) throws {
        guard state.isPluggedIn else { throw SmartcarAPIError.of("VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED") }
        if action == "START" {
            if state.chargeState == .charging { throw SmartcarAPIError.of("VEHICLE_STATE", "CHARGING_IN_PROGRESS") }
            if let soc = state.stateOfCharge, soc >= state.chargeLimit - 0.001 {
                throw SmartcarAPIError.of("VEHICLE_STATE", "FULLY_CHARGED")
            }
            state.chargeState = .charging
        } else {
            if state.chargeState != .charging { throw SmartcarAPIError.of("VEHICLE_STATE", "NOT_CHARGING") }
            state.chargeState = .notCharging
        }
    }

    /// START or STOP on a test vehicle always succeeds: an unplugged car is plugged in first, START
    /// charges up to the limit (a car already there is fully charged), STOP ends a charge in progress.
    static func testCharge(_ state: inout VehicleState, action: String) {
        if !state.isPluggedIn {
            state.isPluggedIn = true
            state.chargingPort = state.chargingPort.map { _ in .open }
            state.chargeState = .notCharging
        }
        if action == "START" {
            let full = (state.stateOfCharge ?? 1) >= state.chargeLimit - 0.001
            state.chargeState = full ? .fullyCharged : .charging
        } else if state.chargeState == .charging {
            state.chargeState = .notCharging
        }
    }

    static func triggeredError(_ trigger: String) -> SmartcarAPIError {
        if trigger.hasPrefix("v1:") {
            switch trigger.dropFirst(3) {
            case "vs-001": return .of("VEHICLE_STATE", "DOOR_OPEN")
            case "vs-002": return .of("VEHICLE_STATE", "TRUNK_OPEN")
            case "vs-003": return .of("VEHICLE_STATE", "HOOD_OPEN")
            case "voa-000": return .of("CONNECTED_SERVICES_ACCOUNT", "AUTHENTICATION_FAILED")
            case "voa-001": return .of("CONNECTED_SERVICES_ACCOUNT", "SUBSCRIPTION")
            default: return .of("VEHICLE_STATE", "UNKNOWN")
            }
        }
        let parts = trigger.split(separator: ".", maxSplits: 1).map(String.init)
        return .of(parts[0], parts.count > 1 ? parts[1] : nil)
    }

    static func action(_ body: JSONValue?, allowed: [String]) throws -> String {
        guard let action = body?["action"]?.stringValue else {
            throw SmartcarAPIError.validation("\"action\" is required", field: "action")
        }
        guard allowed.contains(action) else {
            throw SmartcarAPIError.validation("\"action\" must be one of [\(allowed.joined(separator: ", "))]", field: "action")
        }
        return action
    }

    /// `limit` as a number or a numeric string (node sends a string), 0.5 ... 1.
    static func limit(_ body: JSONValue?) throws -> Double {
        guard let raw = body?["limit"] else { throw SmartcarAPIError.validation("\"limit\" is required", field: "limit") }
        let value = raw.doubleValue ?? raw.stringValue.flatMap(Double.init)
        guard let value else { throw SmartcarAPIError.validation("\"limit\" must be a number", field: "limit") }
        guard value >= 0.5, value <= 1 else {
            throw SmartcarAPIError.validation("\"limit\" must be greater than or equal to 0.5 and less than or equal to 1", field: "limit")
        }
        return value
    }

    static func coordinates(_ body: JSONValue?) throws -> (Double, Double) {
        guard let latitude = body?["latitude"]?.doubleValue else { throw SmartcarAPIError.validation("\"latitude\" is required", field: "latitude") }
        guard let longitude = body?["longitude"]?.doubleValue else { throw SmartcarAPIError.validation("\"longitude\" is required", field: "longitude") }
        guard (-90...90).contains(latitude) else { throw SmartcarAPIError.validation("\"latitude\" must be between -90 and 90", field: "latitude") }
        guard (-180...180).contains(longitude) else { throw SmartcarAPIError.validation("\"longitude\" must be between -180 and 180", field: "longitude") }
        return (latitude, longitude)
    }

    static func dateParameter(_ query: [String: String], _ names: String...) throws -> Date? {
        for name in names {
            guard let text = query[name] else { continue }
            if let date = Timestamp.parse(text) { return date }
            if let day = Timestamp.parse(text + "T00:00:00Z") { return day }
            throw SmartcarAPIError.validation("\"\(name)\" must be a valid ISO 8601 date", field: name)
        }
        return nil
    }

    static func paging(_ query: [String: String], defaultLimit: Int, maxLimit: Int) throws -> (Int, Int) {
        var limit = defaultLimit
        var offset = 0
        if let text = query["limit"] {
            guard let value = Int(text), value >= 1, value <= maxLimit else {
                throw SmartcarAPIError.validation("\"limit\" must be an integer between 1 and \(maxLimit)", field: "limit")
            }
            limit = value
        }
        if let text = query["offset"] {
            guard let value = Int(text), value >= 0 else {
                throw SmartcarAPIError.validation("\"offset\" must be a non-negative integer", field: "offset")
            }
            offset = value
        }
        return (limit, offset)
    }
}
