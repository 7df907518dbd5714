import FleetControl
import FleetCore
import Foundation
import NIOHTTP1

/// Everything `fleetmock check` needs to run.
public struct CheckConfiguration: Sendable {
    /// The server to test (already running).
    public var server: String
    public var scenarios: [Scenario]
    /// The SDKs (and versions) to run; a scenario runs with those of its `sdks` that are here.
    public var choices: [SDKChoice]
    public var concurrency: Int = 4
    /// Fault rules added to every case after the scenario's own (e.g. a `dropField` to see which
    /// scenarios depend on a field).
    public var injectedFaults: [JSONValue] = []
    /// Where virtualenvs are cached (`.fleetmock/venvs`).
    public var venvRoot: URL
    /// The folder holding `driver.py`.
    public var driversDirectory: URL
    /// Where drivers' stderr goes (`.fleetmock/check`).
    public var logDirectory: URL

    public init(server: String, scenarios: [Scenario], choices: [SDKChoice], venvRoot: URL, driversDirectory: URL, logDirectory: URL) {
        self.server = server
        self.scenarios = scenarios
        self.choices = choices
        self.venvRoot = venvRoot
        self.driversDirectory = driversDirectory
        self.logDirectory = logDirectory
    }
}

/// Runs scenarios through the real SDKs: prepares virtualenvs, starts one driver per SDK, runs every
/// case and gathers the report.
public enum Harness {
    /// The drivers folder: `FLEETMOCK_DRIVERS`, the resource bundle beside the executable, or the
    /// source tree under the current directory.
    public static func locateDrivers(executable: String = CommandLine.arguments[0]) -> URL? {
        var candidates: [URL] = []
        if let configured = ProcessInfo.processInfo.environment["FLEETMOCK_DRIVERS"] { candidates.append(URL(fileURLWithPath: configured)) }
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(binary.appendingPathComponent("fleetmock_FleetHarness.resources/drivers"))
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Sources/FleetHarness/Resources/drivers"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("driver.py").path) }
    }

    /// Runs the check. Throws only when nothing can run (no virtualenv, server unreachable); a failing
    /// scenario or a crashing driver is a failed case in the report.
    public static func check(_ configuration: CheckConfiguration, log: @escaping @Sendable (String) -> Void,
                             progress: @escaping @Sendable (CaseResult) -> Void) async throws -> CheckReport {
        let control = ControlClient(server: configuration.server)
        guard await control.isHealthy() else {
            throw SetupFailure(message: "no fleetmock server answers at \(configuration.server)/__fleetmock/health")
        }
        let needed = configuration.choices.filter { choice in configuration.scenarios.contains { $0.sdks.contains(choice.sdk) } }
        try FileManager.default.createDirectory(at: configuration.logDirectory, withIntermediateDirectories: true)
        let environments = VirtualEnvironments(root: configuration.venvRoot)
        var interpreters: [SDKChoice: String] = [:]
        for choice in needed {
            interpreters[choice] = try environments.ensure(choice, log: log)
        }
        let script = configuration.driversDirectory.appendingPathComponent("driver.py").path
        let logs = configuration.logDirectory
        let server = control.server
        let pythons = interpreters
        let pool = DriverPool { choice in
            guard let python = pythons[choice] else { throw SetupFailure(message: "no virtualenv for \(choice)") }
            return try SDKDriver(sdk: choice.sdk, version: choice.version, python: python, script: script, server: server,
                                 stderrFile: logs.appendingPathComponent("\(choice.venvName).stderr"))
        }
        var operations: [SDKChoice: [String]] = [:]
        var versions: [SDKChoice: String] = [:]
        for choice in needed {
            do {
                let described = try await pool.driver(choice).describe()
                operations[choice] = described.ops
                versions[choice] = described.version
            } catch {
                log("\(error)")
            }
        }
        let runner = CheckRunner(control: control, operations: operations.mapValues(Set.init),
                                 concurrency: configuration.concurrency, pool: pool,
                                 injectedFaults: configuration.injectedFaults)
        let cases = await runner.run(configuration.scenarios, choices: needed, progress: progress)
        await pool.stopAll()
        let catalog = (try? await control.expectOK(.GET, "/__fleetmock/catalog"))
        let ids = (catalog?["entries"]?.arrayValue ?? catalog?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        return CheckReport(cases: cases, operations: operations, versions: versions, catalog: ids, choices: needed)
    }
}
