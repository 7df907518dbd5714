import FleetControl
import FleetCore
import Foundation
import NIOHTTP1

/// The result of one step of one case.
public struct StepRecord: Sendable {
    public enum Phase: String, Sendable { case prepare, step }
    public var phase: Phase
    public var op: String
    public var line: Int
    /// The expectation, described (`returns`, `raises RateLimitingException`, …).
    public var expected: String
    /// What happened, described.
    public var observed: String
    /// The driver's reply (nil when the step never reached the driver).
    public var reply: DriverReply?
    public var mismatches: [Mismatch]
    public var passed: Bool
    /// Paths of objects whose keys the SDK version's types fix (see `DriverAnswer`).
    public var typed: [String] = []
}

/// One scenario run with one SDK, in a sandbox of its own.
public struct CaseResult: Sendable {
    public var scenario: Scenario
    public var sdk: SDKChoice
    public var steps: [StepRecord]
    /// Why the case failed outside its steps' expectations (setup, driver, unknown op), if it did.
    public var error: String?
    public var seconds: Double
    /// Why the case did not run with this SDK version (an operation or argument it lacks), if so.
    public var skipped: String?

    public init(scenario: Scenario, sdk: SDKChoice, steps: [StepRecord], error: String?, seconds: Double, skipped: String? = nil) {
        self.scenario = scenario
        self.sdk = sdk
        self.steps = steps
        self.error = error
        self.seconds = seconds
        self.skipped = skipped
    }

    public var passed: Bool { skipped == nil && error == nil && steps.allSatisfy(\.passed) }
    public var failed: Bool { skipped == nil && !passed }

