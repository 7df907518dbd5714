import Foundation
import ServiceLifecycle

/// The loop of a background service: waits `seconds`, runs `work`, again, until the server shuts down.
/// With `seconds` at 0 or less nothing runs and it just waits for the shutdown (a service that returned
/// would stop the server).
func runPeriodically(every seconds: TimeInterval, _ work: @escaping @Sendable () async -> Void) async throws {
    guard seconds > 0 else { return try await gracefulShutdown() }
    try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(seconds))
            } catch {
                return  // shutting down
            }
            await work()
        }
    }
}
