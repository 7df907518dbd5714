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
}

/// One scenario run with one SDK, in a sandbox of its own.
public struct CaseResult: Sendable {
    public var scenario: Scenario
    public var sdk: SDKChoice
    public var steps: [StepRecord]
    /// Why the case failed outside its steps' expectations (setup, driver, unknown op), if it did.
    public var error: String?
    public var seconds: Double

    public var passed: Bool { error == nil && steps.allSatisfy(\.passed) }

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

/// Keeps one driver per SDK and replaces one that died, so a crash fails its own cases and the run
/// goes on.
actor DriverPool {
    private var drivers: [SDKName: SDKDriver] = [:]
    private let start: @Sendable (SDKName) throws -> SDKDriver

    init(start: @escaping @Sendable (SDKName) throws -> SDKDriver) { self.start = start }

    func driver(_ sdk: SDKName) throws -> SDKDriver {
        if let driver = drivers[sdk] { return driver }
        let driver = try start(sdk)
        drivers[sdk] = driver
        return driver
    }

    /// Forgets `failed` (if it is still the current driver) so the next case starts a new one.
    func discard(_ failed: SDKDriver) {
        if drivers[failed.sdk] === failed {
            drivers[failed.sdk] = nil
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
    public var operations: [SDKName: Set<String>]
    /// At most this many cases at once.
    public var concurrency: Int
    /// Rules installed in every case after the scenario's own.
    public var injectedFaults: [JSONValue]
    let pool: DriverPool

    init(control: ControlClient, operations: [SDKName: Set<String>], concurrency: Int, pool: DriverPool, injectedFaults: [JSONValue] = []) {
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
    func unknownOperation(_ scenario: Scenario, sdk: SDKName) -> String? {
        guard let known = operations[sdk] else { return nil }
        for (phase, steps) in [("prepare", scenario.prepare), ("steps", scenario.steps)] {
            for (index, step) in steps.enumerated() where step.applies(to: sdk) && !known.contains(step.op) {
                let closest = Suggestions.closest(to: step.op, in: Array(known)).joined(separator: ", ")
                return "\(scenario.file):\(step.line): \(phase)[\(index)].op: unknown operation '\(step.op)' for \(sdk)"
                    + (closest.isEmpty ? "" : " (closest: \(closest))")
            }
        }
        return nil
    }

    func runCase(_ scenario: Scenario, _ choice: SDKChoice) async -> CaseResult {
        let started = ContinuousClock.now
        var result = CaseResult(scenario: scenario, sdk: choice, steps: [], error: nil, seconds: 0)
        if let problem = unknownOperation(scenario, sdk: choice.sdk) {
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
            let current = try await pool.driver(choice.sdk)
            driver = current
            for step in scenario.prepare where step.applies(to: choice.sdk) {
                let record = try await run(step, phase: .prepare, sdk: choice.sdk, driver: current, session: session,
                                           context: context, placeholders: placeholders)
                result.steps.append(record)
                placeholders = Self.keep(record, of: step, in: placeholders)
                if !record.passed { break }
            }
            if result.steps.allSatisfy(\.passed) {
                try await applier.installFaults(scenario.faults + injectedFaults, sandbox: id, credentials: credentials)
                for step in scenario.steps where step.applies(to: choice.sdk) {
                    let record = try await run(step, phase: .step, sdk: choice.sdk, driver: current, session: session,
                                               context: context, placeholders: placeholders)
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
        if let sandboxId { _ = try? await control.call(.DELETE, ScenarioApplier.path(sandboxId)) }
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
        let reply = try await driver.send(op: step.op, session: session, args: args, context: context)
        let judged = Self.judge(reply, against: outcome)
        return StepRecord(phase: phase, op: step.op, line: step.line, expected: Self.describe(outcome),
                          observed: Self.describe(reply), reply: reply, mismatches: judged.mismatches, passed: judged.passed)
    }

    /// Placeholders with the step's result kept under `saved.<name>`, when the step asks for it.
    static func keep(_ record: StepRecord, of step: ScenarioStep, in placeholders: Placeholders) -> Placeholders {
        guard let name = step.save, case .returned(let value)? = record.reply else { return placeholders }
        return placeholders.saving(name, value)
    }

    /// Whether `reply` meets `outcome` (nil: the call must not raise).
    static func judge(_ reply: DriverReply, against outcome: Outcome?) -> (passed: Bool, mismatches: [Mismatch]) {
        switch (reply, outcome) {
        case (.driverError, _): return (false, [])
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