    /// A readable account of the failure: the failing step, expected against observed.
    public var failureText: String {
        var lines: [String] = []
        if let error { lines.append(error) }
        for step in steps where !step.passed {
            lines.append("\(scenario.file):\(step.line): \(step.phase == .prepare ? "prepare " : "")\(step.op)")
            lines.append("  expected: \(step.expected)")
            lines.append("  observed: \(step.observed)")
            for mismatch in step.mismatches { lines.append("    \(mismatch)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// Keeps one driver per SDK version and replaces one that died, so a crash fails its own cases and
/// the run goes on.
actor DriverPool {
    private var drivers: [SDKChoice: SDKDriver] = [:]
    private let start: @Sendable (SDKChoice) throws -> SDKDriver

    init(start: @escaping @Sendable (SDKChoice) throws -> SDKDriver) { self.start = start }

    func driver(_ choice: SDKChoice) throws -> SDKDriver {
        if let driver = drivers[choice] { return driver }
        let driver = try start(choice)
        drivers[choice] = driver
        return driver
    }

    /// Forgets `failed` (if it is still the current driver) so the next case starts a new one.
    func discard(_ failed: SDKDriver) {
        if drivers[failed.choice] === failed {
            drivers[failed.choice] = nil
            failed.stop()
        }
    }

    func stopAll() {
        for driver in drivers.values { driver.stop() }
        drivers = [:]
    }
}

/// Runs scenarios through SDK drivers against a fleetmock server.
public struct CheckRunner: Sendable {
    public var control: ControlClient
    /// The operations each driver knows (from `__describe__`).
    public var operations: [SDKChoice: Set<String>]
    /// At most this many cases at once.
    public var concurrency: Int
    /// Rules installed in every case after the scenario's own.
    public var injectedFaults: [JSONValue]
    let pool: DriverPool

    init(control: ControlClient, operations: [SDKChoice: Set<String>], concurrency: Int, pool: DriverPool, injectedFaults: [JSONValue] = []) {
        self.control = control
        self.operations = operations
        self.concurrency = max(1, concurrency)
        self.pool = pool
        self.injectedFaults = injectedFaults
    }

    /// Runs every scenario with each of its SDKs that is among `choices`; `progress` sees each case as
    /// it ends. Results come back in scenario order.
    func run(_ scenarios: [Scenario], choices: [SDKChoice], progress: @escaping @Sendable (CaseResult) -> Void) async -> [CaseResult] {
        var cases: [(Int, Scenario, SDKChoice)] = []
        for scenario in scenarios {
            for choice in choices where scenario.sdks.contains(choice.sdk) {
                cases.append((cases.count, scenario, choice))
            }
        }
        var results = [CaseResult?](repeating: nil, count: cases.count)
        await withTaskGroup(of: (Int, CaseResult).self) { group in
            var next = 0
            func launch() {
                guard next < cases.count else { return }
                let (index, scenario, choice) = cases[next]
                next += 1
                group.addTask { (index, await self.runCase(scenario, choice)) }
            }
            for _ in 0..<concurrency { launch() }
            for await (index, result) in group {
                results[index] = result
                progress(result)
                launch()
            }
        }
        return results.compactMap { $0 }
    }

    /// An op the scenario's SDK driver does not know, as a `file:line` error.
    func unknownOperation(_ scenario: Scenario, choice: SDKChoice) -> String? {
        guard let known = operations[choice] else { return nil }
        let sdk = choice.sdk
        for (phase, steps) in [("prepare", scenario.prepare), ("steps", scenario.steps)] {
            for (index, step) in steps.enumerated() where step.applies(to: sdk) && !known.contains(step.op) {
                let closest = Suggestions.closest(to: step.op, in: Array(known)).joined(separator: ", ")
                return "\(scenario.file):\(step.line): \(phase)[\(index)].op: unknown operation '\(step.op)' for \(choice.label)"
                    + (closest.isEmpty ? "" : " (closest: \(closest))")
            }
        }
        return nil
    }

    /// Why a version other than the pinned one skips the scenario: the first operation it lacks.
    /// (For the pinned version a missing operation is a broken scenario: `unknownOperation`.)
    func missingOperation(_ scenario: Scenario, choice: SDKChoice) -> String? {
        guard !choice.isPinned, let known = operations[choice] else { return nil }
        let ops = (scenario.prepare + scenario.steps).filter { $0.applies(to: choice.sdk) }.map(\.op)
        let missing = ops.filter { !known.contains($0) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard !missing.isEmpty else { return nil }
        return "\(choice) has no " + missing.map { "`\($0)`" }.joined(separator: ", ")
    }

    func runCase(_ scenario: Scenario, _ choice: SDKChoice) async -> CaseResult {
        let started = ContinuousClock.now
        var result = CaseResult(scenario: scenario, sdk: choice, steps: [], error: nil, seconds: 0)
        if let reason = missingOperation(scenario, choice: choice) {
            result.skipped = reason
            return result
        }
        if let problem = unknownOperation(scenario, choice: choice) {
            result.error = problem
            return result
        }
        let applier = ScenarioApplier(control: control)
        var sandboxId: String?
        let session = "\(scenario.id)#\(choice.sdk)#\(UInt32.random(in: 0...UInt32.max))"
        var driver: SDKDriver?
        do {
            let created = try await applier.createSandbox(scenario.setup)
            guard let id = created["id"]?.stringValue else { throw SetupFailure(message: "the sandbox answer has no id") }
            sandboxId = id
            let credentials = try await applier.applySetup(scenario.setup, sandbox: id)
            let context = JSONValue.object([("server", .string(control.server)), ("sandbox", credentials)])
            var placeholders = Placeholders(context: credentials)
            let current = try await pool.driver(choice)
            driver = current
            for step in scenario.prepare where step.applies(to: choice.sdk) {
                let record = try await run(step, phase: .prepare, sdk: choice.sdk, driver: current, session: session,
                                           context: context, placeholders: placeholders)
                if let reason = Self.unsupported(record, choice: choice), result.steps.allSatisfy(\.passed) {
                    result.skipped = reason
                    break
                }
                result.steps.append(record)
                placeholders = Self.keep(record, of: step, in: placeholders)
                if !record.passed { break }
            }
            if result.skipped == nil, result.steps.allSatisfy(\.passed) {
                try await applier.installFaults(scenario.faults + injectedFaults, sandbox: id, credentials: credentials)
                for step in scenario.steps where step.applies(to: choice.sdk) {
                    let record = try await run(step, phase: .step, sdk: choice.sdk, driver: current, session: session,
                                               context: context, placeholders: placeholders)
                    if let reason = Self.unsupported(record, choice: choice), result.steps.allSatisfy(\.passed) {
                        result.skipped = reason
                        break
                    }
                    result.steps.append(record)
                    placeholders = Self.keep(record, of: step, in: placeholders)
                }
            }
            _ = try? await current.send(op: "__end__", session: session)
        } catch let failure as DriverFailure {
            result.error = failure.description
            if let driver { await pool.discard(driver) }
        } catch {
            result.error = "\(scenario.file): \(error)"
        }
        if let sandboxId { _ = try? await control.call(.DELETE, ControlClient.path(sandboxId)) }
        let elapsed = ContinuousClock.now - started
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }

    private func run(_ step: ScenarioStep, phase: StepRecord.Phase, sdk: SDKName, driver: SDKDriver, session: String,
                     context: JSONValue, placeholders: Placeholders) async throws -> StepRecord {
        let outcome = try step.expect[sdk].map { outcome -> Outcome in
            switch outcome {
            case .result(let value): return .result(try placeholders.apply(value))
            case .error(let value): return .error(try placeholders.apply(value))
            case .ok: return .ok
            }
        }
        let args = try placeholders.apply(step.args)
        let answer = try await driver.exchange(op: step.op, session: session, args: args, context: context)
        let reply = answer.reply
        let judged = Self.judge(reply, against: outcome)
        return StepRecord(phase: phase, op: step.op, line: step.line, expected: Self.describe(outcome),
                          observed: Self.describe(reply), reply: reply, mismatches: judged.mismatches, passed: judged.passed,
                          typed: answer.typed)
    }

    /// The skip reason when a version other than the pinned one cannot express the step (on the
    /// pinned version the step simply fails).
    static func unsupported(_ record: StepRecord, choice: SDKChoice) -> String? {
        guard !choice.isPinned else { return nil }
        if case .unsupported(let reason)? = record.reply { return "line \(record.line): \(record.op): \(reason)" }
        let fields = missingFields(record)
        guard !fields.isEmpty else { return nil }
        return "line \(record.line): \(record.op): \(choice)'s types have no " + fields.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// The expected fields a step missed only because the SDK version's own types lack them: every
    /// mismatch is an absent key of an object the driver marked typed (nil-free list, empty otherwise).
    static func missingFields(_ record: StepRecord) -> [String] {
        guard !record.passed, !record.mismatches.isEmpty else { return [] }
        var fields: [String] = []
        for mismatch in record.mismatches {
            guard mismatch.observed == "nothing (absent)", let dot = mismatch.path.lastIndex(of: ".") else { return [] }
            // Drop the matcher's root (`result`, `error`): the driver's paths start below it.
            var parent = String(mismatch.path[..<dot])
            if let root = ["result", "error"].first(where: { parent == $0 || parent.hasPrefix($0 + ".") || parent.hasPrefix($0 + "[") }) {
                parent = String(parent.dropFirst(root.count))
                if parent.hasPrefix(".") { parent.removeFirst() }
            }
            guard record.typed.contains(parent) else { return [] }
            fields.append(mismatch.path)
        }
        return fields
    }

    /// Placeholders with the step's result kept under `saved.<name>`, when the step asks for it.
    static func keep(_ record: StepRecord, of step: ScenarioStep, in placeholders: Placeholders) -> Placeholders {
        guard let name = step.save, case .returned(let value)? = record.reply else { return placeholders }
        return placeholders.saving(name, value)
    }

    /// Whether `reply` meets `outcome` (nil: the call must not raise).
    static func judge(_ reply: DriverReply, against outcome: Outcome?) -> (passed: Bool, mismatches: [Mismatch]) {
        switch (reply, outcome) {
        case (.driverError, _), (.unsupported, _): return (false, [])
        case (.returned, nil), (.returned, .ok?): return (true, [])
        case (.returned(let value), .result(let match)?):
            let found = OutcomeMatcher.mismatches(expected: match, observed: value, path: "result")
            return (found.isEmpty, found)
        case (.raised, .error(let match)?):
            let found = OutcomeMatcher.mismatches(expected: match, observed: reply.observed, path: "error")
            return (found.isEmpty, found)
        default: return (false, [])
        }
    }

    static func describe(_ outcome: Outcome?) -> String {
        switch outcome {
        case nil, .ok?: return "returns"
        case .result(let match)?: return "returns \(OutcomeMatcher.describe(match))"
        case .error(let match)?: return "raises \(OutcomeMatcher.describe(match))"
        }
    }

    static func describe(_ reply: DriverReply) -> String {
        switch reply {
        case .returned(let value): return "returned \(OutcomeMatcher.describe(value))"
        case .raised: return "raised \(OutcomeMatcher.describe(reply.observed))"
        case .driverError(let message): return "driver error: \(message)"
        case .unsupported(let message): return "unsupported by this SDK version: \(message)"
        }
    }
}

/// Closest names by edit distance, for "did you mean" messages.
public enum Suggestions {
    public static func closest(to word: String, in candidates: [String], limit: Int = 3) -> [String] {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        let threshold = max(3, word.count / 3)
        return scored.filter { $0.1 <= threshold }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = b.isEmpty ? [i] : current
        }
        return previous[b.count]
    }
}
