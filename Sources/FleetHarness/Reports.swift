import FleetCore
import Foundation

/// What a check run found, ready to print: the cases, plus what the drivers and catalogue offered,
/// for the coverage tables.
public struct CheckReport: Sendable {
    public var cases: [CaseResult]
    /// Every operation each driver offers.
    public var operations: [SDKName: [String]]
    /// The versions the drivers ran.
    public var versions: [SDKName: String]
    /// Every catalogue id the server lists.
    public var catalog: [String]

    /// The harness's own operations, which are not SDK methods and so not counted in coverage.
    public static let harnessOperations: Set<String> = ["connect", "login", "exchange", "control"]

    public var passed: Int { cases.filter(\.passed).count }
    public var failed: Int { cases.count - passed }

    /// The closing line every CI log reader understands.
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }

    /// Operations exercised per SDK (by any step that reached the driver).
    public var exercised: [SDKName: Set<String>] {
        var used: [SDKName: Set<String>] = [:]
        for result in cases {
            for step in result.steps where step.reply != nil {
                if case .driverError = step.reply { continue }
                used[result.sdk.sdk, default: []].insert(step.op)
            }
        }
        return used
    }

    /// Catalogue ids covered by a scenario that ran.
    public var coveredCatalog: Set<String> { Set(cases.flatMap(\.scenario.covers)) }

    /// JUnit XML: one suite per SDK, one test case per scenario.
    public func junit() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let total = cases.reduce(0) { $0 + $1.seconds }
        xml += #"<testsuites name="fleetmock check" tests="\#(cases.count)" failures="\#(failed)" time="\#(format(total))">"# + "\n"
        for sdk in SDKName.allCases {
            let mine = cases.filter { $0.sdk.sdk == sdk }
            guard let first = mine.first else { continue }
            let time = mine.reduce(0) { $0 + $1.seconds }
            xml += #"  <testsuite name="\#(escape(first.sdk.description))" tests="\#(mine.count)" failures="\#(mine.filter { !$0.passed }.count)" time="\#(format(time))">"# + "\n"
            for result in mine {
                xml += #"    <testcase classname="\#(escape(sdk.rawValue))" name="\#(escape(result.scenario.id))" file="\#(escape(result.scenario.file))" time="\#(format(result.seconds))">"#
                if result.passed {
                    xml += "</testcase>\n"
                } else {
                    let message = result.error?.split(separator: "\n").first.map(String.init) ?? "a step did not see its expected outcome"
                    xml += "\n      <failure message=\"\(escape(message))\">\(escape(result.failureText))</failure>\n    </testcase>\n"
                }
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// Markdown: the summary, the scenario × SDK matrix, the SDK × operation × outcome matrix, and coverage.
    public func markdown() -> String {
        var md = "# fleetmock check\n\n"
        md += "**\(summaryLine)** over \(Set(cases.map(\.scenario.id)).count) scenarios. SDKs: "
        md += versions.keys.sorted().map { "\($0.package)==\(versions[$0] ?? "?") (`\($0)`)" }.joined(separator: ", ") + ".\n\n"

        let sdks = SDKName.allCases.filter { sdk in cases.contains { $0.sdk.sdk == sdk } }
        md += "## Scenarios\n\n| scenario | " + sdks.map(\.rawValue).joined(separator: " | ") + " |\n"
        md += "|---|" + sdks.map { _ in "---" }.joined(separator: "|") + "|\n"
        var seen: Set<String> = []
        for result in cases where seen.insert(result.scenario.id).inserted {
            let cells = sdks.map { sdk -> String in
                guard let run = cases.first(where: { $0.scenario.id == result.scenario.id && $0.sdk.sdk == sdk }) else { return "" }
                return run.passed ? "pass" : "**FAIL**"
            }
            md += "| `\(result.scenario.id)` | " + cells.joined(separator: " | ") + " |\n"
        }

        md += "\n## SDK × operation × outcome\n\n| SDK | operation | outcomes seen (count) |\n|---|---|---|\n"
        for sdk in sdks {
            var outcomes: [String: [String: Int]] = [:]
            for result in cases where result.sdk.sdk == sdk {
                for step in result.steps {
                    outcomes[step.op, default: [:]][Self.outcomeLabel(step.reply), default: 0] += 1
                }
            }
            for op in outcomes.keys.sorted() {
                let seenOutcomes = (outcomes[op] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                md += "| \(sdk) | `\(op)` | " + seenOutcomes.joined(separator: ", ") + " |\n"
            }
        }

        md += "\n## Coverage\n\n"
        let used = exercised
        for sdk in sdks {
            let offered = (operations[sdk] ?? []).filter { !Self.harnessOperations.contains($0) && !$0.hasPrefix("__") }
            let missing = offered.filter { !(used[sdk] ?? []).contains($0) }
            md += "- `\(sdk)`: \(offered.count - missing.count) of \(offered.count) SDK operations exercised"
            md += missing.isEmpty ? ".\n" : "; not exercised: " + missing.map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        }
        let covered = coveredCatalog
        let uncovered = catalog.filter { !covered.contains($0) }
        md += "- fault catalogue: \(catalog.count - uncovered.count) of \(catalog.count) entries exercised"
        md += uncovered.isEmpty ? ".\n" : "; not exercised: " + uncovered.map { "`\($0)`" }.joined(separator: ", ") + ".\n"

        let failures = cases.filter { !$0.passed }
        if !failures.isEmpty {
            md += "\n## Failures\n"
            for result in failures {
                md += "\n### `\(result.scenario.id)` with \(result.sdk)\n\n```\n\(result.failureText)\n```\n"
            }
        }
        return md
    }

    static func outcomeLabel(_ reply: DriverReply?) -> String {
        switch reply {
        case .returned?: return "returned"
        case .raised(let error)?: return "raised " + (error["class"]?.stringValue ?? "?")
        case .driverError?: return "driver error"
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
