import AsyncHTTPClient
import FleetCore
import Foundation
import NIOCore
import NIOHTTP1

/// A fleetmock control-API call that did not answer 2xx.
public struct ControlError: Error, CustomStringConvertible, Sendable {
    public var method: String
    public var path: String
    public var status: Int
    public var body: String
    public var description: String { "\(method) \(path) answered \(status): \(body.prefix(500))" }
}

/// Talks to a fleetmock server's control API (`/__fleetmock`).
public struct ControlClient: Sendable {
    /// The server origin, without a trailing slash.
    public let server: String
    let http: HTTPClient

    public init(server: String, http: HTTPClient = .shared) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.server = base
        self.http = http
    }

    /// Sends `body` (JSON) and returns the answer's status and parsed JSON (null when empty).
    public func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.encoded()))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let data = Data(bytes.readableBytesView)
        let json = data.isEmpty ? JSONValue.null : (JSONValue.parse(data) ?? .string(String(decoding: data, as: UTF8.self)))
        return (Int(response.status.code), json)
    }

    /// Like `call`, but anything other than 2xx throws `ControlError`.
    @discardableResult
    public func expectOK(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let (status, json) = try await call(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw ControlError(method: method.rawValue, path: path, status: status, body: json.stringValue ?? json.text)
        }
        return json
    }

    /// `GET /__fleetmock/health` answers 200.
    public func isHealthy() async -> Bool {
        (try? await call(.GET, "/__fleetmock/health").status) == 200
    }
}

/// Puts a scenario's world into a sandbox through the control API: setup, then (separately) faults.
public struct ScenarioApplier: Sendable {
    public let control: ControlClient

    public init(control: ControlClient) { self.control = control }

    /// The path of a sandbox's control resource.
    public static func path(_ sandbox: String, _ suffix: String = "") -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return "/__fleetmock/sandboxes/\(sandbox.addingPercentEncoding(withAllowedCharacters: allowed) ?? sandbox)\(suffix)"
    }

    /// Creates a sandbox from `setup.sandbox` and returns its credentials.
    public func createSandbox(_ setup: ScenarioSetup) async throws -> JSONValue {
        try await control.expectOK(.POST, "/__fleetmock/sandboxes", body: setup.sandbox)
    }

    /// Applies clock, vehicle state and DIMO sharing to an existing sandbox; returns its credentials after.
    @discardableResult
    public func applySetup(_ setup: ScenarioSetup, sandbox: String) async throws -> JSONValue {
        var credentials = try await control.expectOK(.GET, Self.path(sandbox))
        let placeholders = Placeholders(context: credentials)
        for body in setup.clock {
            try await control.expectOK(.POST, Self.path(sandbox, "/clock"), body: try placeholders.apply(body))
        }
        for (selector, body) in setup.vehicles {
            let vin = try Self.vin(for: try placeholders.apply(selector), in: credentials)
            try await control.expectOK(.PATCH, Self.path(sandbox, "/vehicles/\(vin)"), body: try placeholders.apply(body))
        }
        if let share = setup.dimoShare {
            var body = try placeholders.apply(share)
            if body["vehicles"]?.stringValue == "all", case .object(var pairs) = body {
                let ids = (credentials["vehicles"]?.arrayValue ?? []).compactMap { $0["dimoTokenId"] }
                pairs.removeAll { $0.0 == "vehicles" }
                pairs.insert(("vehicles", .array(ids)), at: 0)
                body = .object(pairs)
            }
            try await control.expectOK(.POST, Self.path(sandbox, "/dimo/share"), body: body)
        }
        credentials = try await control.expectOK(.GET, Self.path(sandbox))
        return credentials
    }

    /// Installs fault rules (placeholders resolved against `credentials`).
    public func installFaults(_ faults: [JSONValue], sandbox: String, credentials: JSONValue) async throws {
        let placeholders = Placeholders(context: credentials)
        for rule in faults {
            try await control.expectOK(.POST, Self.path(sandbox, "/faults"), body: try placeholders.apply(rule))
        }
    }

    /// The VIN a selector (an index into the sandbox's vehicles, or a VIN) names.
    static func vin(for selector: JSONValue, in credentials: JSONValue) throws -> String {
        let vehicles = credentials["vehicles"]?.arrayValue ?? []
        if let index = selector.intValue {
            guard vehicles.indices.contains(Int(index)), let vin = vehicles[Int(index)]["vin"]?.stringValue else {
                throw ControlError(method: "PATCH", path: "vehicles[\(index)]", status: 0, body: "the sandbox has \(vehicles.count) vehicles")
            }
            return vin
        }
        return selector.stringValue ?? ""
    }
}
