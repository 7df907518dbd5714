import DIMOMock
import FleetCore
import Foundation

/// DIMO's side of webhook deliveries: for each enabled vehicle trigger and subscribed vehicle a change concerns,
/// the condition is evaluated on every new sample of the watched signal (or every new event) in time order,
/// respecting the trigger's cooldown on the sandbox clock; each firing is one CloudEvent POST.
struct DIMOTriggerDispatcher: Sendable {
    /// The most readings looked at, and the most firings sent, per subscription and change (a long clock jump
    /// with a zero-ish cooldown would otherwise flood the receiver).
    static let maxReadings = 2000
    static let maxFirings = 10

    let fleet: Fleet
    var store: TriggerDeliveryStore { TriggerDeliveryStore(fleet: fleet) }

    /// A firing ready to go, with the webhook whose `failureCount` its outcome updates.
    struct Firing: Sendable {
        var webhookId: String
        var delivery: WebhookDelivery
    }

    func firings(for change: FleetChange) async throws -> [Firing] {
        guard let (now, states) = try await store.subscriptions(sandboxId: change.sandboxId, vehicleIds: change.vehicleIds) else { return [] }
        var firings: [Firing] = []
        var rng = SystemRandomNumberGenerator()
        for state in states {
            let hook = state.webhook
            let readings: [TriggerReading]
            if let signal = VehicleTriggerDeliveries.watchedSignal(hook) {
                readings = try await store.signalReadings(vehicleId: state.vehicleId, signal: signal, after: state.evaluatedSince,
                                                          through: now, limit: Self.maxReadings)
            } else {
                readings = try await store.eventReadings(vehicleId: state.vehicleId, name: hook.metricName, after: state.evaluatedSince,
                                                         through: now, limit: Self.maxReadings)
            }
            guard !readings.isEmpty else { continue }
            var lastFiredAt = state.lastFiredAt
            var previous = state.lastFired
            var fired: [TriggerReading] = []
            for reading in readings where fired.count < Self.maxFirings {
                if let last = lastFiredAt, reading.timestamp.timeIntervalSince(last) < Double(hook.coolDownPeriod) { continue }
                guard VehicleTriggerDeliveries.conditionHolds(hook, reading: reading, previous: previous) else { continue }
                fired.append(reading)
                lastFiredAt = reading.timestamp
                previous = reading
            }
            try await store.recordEvaluation(webhookId: hook.id, vehicleId: state.vehicleId, until: now, lastFire: fired.last)
            for reading in fired {
                let id = Identifiers.uuid(using: &rng)
                let body = VehicleTriggerDeliveries.payload(hook, assetDID: state.assetDID, reading: reading, id: id, at: now).encoded()
                                firings.append(Firing(webhookId: hook.id, delivery: WebhookDelivery(
                    sandboxId: change.sandboxId, vendor: "dimo", webhookId: hook.id, eventType: "dimo.trigger", deliveryId: id,
                    vehicleId: state.assetDID, url: hook.targetURL, body: body, headers: [("User-Agent", "DIMO-Webhook/1.0")])))
            }
        }
        return firings
    }
}
