import FleetCore

/// The client libraries the harness can drive, by the name scenarios use.
public enum SDKName: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case smartcar6
    case smartcar3
    case dimo

    /// The PyPI distribution.
    public var package: String {
        switch self {
        case .smartcar6, .smartcar3: return "smartcar"
        case .dimo: return "dimo-python-sdk"
        }
    }

    /// The version pinned by default.
    public var pinnedVersion: String {
        switch self {
        case .smartcar6: return "6.19.1"
        case .smartcar3: return "3.0.1"
        case .dimo: return "1.8.0"
        }
    }

    public var description: String { rawValue }

    /// Order of declaration: reports list SDKs the same way every time.
    private var rank: Int {
        switch self {
        case .smartcar6: return 0
        case .smartcar3: return 1
        case .dimo: return 2
        }
    }

    public static func < (lhs: SDKName, rhs: SDKName) -> Bool { lhs.rank < rhs.rank }
}

/// What a step must see: a returned value, a raised exception, or any return.
public enum Outcome: Sendable, Equatable {
    /// The call returned and its result matches.
    case result(JSONValue)
    /// The call raised and the exception (`class` plus attributes) matches.
    case error(JSONValue)
    /// The call returned; the value does not matter.
    case ok
}

/// One SDK operation of a scenario.
public struct ScenarioStep: Sendable {
    /// The driver operation, e.g. `vehicle.odometer`.
    public var op: String
    /// Keyword arguments (a JSON object).
    public var args: JSONValue
    /// The SDKs the step runs for; `nil` means every SDK of the scenario.
    public var sdks: [SDKName]?
    /// Expected outcome per SDK; an SDK without one must simply not raise.
    public var expect: [SDKName: Outcome]
    /// The line of the step in its file.
    public var line: Int
    /// When set, the step's result is kept as `${saved.<name>}` for later steps.
    public var save: String?

    /// Whether the step runs for `sdk` in a scenario.
    public func applies(to sdk: SDKName) -> Bool { sdks?.contains(sdk) ?? true }
}

/// `setup:`: the world a scenario's sandbox starts from, as control-API bodies.
public struct ScenarioSetup: Sendable {
    /// Body of `POST /__fleetmock/sandboxes`.
    public var sandbox: JSONValue = .object([])
    /// Bodies of `POST …/clock`, applied in order.
    public var clock: [JSONValue] = []
    /// Vehicle state patches: a selector (index or VIN) and a `PATCH …/vehicles/{vin}` body.
    public var vehicles: [(vehicle: JSONValue, body: JSONValue)] = []
    /// Body of `POST …/dimo/share`; `"vehicles": "all"` means every token id.
    public var dimoShare: JSONValue?

    public init() {}
}

/// A parsed scenario file.
public struct Scenario: Sendable {
    /// The file's name without `.yaml`, relative to the scenarios folder: the scenario's id.
    public var id: String
    /// The file it came from.
    public var file: String
    public var name: String
    public var description: String?
    public var sdks: [SDKName]
    /// Catalogue ids the scenario exercises (its `covers:` plus its faults' `catalogId`s).
    public var covers: [String]
    public var setup: ScenarioSetup
    /// SDK steps before the faults are installed.
    public var prepare: [ScenarioStep]
    /// Fault rule bodies of `POST …/faults`.
    public var faults: [JSONValue]
    public var steps: [ScenarioStep]
}
