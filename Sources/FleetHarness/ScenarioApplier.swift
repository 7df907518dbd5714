import FleetControl
import FleetCore
import Foundation
import NIOHTTP1

/// Puts a scenario's world into a sandbox through the control API: setup, then (separately) faults.
public struct ScenarioApplier: Sendable {
    public let control: ControlClient

    public init(control: ControlClient) { self.control = control }

    /// Creates a sandbox from `setup.sandbox` and returns its credentials (as JSON: scenario
    /// placeholders such as `{{sandbox.vehicles[0].vin}}` are resolved against it).
    public func createSandbox(_ setup: ScenarioSetup) async throws -> JSONValue {
        try await control.expectOK(.POST, "/__fleetmock/sandboxes", body: setup.sandbox)
    }

    /// Applies clock, vehicle state and DIMO sharing to an existing sandbox; returns its credentials after.
    @discardableResult
    public func applySetup(_ setup: ScenarioSetup, sandbox: String) async throws -> JSONValue {
        var credentials = try await control.expectOK(.GET, ControlClient.path(sandbox))
        let placeholders = Placeholders(context: credentials)
        for body in setup.clock {
            try await control.expectOK(.POST, ControlClient.path(sandbox, "/clock"), body: try placeholders.apply(body))
        }
        for (selector, body) in setup.vehicles {
            let vin = try Self.vin(for: try placeholders.apply(selector), in: credentials)
            try await control.expectOK(.PATCH, ControlClient.path(sandbox, "/vehicles/\(vin)"), body: try placeholders.apply(body))
        }
        if let share = setup.dimoShare {
            var body = try placeholders.apply(share)
            if body["vehicles"]?.stringValue == "all", case .object(var pairs) = body {
                let ids = (credentials["vehicles"]?.arrayValue ?? []).compactMap { $0["dimoTokenId"] }
                pairs.removeAll { $0.0 == "vehicles" }
                pairs.insert(("vehicles", .array(ids)), at: 0)
                body = .object(pairs)
            }
            try await control.expectOK(.POST, ControlClient.path(sandbox, "/dimo/share"), body: body)
        }
        credentials = try await control.expectOK(.GET, ControlClient.path(sandbox))
        return credentials
    }

    /// Installs fault rules (placeholders resolved against `credentials`).
    public func installFaults(_ faults: [JSONValue], sandbox: String, credentials: JSONValue) async throws {
        let placeholders = Placeholders(context: credentials)
        for rule in faults {
            try await control.addFault(sandbox, rule: try placeholders.apply(rule))
        }
    }

    /// The VIN a selector (an index into the sandbox's vehicles, or a VIN) names.
    static func vin(for selector: JSONValue, in credentials: JSONValue) throws -> String {
        let vehicles = credentials["vehicles"]?.arrayValue ?? []
        if let index = selector.intValue {
            guard vehicles.indices.contains(Int(index)), let vin = vehicles[Int(index)]["vin"]?.stringValue else {
                throw ControlAPIError(method: "PATCH", path: "vehicles[\(index)]", status: 0, body: "the sandbox has \(vehicles.count) vehicles")
            }
            return vin
        }
        return selector.stringValue ?? ""
    }
}
