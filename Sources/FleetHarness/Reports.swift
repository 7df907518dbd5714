import FleetCore
import Foundation

/// What a check run found, ready to print: the cases, plus what the drivers and catalogue offered,
/// for the coverage tables.
public struct CheckReport: Sendable {
    public var cases: [CaseResult]
    /// Every operation each driver offers.
    public var operations: [SDKChoice: [String]]
    /// The versions the drivers reported running.
    public var versions: [SDKChoice: String]
    /// Every catalogue id the server lists.
    public var catalog: [String]
    /// The SDK versions run, in report order (by SDK, then version).
    public var choices: [SDKChoice]

    public init(cases: [CaseResult], operations: [SDKChoice: [String]], versions: [SDKChoice: String], catalog: [String],
                choices: [SDKChoice]? = nil) {
        self.cases = cases
        self.operations = operations
        self.versions = versions
        self.catalog = catalog
        var all = choices ?? []
        for result in cases where !all.contains(result.sdk) { all.append(result.sdk) }
        self.choices = all.sorted(by: SDKChoice.ordered)
    }

    /// The harness's own operations, which are not SDK methods and so not counted in coverage.
    public static let harnessOperations: Set<String> = ["connect", "login", "exchange", "control"]

    public var passed: Int { cases.filter(\.passed).count }
    public var failed: Int { cases.filter(\.failed).count }
    public var skipped: Int { cases.filter { $0.skipped != nil }.count }

    /// The closing line every CI log reader understands (skips are named only when there are some).
    public var summaryLine: String { Self.summary(cases) }

    static func summary(_ cases: [CaseResult]) -> String {
        let skipped = cases.filter { $0.skipped != nil }.count
        let line = "\(cases.filter(\.passed).count) passed, \(cases.filter(\.failed).count) failed"
        return skipped == 0 ? line : line + ", \(skipped) skipped"
    }

    /// One line per SDK version: what it passed, failed and skipped (the matrix at a glance).
    public var versionLines: [String] {
        choices.map { choice in
            let mine = cases.filter { $0.sdk == choice }
            let skipped = mine.filter { $0.skipped != nil }.count
            return "\(choice.label) (\(choice.sdk.package)==\(versions[choice] ?? choice.version)): "
                + "\(mine.filter(\.passed).count) passed, \(mine.filter(\.failed).count) failed, \(skipped) skipped"
        }
    }

    /// Operations exercised per SDK version (by any step that reached the SDK).
    public var exercised: [SDKChoice: Set<String>] {
        var used: [SDKChoice: Set<String>] = [:]
        for result in cases {
            for step in result.steps where step.reply != nil {
                switch step.reply {
                case .driverError?, .unsupported?: continue
                default: used[result.sdk, default: []].insert(step.op)
                }
            }
        }
        return used
    }

    /// Catalogue ids covered by a scenario that ran.
    public var coveredCatalog: Set<String> { Set(cases.filter { $0.skipped == nil }.flatMap(\.scenario.covers)) }

