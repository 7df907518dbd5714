import ArgumentParser
import FleetControl
import FleetCore
import Foundation

struct ServerOptions: ParsableArguments {
    @Option(help: "The fleetmock server.")
    var server = ProcessInfo.processInfo.environment["FLEETMOCK_URL"] ?? "http://127.0.0.1:4747"

    @Option(help: "The sandbox.")
    var sandbox = "default"
}

struct Reset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a sandbox back to its seed.")
    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await ServerConnection(options.server).run { try await $0.reset(options.sandbox) }
        print("sandbox \(options.sandbox) reset")
    }
}

struct Clock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change a sandbox's virtual clock.",
        discussion: """
        fleetmock clock                  show it
        fleetmock clock advance 2h       move forward (90s, 15m, 1h30m, 3d)
        fleetmock clock set 2026-01-01T08:00:00Z
        fleetmock clock freeze | unfreeze | real
        fleetmock clock scale 60         one real second is a virtual minute
        """)

    @OptionGroup var options: ServerOptions

    @Argument(help: "show, advance, set, freeze, unfreeze, scale or real.")
    var action = "show"

    @Argument(help: "A duration, a timestamp or a scale.")
    var value: String?

    func run() async throws {
        let change: ControlDTO.ClockChange?
        switch action {
        case "show": change = nil
        case "advance":
            guard let value, DurationText.seconds(value) != nil else { throw ValidationError("advance needs a duration such as 2h or 1h30m") }
            change = .advance(value)
        case "set":
            guard let value, let date = Timestamp.parse(value) else { throw ValidationError("set needs an RFC 3339 time such as 2026-01-01T08:00:00Z") }
            change = .set(date)
        case "freeze": change = .freeze(true)
        case "unfreeze": change = .freeze(false)
        case "real": change = .realTime
        case "scale":
            guard let value, let scale = Double(value), scale >= 0 else { throw ValidationError("scale needs a number ≥ 0") }
            change = .scale(scale)
        default:
            throw ValidationError("unknown clock action '\(action)'; use show, advance, set, freeze, unfreeze, scale or real")
        }
        let clock = try await ServerConnection(options.server).run { control in
            if let change { return try await control.changeClock(options.sandbox, change) }
            return try await control.clock(options.sandbox)
        }
        print(prettyJSON(clock))
    }
}
