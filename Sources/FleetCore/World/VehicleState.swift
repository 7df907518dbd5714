import Foundation

/// How a vehicle is propelled.
public enum Powertrain: String, Codable, Sendable, CaseIterable {
    case bev = "BEV", phev = "PHEV", hev = "HEV", ice = "ICE"

    /// Whether it has a traction battery that plugs in.
    public var isPlugIn: Bool { self == .bev || self == .phev }
    /// Whether it burns fuel.
    public var hasFuelTank: Bool { self != .bev }
    /// Whether it has an engine that needs oil.
    public var hasEngine: Bool { self != .bev }
}

/// OPEN / CLOSED / UNKNOWN, as Smartcar reports closures.
public enum ClosureStatus: String, Codable, Sendable {
    case open = "OPEN", closed = "CLOSED", unknown = "UNKNOWN"
}

/// Charging state as Smartcar names it.
public enum ChargeState: String, Codable, Sendable {
    case charging = "CHARGING", fullyCharged = "FULLY_CHARGED", notCharging = "NOT_CHARGING"
}

/// Four values, one per corner of the car (doors, windows, tires).
public struct Corners<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var frontLeft: Value
    public var frontRight: Value
    public var backLeft: Value
    public var backRight: Value

    public init(frontLeft: Value, frontRight: Value, backLeft: Value, backRight: Value) {
        self.frontLeft = frontLeft
        self.frontRight = frontRight
        self.backLeft = backLeft
        self.backRight = backRight
    }

    public init(all value: Value) {
        self.init(frontLeft: value, frontRight: value, backLeft: value, backRight: value)
    }

    /// Values in Smartcar's order: frontLeft, frontRight, backLeft, backRight.
    public var ordered: [(name: String, value: Value)] {
        [("frontLeft", frontLeft), ("frontRight", frontRight), ("backLeft", backLeft), ("backRight", backRight)]
    }
}

/// A vehicle's physical state: one truth that both vendors' surfaces render in their own units.
/// Metric units throughout (km, kPa, litres, °C); fractions in 0...1.
public struct VehicleState: Codable, Sendable, Equatable {
    public var odometerKm: Double
    public var latitude: Double
    public var longitude: Double
    public var heading: Double
    public var stateOfCharge: Double?
    public var fuelFraction: Double?
    public var rangeKm: Double
    public var isPluggedIn: Bool
    public var chargeState: ChargeState
    public var chargeLimit: Double
    public var isLocked: Bool
    public var doors: Corners<ClosureStatus>
    public var windows: Corners<ClosureStatus>
    public var sunroof: ClosureStatus?
    public var hood: ClosureStatus
    public var trunk: ClosureStatus
    public var chargingPort: ClosureStatus?
    public var tirePressureKPa: Corners<Double>
    public var oilLife: Double?
    public var ignitionOn: Bool
    public var speedKph: Double
    public var lowVoltageBatteryV: Double
    public var cabinTempC: Double
    public var outsideTempC: Double
    /// Active diagnostic trouble codes, oldest first; nil until the simulation (or a patch) sets them.
    public var troubleCodes: [TroubleCode]?

    public var anyDoorOpen: Bool { doors.ordered.contains { $0.value == .open } }
}

/// A diagnostic trouble code the car has set, with when it was set (RFC 3339).
public struct TroubleCode: Codable, Sendable, Equatable {
    public var code: String
    public var since: String

    public init(code: String, since: String) {
        self.code = code
        self.since = since
    }

    /// An OBD-II code: P, C, B or U and four hexadecimal digits.
    public static func isValid(_ code: String) -> Bool {
        let chars = Array(code)
        return chars.count == 5 && "PCBU".contains(chars[0]) && chars.dropFirst().allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isUppercase) }
    }
}
