import FleetCore
import Foundation
import Logging
import ServiceLifecycle

/// Runs with the server: every `interval` seconds plays each running (not frozen) sandbox up to its
/// clock, so at real-time speed cars drive, charge and fire webhooks even when nobody asks.
/// Requests catch their own sandbox up too (`SimulationMiddleware`); this covers the quiet times.
struct SimulationTicker: Service {
    let fleet: Fleet
    let interval: TimeInterval
    let logger: Logger

    func run() async throws {
        try await runPeriodically(every: interval) { await tick() }
    }

    func tick() async {
        do {
            for sandbox in try await fleet.sandboxes() where !sandbox.clock.isFrozen {
                try await fleet.catchUp(sandbox.id, minimumStep: min(60, interval))
            }
        } catch {
            logger.warning("background simulation failed: \(error)")
        }
    }
}
