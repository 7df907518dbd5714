import Foundation
import Logging

/// How a fleetmock server is set up.
public struct ServerConfiguration: Sendable {
    public enum Storage: Sendable, Equatable {
        case memory
        case file(String)
    }

    public var host: String
    /// 0 picks a free port.
    public var port: Int
    public var storage: Storage
    /// The folder holding fixture sets (`<name>/fleet.json`).
    public var fixturesDirectory: URL
    public var logLevel: Logger.Level
    /// Days of simulated past a sandbox starts with when its request does not say (the default sandbox too).
    public var historyDays: Int
    /// Seconds before the first webhook redelivery (each next waits twice as long); 0 redelivers at once.
    public var webhookRetryDelay: TimeInterval
    /// Hosts beyond loopback that may receive webhooks (`*` for any); none by default.
    public var webhookHosts: Set<String> = []
    /// Seconds between background catch-ups of running sandboxes; 0 turns them off (requests still catch up).
    public var simulationTick: TimeInterval = 0
    /// Seconds after which a sandbox nobody has used is deleted (never the default one); 0 keeps them all.
    public var sandboxIdleExpiry: TimeInterval = 0

    public init(host: String = "127.0.0.1", port: Int = 4747, storage: Storage = .memory,
                fixturesDirectory: URL = ServerConfiguration.defaultFixturesDirectory(), logLevel: Logger.Level = .info,
                historyDays: Int = 30, webhookRetryDelay: TimeInterval = 1) {
        self.webhookRetryDelay = webhookRetryDelay
        self.host = host
        self.port = port
        self.storage = storage
        self.fixturesDirectory = fixturesDirectory
        self.logLevel = logLevel
        self.historyDays = historyDays
    }

    /// `FLEETMOCK_FIXTURES`, else `fixtures/` in the working directory, else the `fixtures/` of the
    /// source checkout this binary was built from.
    public static func defaultFixturesDirectory() -> URL {
        if let env = ProcessInfo.processInfo.environment["FLEETMOCK_FIXTURES"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("fixtures")
        if FileManager.default.fileExists(atPath: cwd.appendingPathComponent("default/fleet.json").path) { return cwd }
        // Sources/FleetServer/ServerConfiguration.swift → repository root.
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
        return checkout
    }
}

/// The version reported by `/__fleetmock/health` and `fleetmock --version`.
public let fleetmockVersion = "0.1.0"
