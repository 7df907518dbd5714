import ArgumentParser
import FleetControl
import FleetCore
import FleetHarness
import Foundation
import NIOHTTP1

/// `fleetmock scenarios list|show`.
struct Scenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or show scenario files.",
        subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scenarios (and reject files that break the format).")

        @Option(help: "The scenarios folder.")
        var scenarios = "scenarios"

        func run() async throws {
            let selection = try ScenarioSelection.load(directory: scenarios, patterns: [])
            let width = selection.scenarios.map(\.id.count).max() ?? 10
            for scenario in selection.scenarios {
                let sdks = scenario.sdks.map(\.rawValue).joined(separator: ",")
                print(scenario.id.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                      + sdks.padding(toLength: 28, withPad: " ", startingAt: 0) + scenario.name)
            }
            print("\(selection.scenarios.count) scenarios in \(scenarios)")
            for problem in selection.errors { printError("invalid: \(problem)") }
            if !selection.errors.isEmpty { throw ExitCode(1) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one scenario: what it sets up, injects and expects.")

        @Option(help: "The scenarios folder.")
        var scenarios = "scenarios"

        @Argument(help: "A scenario id (e.g. smartcar/v2-rate-limit-vehicle) or a file.")
        var name: String

        func run() async throws {
            let scenario = try resolve(name, in: scenarios)
            print("\(scenario.id): \(scenario.name)")
            print("file: \(scenario.file)")
            if let description = scenario.description { print(description) }
            print("sdks: \(scenario.sdks.map(\.rawValue).joined(separator: ", "))")
            if !scenario.covers.isEmpty { print("covers: \(scenario.covers.joined(separator: ", "))") }
            print("sandbox: \(scenario.setup.sandbox.text)")
            for body in scenario.setup.clock { print("clock: \(body.text)") }
            for (vehicle, body) in scenario.setup.vehicles { print("vehicle \(vehicle.text): \(body.text)") }
            if let share = scenario.setup.dimoShare { print("dimo share: \(share.text)") }
            for step in scenario.prepare { print("prepare (line \(step.line)): \(step.op) \(step.args.text)") }
            for fault in scenario.faults { print("fault: \(fault.text)") }
            for step in scenario.steps {
                print("step (line \(step.line)): \(step.op) \(step.args.text)" + (step.sdks.map { " [\($0.map(\.rawValue).joined(separator: ","))]" } ?? ""))
                for sdk in SDKName.allCases {
                    guard let outcome = step.expect[sdk] else { continue }
                    switch outcome {
                    case .ok: print("    \(sdk): returns")
                    case .result(let match): print("    \(sdk): returns \(match.text)")
                    case .error(let match): print("    \(sdk): raises \(match.text)")
                    }
                }
            }
        }
    }

    /// A scenario by id, by path, or by file name.
    static func resolve(_ name: String, in directory: String) throws -> Scenario {
        if FileManager.default.fileExists(atPath: name), name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            return try load(name, id: ScenarioLoader.id(of: name, under: directory))
        }
        let files = ScenarioLoader.files(in: directory)
        let ids = files.map { ScenarioLoader.id(of: $0, under: directory) }
        if let index = ids.firstIndex(of: name) { return try load(files[index], id: name) }
        let byLastPart = ids.indices.filter { ids[$0].split(separator: "/").last.map(String.init) == name }
        if byLastPart.count == 1, let index = byLastPart.first { return try load(files[index], id: ids[index]) }
        let closest = Suggestions.closest(to: name, in: ids).joined(separator: ", ")
        throw ValidationError("no scenario '\(name)' in \(directory)" + (closest.isEmpty ? "" : " (closest: \(closest))"))
    }

    private static func load(_ file: String, id: String) throws -> Scenario {
        do {
            return try ScenarioLoader.load(file: file, id: id)
        } catch let error as ScenarioError {
            throw ValidationError(error.description)
        }
    }
}

/// `fleetmock faults add|list|clear`: a sandbox's fault rules through the control API.
struct Faults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list or clear a sandbox's fault rules.",
        subcommands: [Add.self, List.self, Clear.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a fault rule.",
            discussion: """
            fleetmock faults add smartcar.RATE_LIMIT.VEHICLE --path '/v2.0/vehicles/*/odometer' --retry-after 30 --times 2
            fleetmock faults add --json '{"match": {"vendor": "dimo"}, "action": {"kind": "latency", "latencyMs": 800}}'
            """)

        @OptionGroup var options: ServerOptions

        @Argument(help: "A catalogue id (see GET /__fleetmock/catalog).")
        var catalogId: String?

        @Option(help: "A whole rule as JSON: {match, action, schedule}.")
        var json: String?

        @Option(help: "Match: a path template (* is one segment, ** the rest) or a route template such as /v{version}/vehicles/{id}/odometer.")
        var path: String?

        @Option(help: "Match: smartcar or dimo.")
        var vendor: String?

        @Option(help: "Match: an HTTP method.")
        var method: String?

        @Option(help: "Match: a vehicle id (VIN, Smartcar id or DIMO token id).")
        var vehicle: String?

        @Option(help: "Retry-After seconds.")
        var retryAfter: Int?

        @Option(help: "Fire at most this many times.")
        var times: Int?

        func run() async throws {
            let body: String
            if let json {
                guard catalogId == nil else { throw ValidationError("give either a catalogue id or --json, not both") }
                body = json
            } else {
                guard let catalogId else { throw ValidationError("give a catalogue id or --json (see fleetmock faults add --help)") }
                var match: [(String, JSONValue)] = []
                if let path { match.append(("path", .string(path))) }
                if let vendor { match.append(("vendor", .string(vendor))) }
                if let method { match.append(("method", .string(method))) }
                if let vehicle { match.append(("vehicle", .string(vehicle))) }
                var action: [(String, JSONValue)] = [("kind", "error"), ("catalogId", .string(catalogId))]
                if let retryAfter { action.append(("retryAfter", .integer(Int64(retryAfter)))) }
                var rule: [(String, JSONValue)] = [("match", .object(match)), ("action", .object(action))]
                if let times { rule.append(("schedule", .object([("times", .integer(Int64(times)))]))) }
                body = JSONValue.object(rule).text
            }
            guard let rule = JSONValue.parse(Data(body.utf8)) else { throw ValidationError("--json is not valid JSON") }
            let stored = try await ServerConnection(options.server).run { try await $0.addFault(options.sandbox, rule: rule) }
            print(prettyJSON(stored))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sandbox's fault rules with their match and fire counts.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            print(prettyJSON(try await ServerConnection(options.server).run { try await $0.faults(options.sandbox) }))
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one fault rule, or all of them.")
        @OptionGroup var options: ServerOptions

        @Argument(help: "A rule id; without it every rule of the sandbox goes.")
        var faultId: String?

        func run() async throws {
            try await ServerConnection(options.server).run { try await $0.removeFaults(options.sandbox, faultId: faultId) }
            print(faultId.map { "fault \($0) removed" } ?? "all faults of \(options.sandbox) removed")
        }
    }
}
