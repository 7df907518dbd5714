import FleetServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// The repository checkout these tests run from (found from this file's path, never from `../shared`).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
/// The repository's own fixtures folder.
public let repositoryFixtures = repositoryRoot.appendingPathComponent("fixtures")

/// A configuration for tests: loopback, port 0, in memory, no history unless asked, webhook retries at once.
public func testConfiguration(historyDays: Int = 0, webhookRetryDelay: TimeInterval = 0) -> ServerConfiguration {
    ServerConfiguration(host: "127.0.0.1", port: 0, storage: .memory, fixturesDirectory: repositoryFixtures, logLevel: .error,
                        historyDays: historyDays, webhookRetryDelay: webhookRetryDelay)
}

/// Runs `body` against a fresh in-memory server, in-process (`.router`) or over a loopback socket (`.live`).
public func withServer(_ setup: TestingSetup = .router, configuration: ServerConfiguration = testConfiguration(),
                       _ body: @escaping @Sendable (any TestClientProtocol, FleetServices) async throws -> Void) async throws {
    let services = try await FleetServices.start(configuration)
    let app = buildApplication(configuration, services: services)
    try await app.test(setup) { client in try await body(client, services) }
}

extension TestResponse {
    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        foundationJSON(Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }

    /// The body as UTF-8 text.
    public var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    /// A request with an optional JSON body (sent as `application/json`).
    public func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        if json != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }
}
