import AsyncHTTPClient
import FleetCore
import Foundation
import NIOCore
import NIOHTTP1

/// A fleetmock control-API call that did not answer 2xx, or whose answer did not decode.
public struct ControlAPIError: Error, CustomStringConvertible, Sendable {
    public var method: String
    public var path: String
    public var status: Int
    public var body: String

    public init(method: String, path: String, status: Int, body: String) {
        self.method = method
        self.path = path
        self.status = status
        self.body = body
    }

    public var description: String { "\(method) \(path) answered \(status): \(body.prefix(500))" }
}

/// Talks to a fleetmock server's control API (`/__fleetmock`): typed calls that decode the shared
/// ``ControlDTO`` shapes, and raw JSON calls for bodies that come from elsewhere (scenario files).
/// The CLI and the contract harness both use it.
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

    // MARK: Typed calls

    /// `GET /__fleetmock/health`.
    public func health() async throws -> ControlDTO.Health {
        try await decode(.GET, "/__fleetmock/health")
    }

    /// Whether `GET /__fleetmock/health` answers 200.
    public func isHealthy() async -> Bool {
        (try? await call(.GET, "/__fleetmock/health").status) == 200
    }

    /// Every sandbox, oldest first.
    public func sandboxes() async throws -> ControlDTO.SandboxList {
        try await decode(.GET, "/__fleetmock/sandboxes")
    }

    /// One sandbox with its credentials, users and vehicles.
    public func sandbox(_ id: String) async throws -> ControlDTO.Sandbox {
        try await decode(.GET, Self.path(id))
    }

    /// Puts a sandbox back to its seed and start clock.
    @discardableResult
    public func reset(_ id: String) async throws -> ControlDTO.Sandbox {
        try await decode(.POST, Self.path(id, "/reset"))
    }

    /// The sandbox's virtual clock.
    public func clock(_ id: String) async throws -> ControlDTO.Clock {
        try await decode(.GET, Self.path(id, "/clock"))
    }

    /// Changes the sandbox's virtual clock and returns it after the change.
    @discardableResult
    public func changeClock(_ id: String, _ change: ControlDTO.ClockChange) async throws -> ControlDTO.Clock {
        try await decode(.POST, Self.path(id, "/clock"), body: try JSONValue.parse(WireJSON.encoder().encode(change)) ?? .null)
    }

    /// The sandbox's fault rules with their counters (rules are scenario JSON, so they stay JSON).
    public func faults(_ id: String) async throws -> JSONValue {
        try await expectOK(.GET, Self.path(id, "/faults"))
    }

    /// Adds a fault rule; returns it as stored, with its id.
    @discardableResult
    public func addFault(_ id: String, rule: JSONValue) async throws -> JSONValue {
        try await expectOK(.POST, Self.path(id, "/faults"), body: rule)
    }

    /// Removes one fault rule, or every rule of the sandbox when `faultId` is nil.
    public func removeFaults(_ id: String, faultId: String? = nil) async throws {
        try await expectOK(.DELETE, Self.path(id, faultId.map { "/faults/\(PercentEncoding.escape($0))" } ?? "/faults"))
    }

    /// The path of a sandbox's control resource, the id percent-encoded.
    public static func path(_ sandbox: String, _ suffix: String = "") -> String {
        "/__fleetmock/sandboxes/\(PercentEncoding.escape(sandbox))\(suffix)"
    }


    // MARK: Raw calls

    /// Sends `body` (JSON) and returns the answer's status and parsed JSON (null when empty).
    public func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> (status: Int, json: JSONValue) {
        let (status, data) = try await send(method, path, body: body)
        let json = data.isEmpty ? JSONValue.null : (JSONValue.parse(data) ?? .string(String(decoding: data, as: UTF8.self)))
        return (status, json)
    }

    /// Like `call`, but anything other than 2xx throws ``ControlAPIError``.
    @discardableResult
    public func expectOK(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let (status, json) = try await call(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw ControlAPIError(method: method.rawValue, path: path, status: status, body: json.stringValue ?? json.text)
        }
        return json
    }

    /// A 2xx answer decoded as `T`.
    func decode<T: Decodable>(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> T {
        let (status, data) = try await send(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw ControlAPIError(method: method.rawValue, path: path, status: status, body: String(decoding: data, as: UTF8.self))
        }
        do {
            return try WireJSON.decoder().decode(T.self, from: data)
        } catch {
            throw ControlAPIError(method: method.rawValue, path: path, status: status, body: "undecodable answer (\(error)): \(String(decoding: data, as: UTF8.self))")
        }
    }

    func send(_ method: HTTPMethod, _ path: String, body: JSONValue?) async throws -> (status: Int, data: Data) {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.encoded()))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }
}
