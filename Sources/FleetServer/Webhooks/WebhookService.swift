import FleetCore
import Foundation
import Logging
import ServiceLifecycle

/// Runs with the server: hears committed fleet changes, turns them into webhook events in order (one
/// change at a time, so each vehicle's "what changed" is computed against the event before it), and
/// delivers each event concurrently, retrying as the policy says.
final class WebhookService: Service {
    let services: FleetServices
    let logger: Logger
    private let changes: AsyncStream<FleetChange>
    private let observer: Int

    init(services: FleetServices, logger: Logger) {
        self.services = services
        self.logger = logger
        // Observe from the start, so changes made before `run` begins (a test's first request) are not missed.
        let (stream, continuation) = AsyncStream.makeStream(of: FleetChange.self, bufferingPolicy: .bufferingNewest(10_000))
        changes = stream
        observer = services.fleet.changes.observe { change in continuation.yield(change) }
    }

    deinit {
        services.fleet.changes.removeObserver(observer)
    }

    func run() async throws {
        let smartcar = services.smartcarWebhooks
        let dimo = services.dimoTriggers
        let sender = services.webhookSender
        let logger = logger
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await change in self.changes {
                    do {
                        for delivery in try await smartcar.events(for: change) {
                            group.addTask { await sender.deliver(delivery) }
                        }
                    } catch {
                        logger.warning("Smartcar webhook events for \(change.sandboxId) failed: \(error)")
                    }
                    do {
                        for firing in try await dimo.firings(for: change) {
                            group.addTask {
                                await sender.deliver(firing.delivery) { delivered in
                                    try? await dimo.store.recordDelivery(webhookId: firing.webhookId, succeeded: delivered)
                                }
                            }
                        }
                    } catch {
                        logger.warning("DIMO trigger firings for \(change.sandboxId) failed: \(error)")
                    }
                }
            }
        }
    }
}
