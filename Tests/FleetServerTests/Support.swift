import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore

extension TestClientProtocol {
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
