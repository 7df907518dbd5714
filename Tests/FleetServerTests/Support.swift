import FleetCore
import FleetServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let repositoryFixtures = repositoryRoot.appendingPathComponent("fixtures")

/// A configuration for tests: loopback, port 0, in memory.
func testConfiguration() -> ServerConfiguration {
    ServerConfiguration(host: "127.0.0.1", port: 0, storage: .memory, fixturesDirectory: repositoryFixtures, logLevel: .error, historyDays: 0)
}

/// Runs `body` against a fresh in-memory server, in-process (`.router`) or over a socket (`.live`).
func withServer(_ setup: TestingSetup = .router, _ body: @escaping @Sendable (any TestClientProtocol, FleetServices) async throws -> Void) async throws {
    let configuration = testConfiguration()
    let services = try await FleetServices.start(configuration)
    let app = buildApplication(configuration, services: services)
    try await app.test(setup) { client in try await body(client, services) }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        if json != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: json.map { ByteBuffer(string: $0) })
    }

    /// Creates a sandbox and returns its JSON.
    func createSandbox(_ json: String = "{}") async throws -> [String: Any] {
        try await request(.post, "/__fleetmock/sandboxes", json: json).json
    }
}

/// The `fleetmock` executable built next to the test bundle.
func fleetmockBinary() -> URL? {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("fleetmock")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = repositoryRoot.appendingPathComponent(".build/debug/fleetmock")
    return FileManager.default.isExecutableFile(atPath: fallback.path) ? fallback : nil
}