    /// JUnit XML: one suite per SDK version, one test case per scenario; skipped cases carry
    /// `<skipped message=…>`.
    public func junit() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let total = cases.reduce(0) { $0 + $1.seconds }
        xml += #"<testsuites name="fleetmock check" tests="\#(cases.count)" failures="\#(failed)" skipped="\#(skipped)" time="\#(format(total))">"# + "\n"
        for choice in choices {
            let mine = cases.filter { $0.sdk == choice }
            guard !mine.isEmpty else { continue }
            let time = mine.reduce(0) { $0 + $1.seconds }
            xml += #"  <testsuite name="\#(escape(choice.description))" tests="\#(mine.count)" failures="\#(mine.filter(\.failed).count)" skipped="\#(mine.filter { $0.skipped != nil }.count)" time="\#(format(time))">"# + "\n"
            for result in mine { xml += testcase(result) }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    private func testcase(_ result: CaseResult) -> String {
        var xml = #"    <testcase classname="\#(escape(result.sdk.label))" name="\#(escape(result.scenario.id))" file="\#(escape(result.scenario.file))" time="\#(format(result.seconds))">"#
        if let reason = result.skipped {
            xml += "\n      <skipped message=\"\(escape(reason))\"/>\n    </testcase>\n"
        } else if result.passed {
            xml += "</testcase>\n"
        } else {
            let message = result.error?.split(separator: "\n").first.map(String.init) ?? "a step did not see its expected outcome"
            xml += "\n      <failure message=\"\(escape(message))\">\(escape(result.failureText))</failure>\n    </testcase>\n"
        }
        return xml
    }

    /// Markdown: the summary, the per-version totals, the scenario × SDK version matrix, the
    /// SDK × operation × outcome matrix, coverage, skips and failures.
    public func markdown() -> String {
        var md = "# fleetmock check\n\n"
        md += "**\(summaryLine)** over \(Set(cases.map(\.scenario.id)).count) scenarios. SDKs: "
        md += choices.map { "\($0.sdk.package)==\(versions[$0] ?? $0.version) (`\($0.label)`)" }.joined(separator: ", ") + ".\n\n"
        md += versionTable() + scenarioMatrix() + outcomeTable() + coverage() + skips()
        let failures = cases.filter(\.failed)
        if !failures.isEmpty {
            md += "\n## Failures\n"
            for result in failures {
                md += "\n### `\(result.scenario.id)` with \(result.sdk)\n\n```\n\(result.failureText)\n```\n"
            }
        }
        return md
    }

    private func versionTable() -> String {
        var md = "## SDK versions\n\n| SDK | version | passed | failed | skipped |\n|---|---|---|---|---|\n"
        for choice in choices {
            let mine = cases.filter { $0.sdk == choice }
            md += "| `\(choice.label)` | \(choice.sdk.package)==\(versions[choice] ?? choice.version) | \(mine.filter(\.passed).count) | "
            md += "\(mine.filter(\.failed).count) | \(mine.filter { $0.skipped != nil }.count) |\n"
        }
        return md
    }

    private func scenarioMatrix() -> String {
        let columns = choices.filter { choice in cases.contains { $0.sdk == choice } }
        var md = "\n## Scenarios\n\n| scenario | " + columns.map(\.label).joined(separator: " | ") + " |\n"
        md += "|---|" + columns.map { _ in "---" }.joined(separator: "|") + "|\n"
        var seen: Set<String> = []
        for result in cases where seen.insert(result.scenario.id).inserted {
            let cells = columns.map { choice -> String in
                guard let run = cases.first(where: { $0.scenario.id == result.scenario.id && $0.sdk == choice }) else { return "" }
                return run.skipped != nil ? "skipped" : run.passed ? "pass" : "**FAIL**"
            }
            md += "| `\(result.scenario.id)` | " + cells.joined(separator: " | ") + " |\n"
        }
        return md
    }

    private func outcomeTable() -> String {
        var md = "\n## SDK × operation × outcome\n\n| SDK | operation | outcomes seen (count) |\n|---|---|---|\n"
        for choice in choices {
            var outcomes: [String: [String: Int]] = [:]
            for result in cases where result.sdk == choice {
                for step in result.steps {
                    outcomes[step.op, default: [:]][Self.outcomeLabel(step.reply), default: 0] += 1
                }
            }
            for op in outcomes.keys.sorted() {
                let seenOutcomes = (outcomes[op] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                md += "| \(choice.label) | `\(op)` | " + seenOutcomes.joined(separator: ", ") + " |\n"
            }
        }
        return md
    }

    private func coverage() -> String {
        var md = "\n## Coverage\n\n"
        let used = exercised
        for choice in choices where cases.contains(where: { $0.sdk == choice }) {
            let offered = (operations[choice] ?? []).filter { !Self.harnessOperations.contains($0) && !$0.hasPrefix("__") }
            let missing = offered.filter { !(used[choice] ?? []).contains($0) }
            md += "- `\(choice.label)`: \(offered.count - missing.count) of \(offered.count) SDK operations exercised"
            md += missing.isEmpty ? ".\n" : "; not exercised: " + missing.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        }
        let covered = coveredCatalog
        let uncovered = catalog.filter { !covered.contains($0) }
        md += "- fault catalogue: \(catalog.count - uncovered.count) of \(catalog.count) entries exercised"
        md += uncovered.isEmpty ? ".\n" : "; not exercised: " + uncovered.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        return md
    }

    /// Skipped cases grouped by SDK version and reason.
    private func skips() -> String {
        let skippedCases = cases.filter { $0.skipped != nil }
        guard !skippedCases.isEmpty else { return "" }
        var md = "\n## Skipped\n\n"
        for choice in choices {
            var byReason: [(reason: String, ids: [String])] = []
            for result in skippedCases where result.sdk == choice {
                let reason = result.skipped ?? ""
                if let index = byReason.firstIndex(where: { $0.reason == reason }) {
                    byReason[index].ids.append(result.scenario.id)
                } else {
                    byReason.append((reason, [result.scenario.id]))
                }
            }
            for group in byReason {
                md += "- `\(choice.label)`: \(group.reason): " + group.ids.map { "`\($0)`" }.joined(separator: ", ") + "\n"
            }
        }
        return md
    }

    static func outcomeLabel(_ reply: DriverReply?) -> String {
        switch reply {
        case .returned?: return "returned"
        case .raised(let error)?: return "raised " + (error["class"]?.stringValue ?? "?")
        case .driverError?: return "driver error"
        case .unsupported?: return "unsupported"
        case nil: return "not run"
        }
    }

    private func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    private func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
