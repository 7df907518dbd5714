import FleetCore
import Foundation
import SmartcarMock

/// Smartcar's side of webhook deliveries: the `VERIFY` handshake when a receiver is registered, and
/// `VEHICLE_STATE` events for subscribed vehicles whose v3 signals changed.
struct SmartcarWebhookDispatcher: Sendable {
    let fleet: Fleet
    let sender: WebhookSender
    var store: SmartcarWebhookStore { SmartcarWebhookStore(fleet: fleet) }

    /// How a `VERIFY` handshake went.
    enum Verification: Sendable, Equatable {
        case verified
        case failed(String)
    }

    /// Sends the `VERIFY` challenge to `url` and stores the receiver, verified or not.
    func register(sandboxId: String, url: String, name: String) async throws -> (SmartcarWebhookEndpointRecord, Verification) {
        let world = try await fleet.world(sandboxId)
        let app = world.smartcarApp
        let webhookId = SmartcarWebhooks.webhookId(for: app)
        let now = world.sandbox.clock.now()
        var rng = SystemRandomNumberGenerator()
        let challenge = Identifiers.hexToken(length: 32, using: &rng)
        let event = SmartcarWebhookEvents.verify(challenge: challenge, webhookId: webhookId, webhookName: name,
                                                 eventId: Identifiers.uuid(using: &rng), deliveryId: Identifiers.uuid(using: &rng), at: now)
        let body = event.encoded()
        let delivery = WebhookDelivery(sandboxId: sandboxId, vendor: "smartcar", webhookId: webhookId, eventType: "VERIFY",
                                       deliveryId: event["meta"]?["deliveryId"]?.stringValue ?? "", vehicleId: nil, url: url, body: body,
                                       headers: [("SC-Signature", SmartcarWebhookEvents.signature(body, managementToken: app.managementToken))])
        let answer = await sender.post(delivery, attempt: 1)
        let expected = SmartcarWebhookEvents.challengeAnswer(challenge, managementToken: app.managementToken)
        let verification = Self.judge(answer, expected: expected, url: url)
        let record = SmartcarWebhookEndpointRecord(sandboxId: sandboxId, webhookId: webhookId, url: url, name: name,
                                                   verified: verification == .verified, createdAt: now,
                                                   verifiedAt: verification == .verified ? now : nil)
        try await store.save(record)
        return (record, verification)
    }

    /// Whether a receiver's answer to the challenge is right; otherwise what was wrong with it.
    static func judge(_ answer: WebhookAnswer, expected: String, url: String) -> Verification {
        let rule = "it must answer 200 with {\"challenge\": \"<hex HMAC-SHA256 of data.challenge, keyed with the application management token>\"}"
        if let error = answer.error { return .failed("the VERIFY challenge could not be delivered to \(url) (\(error)); \(rule)") }
        guard let status = answer.status, (200..<300).contains(status) else {
            return .failed("the receiver answered the VERIFY challenge with HTTP \(answer.status ?? 0); \(rule)")
        }
        guard let body = answer.body, let json = JSONValue.parse(body), let given = json["challenge"]?.stringValue else {
            return .failed("the receiver's answer to the VERIFY challenge has no \"challenge\" string; \(rule)")
        }
        guard given.lowercased() == expected else {
            return .failed("the receiver answered the VERIFY challenge with \"\(given)\", which is not the HMAC of the challenge; \(rule)")
        }
        return .verified
    }

    /// The `VEHICLE_STATE` events a change calls for (none when no verified receiver is registered).
    /// Each subscribed vehicle gets at most one event per change: all its signals, triggered by those that
    /// changed since its last event, or by `FIRST_DELIVERY` when it never had one.
    func events(for change: FleetChange) async throws -> [WebhookDelivery] {
        guard let endpoint = try await store.endpoint(sandboxId: change.sandboxId), endpoint.verified,
              let app = try await fleet.smartcarApp(sandboxId: change.sandboxId),
              let (now, targets) = try await store.targets(sandboxId: change.sandboxId, webhookId: endpoint.webhookId, vehicleIds: change.vehicleIds)
        else { return [] }
        var deliveries: [WebhookDelivery] = []
        var rng = SystemRandomNumberGenerator()
        for target in targets {
            guard let scopes = target.scopes else { continue }  // disconnected: nothing to send
            let signals = SmartcarWebhookEvents.signals(vehicle: target.vehicle, state: target.state, scopes: scopes)
            guard !signals.isEmpty else { continue }
            let bodies = Dictionary(signals.map { ($0.code, $0.body.text) }, uniquingKeysWith: { a, _ in a })
            let triggers: [(SmartcarWebhookEvents.Trigger, SmartcarWebhookEvents.Signal)]
            if let last = target.lastSignals {
                triggers = signals.filter { last[$0.code] != bodies[$0.code] }.map { (.signalUpdated, $0) }
            } else {
                triggers = signals.map { (.firstDelivery, $0) }
            }
            guard !triggers.isEmpty else { continue }
            try await store.recordDelivered(subscriptionId: target.subscriptionId, signals: bodies)
            let deliveryId = Identifiers.uuid(using: &rng)
            let context = SmartcarWebhookEvents.VehicleStateContext(
                eventId: Identifiers.uuid(using: &rng), deliveryId: deliveryId, webhookId: endpoint.webhookId, webhookName: endpoint.name,
                userId: target.owner.smartcarUserId, vehicle: target.vehicle, retrievedAt: now, oemUpdatedAt: target.stateUpdatedAt, deliveredAt: now)
            let body = SmartcarWebhookEvents.vehicleState(context, signals: signals, triggers: triggers).encoded()
            deliveries.append(WebhookDelivery(sandboxId: change.sandboxId, vendor: "smartcar", webhookId: endpoint.webhookId, eventType: "VEHICLE_STATE",
                                              deliveryId: deliveryId, vehicleId: target.vehicle.smartcarId, url: endpoint.url, body: body,
                                              headers: [("SC-Signature", SmartcarWebhookEvents.signature(body, managementToken: app.managementToken))]))
        }
        return deliveries
    }
}
