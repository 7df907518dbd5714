import Crypto
import FleetCore
import Foundation

/// Smartcar's v4 webhook payloads (`VERIFY`, `VEHICLE_STATE`) and their HMAC signatures. The signal
/// bodies are the v3 API's own (`SignalsV3`), so a webhook and `GET /v3/vehicles/{id}/signals` agree.
public enum SmartcarWebhookEvents {
    /// One v3 signal of a vehicle.
    public struct Signal: Sendable, Equatable {
        public var code: String
        public var name: String
        public var group: String
        public var body: JSONValue
    }

    /// The vehicle's v3 signals that the connection's scopes cover.
    public static func signals(vehicle: VehicleRecord, state: VehicleState, scopes: [String]) -> [Signal] {
        let granted = Set(scopes.map(SmartcarScope.permission(of:)))
        return SignalsV3.signals(vehicle: vehicle, state: state)
            .filter { granted.contains(SignalsV3.permission(of: $0.code)) }
            .map { Signal(code: $0.code, name: $0.name, group: $0.group, body: $0.body) }
    }

    /// The one-time `VERIFY` challenge sent when a webhook's receiver is registered.
    public static func verify(challenge: String, webhookId: String, webhookName: String, eventId: String, deliveryId: String, at: Date) -> JSONValue {
        .object([
            ("eventId", .string(eventId)),
            ("eventType", "VERIFY"),
            ("data", .object([("challenge", .string(challenge))])),
            ("meta", .object([
                ("version", "4.0"), ("webhookId", .string(webhookId)), ("webhookName", .string(webhookName)),
                ("deliveryId", .string(deliveryId)), ("deliveredAt", .string(Timestamp.millis(at))),
            ])),
        ])
    }

    /// Why a `VEHICLE_STATE` event was sent.
    public enum Trigger: String, Sendable {
        case firstDelivery = "FIRST_DELIVERY"
        case signalUpdated = "SIGNAL_UPDATED"
    }

    /// What a `VEHICLE_STATE` event says about whom, and when.
    public struct VehicleStateContext: Sendable {
        public var eventId: String
        public var deliveryId: String
        public var webhookId: String
        public var webhookName: String
        public var userId: String
        public var vehicle: VehicleRecord
        /// When the data was read (sandbox clock) and when the car last reported it.
        public var retrievedAt: Date
        public var oemUpdatedAt: Date
        public var deliveredAt: Date

        public init(eventId: String, deliveryId: String, webhookId: String, webhookName: String, userId: String, vehicle: VehicleRecord,
                    retrievedAt: Date, oemUpdatedAt: Date, deliveredAt: Date) {
            self.eventId = eventId
            self.deliveryId = deliveryId
            self.webhookId = webhookId
            self.webhookName = webhookName
            self.userId = userId
            self.vehicle = vehicle
            self.retrievedAt = retrievedAt
            self.oemUpdatedAt = oemUpdatedAt
            self.deliveredAt = deliveredAt
        }
    }

    /// A `VEHICLE_STATE` event carrying `signals`, triggered by `triggers` (each with the signal it concerns).
    public static func vehicleState(_ context: VehicleStateContext, signals: [Signal], triggers: [(Trigger, Signal)]) -> JSONValue {
        let meta: JSONValue = .object([
            ("retrievedAt", .integer(context.retrievedAt.epochMillis)),
            ("oemUpdatedAt", .integer(min(context.oemUpdatedAt, context.retrievedAt).epochMillis)),
        ])
        return .object([
            ("eventId", .string(context.eventId)),
            ("eventType", "VEHICLE_STATE"),
            ("data", .object([
                ("user", .object([("id", .string(context.userId))])),
                ("vehicle", .object([("id", .string(context.vehicle.smartcarId)), ("make", .string(context.vehicle.make)),
                                     ("model", .string(context.vehicle.model)), ("year", .integer(Int64(context.vehicle.year)))])),
                ("signals", .array(signals.map { signal in
                    .object([("code", .string(signal.code)), ("name", .string(signal.name)), ("group", .string(signal.group)),
                             ("body", signal.body), ("status", .object([("value", "SUCCESS")])), ("meta", meta)])
                })),
            ])),
            ("triggers", .array(triggers.map { trigger, signal in
                .object([("type", .string(trigger.rawValue)),
                         ("signal", .object([("name", .string(signal.name)), ("group", .string(signal.group)), ("code", .string(signal.code))]))])
            })),
            ("meta", .object([
                ("version", "4.0"), ("deliveryId", .string(context.deliveryId)), ("deliveredAt", .integer(context.deliveredAt.epochMillis)),
                ("webhookId", .string(context.webhookId)), ("webhookName", .string(context.webhookName)),
                ("signalCount", .integer(Int64(signals.count))), ("mode", "LIVE"),
            ])),
        ])
    }

    /// `SC-Signature`: hex HMAC-SHA256 of the raw body, keyed with the application management token.
    public static func signature(_ body: Data, managementToken: String) -> String {
        hmacHex(body, key: managementToken)
    }

    /// What a receiver must answer to a `VERIFY` challenge: hex HMAC-SHA256(management token, challenge).
    public static func challengeAnswer(_ challenge: String, managementToken: String) -> String {
        hmacHex(Data(challenge.utf8), key: managementToken)
    }

    static func hmacHex(_ message: Data, key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(key.utf8)))
        return Hex.encode(Data(mac))
    }
}
