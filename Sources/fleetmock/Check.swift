import ArgumentParser
import FleetCore
import FleetHarness
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `fleetmock check`: the real SDKs against the server, scenario by scenario.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run scenarios through the official SDKs against a fleetmock server.",
        discussion: """
        Starts its own server (serve --memory --port 0) unless --server is given, prepares one Python
        virtualenv per SDK version under .fleetmock/venvs (cached), and runs every scenario with each of its
        SDKs, each case in a sandbox of its own. `--sdk smartcar6@6.0.0,6.10.0,6.19.1` runs a matrix of
        versions. A version other than the pinned one skips (SKIP, not FAIL) a scenario whose operations or
        arguments it lacks. Prints a line per case and closes with "N passed, N failed[, N skipped]";
        exits 0 only when nothing failed.
        """)

    @Option(help: "A running fleetmock server to test (default: start one).")
    var server: String?

    @Option(name: .customLong("sdk"), help: "An SDK to run: smartcar6, smartcar3 or dimo, optionally @VERSION or @V1,V2,... for a version matrix (repeatable; default all three, pinned).")
    var sdks: [String] = []

    @Option(name: .customLong("scenario"), help: "A glob over scenario ids or paths, e.g. 'smartcar/*' (repeatable; default all).")
    var patterns: [String] = []

    @Option(help: "The scenarios folder.")
    var scenarios = "scenarios"

    @Option(help: "Cases run at once.")
    var concurrency = 4

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: "Write a Markdown report (matrix and coverage) here.")
    var report: String?

    @Option(help: "Where the SDK virtualenvs are cached.")
    var venvs = ".fleetmock/venvs"

    @Option(help: "The folder holding driver.py (default: beside the executable, or the source tree).")
    var drivers: String?

    @Option(help: "A fault rule (JSON) added to every case after the scenario's own, e.g. a dropField, to see which scenarios depend on what (repeatable).")
    var inject: [String] = []

    @Flag(help: "Print every step of every case, not only the failures.")
    var verbose = false

    func validate() throws {
        guard (1...32).contains(concurrency) else { throw ValidationError("--concurrency must be 1...32") }
        for text in inject where JSONValue.parse(Data(text.utf8))?.objectValue == nil {
            throw ValidationError("--inject must be a JSON fault rule such as {\"match\": {...}, \"action\": {...}}: \(text)")
        }
        for text in sdks where SDKChoice.list(text) == nil {
            throw ValidationError("unknown SDK '\(text)': use smartcar6, smartcar3 or dimo, optionally with @VERSION or @V1,V2,...")
        }
    }

    func run() async throws {
        var choices = sdks.isEmpty ? SDKName.allCases.map { SDKChoice(sdk: $0) } : []
        for choice in sdks.flatMap({ SDKChoice.list($0) ?? [] }) where !choices.contains(choice) { choices.append(choice) }
        let selection = try ScenarioSelection.load(directory: scenarios, patterns: patterns)
        for problem in selection.errors { printError("FAIL \(problem)") }
        guard !selection.scenarios.isEmpty || !selection.errors.isEmpty else {
            throw ValidationError("no scenario matches \(patterns.isEmpty ? "in \(scenarios)" : patterns.joined(separator: ", "))")
        }
        guard let driversDirectory = drivers.map({ URL(fileURLWithPath: $0) }) ?? Harness.locateDrivers() else {
            throw ValidationError("cannot find the SDK drivers (driver.py); pass --drivers DIR or set FLEETMOCK_DRIVERS")
        }

        var started: StartedServer?
        let url: String
        if let server {
            url = server
        } else {
            try FileManager.default.createDirectory(atPath: ".fleetmock", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: ".fleetmock/check-server.stderr", contents: nil)
            let log = FileHandle(forWritingAtPath: ".fleetmock/check-server.stderr")
            let launched = try await StartedServer.launch(executable: CommandLine.arguments[0], extraArguments: ["--history-days", "2"], stderr: log)
            started = launched
            url = launched.baseURL
            print("fleetmock check: server \(url)")
        }
        defer { started?.stop() }

        let verbose = self.verbose
        var configuration = CheckConfiguration(
            server: url, scenarios: selection.scenarios, choices: choices,
            venvRoot: URL(fileURLWithPath: venvs), driversDirectory: driversDirectory,
            logDirectory: URL(fileURLWithPath: ".fleetmock/check"))
        configuration.concurrency = concurrency
        configuration.injectedFaults = inject.compactMap { JSONValue.parse(Data($0.utf8)) }
        let report = try await Harness.check(configuration, log: { print("fleetmock check: \($0)") }) { result in
            if let reason = result.skipped {
                print("SKIP \(result.scenario.id) [\(result.sdk.label)] \(reason)")
                return
            }
            let mark = result.passed ? "PASS" : "FAIL"
            print("\(mark) \(result.scenario.id) [\(result.sdk.label)] \(String(format: "%.2f", result.seconds))s")
            if !result.passed {
                print(result.failureText.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            } else if verbose {
                for step in result.steps { print("    \(step.op): \(step.observed.prefix(200))") }
            }
        }

        if let junit { try report.junit().write(toFile: junit, atomically: true, encoding: .utf8) }
        if let path = self.report {
            var markdown = report.markdown()
            if !selection.errors.isEmpty {
                markdown += "\n## Scenario files rejected\n\n" + selection.errors.map { "- \($0)" }.joined(separator: "\n") + "\n"
            }
            try markdown.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let failed = report.failed + selection.errors.count
        if Set(report.choices.map(\.sdk)).count < report.choices.count {
            for line in report.versionLines { print(line) }
        }
        print("\(report.passed) passed, \(failed) failed" + (report.skipped > 0 ? ", \(report.skipped) skipped" : ""))
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Scenario files picked by globs, loaded; files that break the format become errors, not a stop.
struct ScenarioSelection {
    var scenarios: [Scenario] = []
    var errors: [String] = []

    static func load(directory: String, patterns: [String]) throws -> ScenarioSelection {
        var selection = ScenarioSelection()
        var files: [(file: String, id: String)] = []
        for pattern in patterns where pattern.hasSuffix(".yaml") || pattern.hasSuffix(".yml") {
            if FileManager.default.fileExists(atPath: pattern), !pattern.contains("*") {
                files.append((pattern, ScenarioLoader.id(of: pattern, under: directory)))
            }
        }
        for file in ScenarioLoader.files(in: directory) {
            let id = ScenarioLoader.id(of: file, under: directory)
            let chosen = patterns.isEmpty || patterns.contains { glob($0, matches: id) || glob($0, matches: file) }
            if chosen, !files.contains(where: { URL(fileURLWithPath: $0.file).standardizedFileURL == URL(fileURLWithPath: file).standardizedFileURL }) {
                files.append((file, id))
            }
        }
        for (file, id) in files {
            do {
                selection.scenarios.append(try ScenarioLoader.load(file: file, id: id))
            } catch {
                selection.errors.append("\(error)")
            }
        }
        return selection
    }

    static func glob(_ pattern: String, matches text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
