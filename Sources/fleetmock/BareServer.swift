import ArgumentParser
import Foundation
import Hummingbird

/// A Hummingbird server with one route and nothing else: the ceiling `fleetmock bench` compares
/// fleetmock's own health endpoint with, built by the same compiler with the same settings.
struct BareServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-server", abstract: "A one-route Hummingbird server (the bench's baseline).", shouldDisplay: false)

    @Option(help: "Port (0 picks a free one).")
    var port = 0

    func run() async throws {
        let router = Router()
        router.get("/__fleetmock/health") { _, _ in #"{"status":"ok"}"# }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                let line = "bare server listening on http://127.0.0.1:\(channel.localAddress?.port ?? 0)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        )
        try await app.runService()
    }
}
