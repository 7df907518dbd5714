import ArgumentParser
import FleetServer

@main
struct FleetmockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetmock",
        abstract: "A local, stateful simulator of the Smartcar and DIMO connected-car APIs.",
        version: fleetmockVersion,
        subcommands: [Serve.self, Env.self, Reset.self, Clock.self, Faults.self, Scenarios.self, Check.self, Bench.self, BareServer.self],
        defaultSubcommand: Serve.self
    )
}
