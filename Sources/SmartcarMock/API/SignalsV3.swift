import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Vehicles API v3: `/v3/vehicles/{id}`, `/signals`, `/signals/{code}`, rendered from the same state.
struct SignalsV3: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess

    struct Signal {
        var code: String
        var name: String
        var group: String
        var body: JSONValue
    }

    static func signals(vehicle: VehicleRecord, state: VehicleState) -> [Signal] {
        var out: [Signal] = [
            Signal(code: "odometer-traveleddistance", name: "TraveledDistance", group: "Odometer",
                   body: .object([("unit", "kilometers"), ("value", .number(rounded(state.odometerKm, 3)))])),
            Signal(code: "location-preciselocation", name: "PreciseLocation", group: "Location",
                   body: .object([("latitude", .number(state.latitude)), ("longitude", .number(state.longitude)),
                                  ("heading", .number(state.heading)), ("direction", .string(Self.direction(state.heading))),
                                  ("locationType", .string(state.speedKph > 0 ? "CURRENT" : "LAST_PARKED"))])),
            Signal(code: "closure-islocked", name: "IsLocked", group: "Closure", body: .object([("value", .bool(state.isLocked))])),
            Signal(code: "closure-doors", name: "Doors", group: "Closure", body: .object([
                ("values", .array([(0, 0, state.doors.frontLeft), (0, 1, state.doors.frontRight), (1, 0, state.doors.backLeft), (1, 1, state.doors.backRight)].map {
                    .object([("row", .integer(Int64($0.0))), ("column", .integer(Int64($0.1))), ("isOpen", .bool($0.2 == .open)), ("isLocked", .bool(state.isLocked))])
                })),
                ("rowCount", 2), ("columnCount", 2),
            ])),
            Signal(code: "wheel-tires", name: "Tires", group: "Wheel", body: .object([
                ("values", .array([(0, 0, state.tirePressureKPa.frontLeft), (0, 1, state.tirePressureKPa.frontRight),
                                   (1, 0, state.tirePressureKPa.backLeft), (1, 1, state.tirePressureKPa.backRight)].map {
                    .object([("row", .integer(Int64($0.0))), ("column", .integer(Int64($0.1))), ("tirePressure", .number($0.2))])
                })),
                ("unit", "kilopascals"), ("rowCount", 2), ("columnCount", 2),
            ])),
            Signal(code: "lowvoltagebattery-stateofcharge", name: "StateOfCharge", group: "LowVoltageBattery",
                   body: .object([("unit", "volts"), ("value", .number(state.lowVoltageBatteryV))])),
        ]
        if vehicle.powertrain.isPlugIn {
            out.append(Signal(code: "tractionbattery-stateofcharge", name: "StateOfCharge", group: "TractionBattery",
                              body: .object([("unit", "percent"), ("value", .number(rounded((state.stateOfCharge ?? 0) * 100, 2)))])))
            out.append(Signal(code: "tractionbattery-range", name: "Range", group: "TractionBattery",
                              body: .object([("unit", "kilometers"), ("value", .number(rounded(state.rangeKm, 1)))])))
            out.append(Signal(code: "charge-ischarging", name: "IsCharging", group: "Charge", body: .object([("value", .bool(state.chargeState == .charging))])))
            out.append(Signal(code: "charge-ischargingcableconnected", name: "IsChargingCableConnected", group: "Charge",
                              body: .object([("value", .bool(state.isPluggedIn))])))
            out.append(Signal(code: "charge-chargelimits", name: "ChargeLimits", group: "Charge", body: .object([
                ("values", .array([.object([("type", "GLOBAL"), ("limit", .number(state.chargeLimit * 100)), ("condition", .null)])])),
                ("activeLimit", .number(state.chargeLimit * 100)), ("unit", "percent"),
            ])))
        }
        if vehicle.powertrain.hasFuelTank {
            out.append(Signal(code: "internalcombustionengine-fuellevel", name: "FuelLevel", group: "InternalCombustionEngine",
                              body: .object([("unit", "percent"), ("value", .number(rounded((state.fuelFraction ?? 0) * 100, 2)))])))
            out.append(Signal(code: "internalcombustionengine-oillife", name: "OilLife", group: "InternalCombustionEngine",
                              body: .object([("unit", "percent"), ("value", .number(rounded((state.oilLife ?? 0) * 100, 2)))])))
        }
        return out
    }

    /// The v2 permission that covers a signal group.
    static func permission(of code: String) -> String {
        switch code.split(separator: "-").first ?? "" {
        case "odometer": return "read_odometer"
        case "location": return "read_location"
        case "closure": return "read_security"
        case "wheel": return "read_tires"
        case "tractionbattery", "lowvoltagebattery": return "read_battery"
        case "charge": return "read_charge"
        case "internalcombustionengine": return code.hasSuffix("oillife") ? "read_engine_oil" : "read_fuel"
        default: return "read_vehicle_info"
        }
    }

    static func direction(_ heading: Double) -> String {
        let names = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
        return names[Int(((heading.truncatingRemainder(dividingBy: 360)) + 22.5) / 45) % 8]
    }

    func handle(_ request: Request, segments: [String], scope: RequestScope, requestId: String) async throws -> Response {
        guard request.method == .get, segments.count >= 2, segments[0] == "vehicles" else {
            throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH")
        }
        guard let token = VehicleAPI.bearer(request), let grant = try await access.grant(accessToken: token) else {
            throw SmartcarAPIError.authentication
        }
        scope.sandboxId = grant.sandbox.id
        let vehicle = try await VehicleAPI(fleet: fleet, access: access).resolveVehicle(segments[1], grant: grant)
        let snapshot = try await fleet.vehicle(in: grant.sandbox.id, vin: vehicle.vin)
        var headers = HTTPFields()
        headers[.scRequestId] = requestId
        let selfLink = "/vehicles/\(vehicle.smartcarId)"
        let vehicleObject: JSONValue = .object([
            ("id", .string(vehicle.smartcarId)), ("type", "vehicle"),
            ("attributes", .object([("make", .string(vehicle.make)), ("model", .string(vehicle.model)), ("year", .integer(Int64(vehicle.year)))])),
            ("links", .object([("self", .string(selfLink))])),
        ])
        if segments.count == 2 { return Responses.json(vehicleObject, headers: headers) }
        guard segments[2] == "signals", segments.count <= 4 else { throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH") }
        let scopes = Set(grant.permissions)
        if let trigger = grant.testAccount?.errorTrigger { throw VehicleEndpointRunner.triggeredError(trigger) }
        let retrieved = grant.now.epochMillis
        let updated = min(snapshot.updatedAt, grant.now).epochMillis
        func render(_ signal: Signal) -> JSONValue {
            .object([
                ("id", .string(signal.code)), ("type", "signal"),
                ("attributes", .object([("code", .string(signal.code)), ("name", .string(signal.name)), ("group", .string(signal.group)),
                                        ("status", .object([("value", "SUCCESS")])), ("body", signal.body)])),
                ("meta", .object([("retrievedAt", .integer(retrieved)), ("oemUpdatedAt", .integer(updated))])),
                ("links", .object([("self", .string("\(selfLink)/signals/\(signal.code)"))])),
            ])
        }
        let every = Self.signals(vehicle: vehicle, state: snapshot.state)
        if segments.count == 4 {
            guard let signal = every.first(where: { $0.code == segments[3] }) else { throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH") }
            guard scopes.contains(Self.permission(of: signal.code)) else { throw SmartcarAPIError.permission }
            return Responses.json(render(signal), headers: headers)
        }
        // The list holds only the signals the token's permissions cover.
        let all = every.filter { scopes.contains(Self.permission(of: $0.code)) }
        let query = request.queryItems
        let sizeText = query["page[size]"] ?? query["pageSize"]
        let pageText = query["page[number]"] ?? query["page"]
        guard let pageSize = sizeText.map({ Int($0) }) ?? 25, (1...100).contains(pageSize) else {
            throw SmartcarAPIError.validation("\"pageSize\" must be an integer between 1 and 100", field: "pageSize")
        }
        guard let page = pageText.map({ Int($0) }) ?? 1, page >= 1 else {
            throw SmartcarAPIError.validation("\"page\" must be a positive integer", field: "page")
        }
        let slice = Array(all.dropFirst((page - 1) * pageSize).prefix(pageSize))
        let lastPage = max(1, (all.count + pageSize - 1) / pageSize)
        func link(_ n: Int) -> JSONValue { .string("\(selfLink)/signals?page=\(n)&pageSize=\(pageSize)") }
        return Responses.json(.object([
            ("data", .array(slice.map(render))),
            ("meta", .object([("totalCount", .integer(Int64(all.count))), ("pageSize", .integer(Int64(pageSize))), ("page", .integer(Int64(page)))])),
            ("links", .object([("self", .string("\(selfLink)/signals")), ("first", link(1)), ("previous", page > 1 ? link(page - 1) : .null),
                               ("next", page < lastPage ? link(page + 1) : .null), ("last", link(lastPage))])),
            ("included", .object([("vehicle", vehicleObject)])),
        ]), headers: headers)
    }
}
