import ArgumentParser
import FleetControl
import FleetCore
import FleetHarness
import FleetServer
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port.")
    var port = 4747

    @Option(help: "SQLite database file (kept between runs).")
    var db = ".fleetmock/fleet.sqlite"

    @Flag(help: "Keep everything in memory; nothing is written to disk.")
    var memory = false

    @Option(help: "Folder of fixture sets (default: ./fixtures, or $FLEETMOCK_FIXTURES).")
    var fixtures: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(help: "Days of simulated past each new sandbox starts with (0 to 90).")
    var historyDays = 30

    @Option(help: "Seconds before the first webhook redelivery; each next waits twice as long (0 to 60, 0 redelivers at once).")
    var webhookRetryDelay = 1.0

    @Option(help: "Seconds between background catch-ups of sandboxes whose clock runs (0: only when requests arrive).")
    var tick: Double = 30

    @Option(help: "Delete a sandbox nobody has used for this long, e.g. 24h or 30m (never the default sandbox; default: keep every sandbox).")
    var sandboxIdleExpiry: String?

    @Option(name: .customLong("webhook-host"), help: "A host beyond loopback that may receive webhooks, e.g. a compose service name (repeatable; * allows any). Without it webhooks go to loopback only.")
    var webhookHosts: [String] = []

    @Option(help: "A scenario file whose setup (clock, vehicle state, DIMO sharing) and faults are applied to the default sandbox before the server announces itself.")
    var scenario: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...90).contains(historyDays) else { throw ValidationError("--history-days must be between 0 and 90") }
        guard (0...60).contains(webhookRetryDelay) else { throw ValidationError("--webhook-retry-delay must be between 0 and 60") }
        guard (0...86400).contains(tick) else { throw ValidationError("--tick must be between 0 and 86400 seconds") }
        if let text = sandboxIdleExpiry {
            guard let seconds = DurationText.seconds(text), seconds >= 60 else {
                throw ValidationError("--sandbox-idle-expiry must be a duration of at least 1m, such as 30m, 24h or 7d")
            }
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        AllocatorTuning.applyServerDefaults()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        var configuration = ServerConfiguration(host: host, port: port, storage: memory ? .memory : .file(db), logLevel: level, historyDays: historyDays,
                                                webhookRetryDelay: webhookRetryDelay)
        if let fixtures { configuration.fixturesDirectory = URL(fileURLWithPath: fixtures) }
        configuration.webhookHosts = Set(webhookHosts.map { $0.lowercased() })
        configuration.simulationTick = tick
        configuration.sandboxIdleExpiry = sandboxIdleExpiry.flatMap(DurationText.seconds) ?? 0
        let services: FleetServices
        do {
            services = try await FleetServices.start(configuration)
        } catch let error as FixtureError {
            throw ValidationError("bad fixture: \(error)")
        }
        let loaded = try scenario.map { file in
            do {
                return try ScenarioLoader.load(file: file)
            } catch let error as ScenarioError {
                throw ValidationError("bad scenario: \(error)")
            }
        }
        let host = self.host
        let app = buildApplication(configuration, services: services) { port in
            let line = "fleetmock listening on http://\(host):\(port)\n"
            guard let loaded else {
                FileHandle.standardOutput.write(Data(line.utf8))
                return
            }
            // The server accepts connections only once this callback returns: apply the scenario
            // through its own control API from a task, and announce the server after that.
            let local = ["0.0.0.0", "::", "[::]"].contains(host) ? "127.0.0.1" : host
            Task {
                do {
                    try await Self.apply(loaded, server: "http://\(local):\(port)")
                } catch {
                    FileHandle.standardError.write(Data("fleetmock: cannot apply scenario \(loaded.file): \(error)\n".utf8))
                    Foundation.exit(1)
                }
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
        try await app.runService()
    }

    /// Puts a scenario's world into the default sandbox: its setup (the sandbox body aside: the default
    /// sandbox keeps its fixtures) and its fault rules. SDK steps are for `fleetmock check`.
    static func apply(_ scenario: Scenario, server: String) async throws {
        let applier = ScenarioApplier(control: ControlClient(server: server))
        let credentials = try await applier.applySetup(scenario.setup, sandbox: Fleet.defaultSandboxId)
        try await applier.installFaults(scenario.faults, sandbox: Fleet.defaultSandboxId, credentials: credentials)
    }
}
