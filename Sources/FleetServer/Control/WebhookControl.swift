import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import SmartcarMock

/// Control-API calls for webhooks: the Smartcar app's receiver (`…/smartcar/webhooks`) and the
/// delivery log (`…/webhooks/deliveries`).
extension ControlAPI {
    func registerWebhooks(on sandbox: RouterGroup<FleetRequestContext>) {
        sandbox.post("smartcar/webhooks") { request, context in
            try await registerSmartcarWebhook(request, id: try sandboxId(context))
        }
        sandbox.get("smartcar/webhooks") { _, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)  // 404 for an unknown sandbox
            let store = SmartcarWebhookStore(fleet: fleet)
            let endpoints = try await store.endpoint(sandboxId: id).map { [$0] } ?? []
            return Responses.json(.object([("webhooks", .array(endpoints.map(Self.render)))]))
        }
        sandbox.delete("smartcar/webhooks") { _, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)
            guard try await SmartcarWebhookStore(fleet: fleet).deleteEndpoint(sandboxId: id) else {
                throw ControlError(status: .notFound, code: "webhook_not_found", message: "sandbox \(id) has no Smartcar webhook receiver")
            }
            return Response(status: .noContent)
        }
        sandbox.get("webhooks/deliveries") { request, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)
            var limit = 100
            if let text = request.queryItems["limit"] {
                guard let value = Int(text), (1...WebhookDeliveryLog.capacity).contains(value) else {
                    throw ControlError.invalid("limit", "must be an integer from 1 to \(WebhookDeliveryLog.capacity)")
                }
                limit = value
            }
            let attempts = services.webhookLog.attempts(sandbox: id, limit: limit)
            return Responses.json(.object([("deliveries", .array(attempts.map(\.json)))]))
        }
    }

    /// `POST …/smartcar/webhooks {"url", "name"?}`: registers the receiver and runs the `VERIFY` handshake.
    /// 201 when the receiver answered the challenge; otherwise it is stored unverified (no events) and the
    /// call is a 400 saying what the receiver got wrong.
    private func registerSmartcarWebhook(_ request: Request, id: String) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var url: String?
        var name = "fleetmock webhook"
        for (key, value) in object {
            switch key {
            case "url":
                guard let text = value.stringValue else { throw ControlError.invalid("url", "must be a string") }
                url = text
            case "name":
                guard let text = value.stringValue, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.count <= 200 else {
                    throw ControlError.invalid("name", "must be a non-empty string of at most 200 characters")
                }
                name = text
            default:
                throw ControlError.invalid(key, "unknown field")
            }
        }
        guard let url else { throw ControlError.invalid("url", "is required") }
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = parsed.host, !host.isEmpty else {
            throw ControlError.invalid("url", "must be an absolute http or https URL")
        }
        _ = try await fleet.clock(id)
        let (record, verification) = try await services.smartcarWebhooks.register(sandboxId: id, url: url, name: name)
        if case .failed(let reason) = verification {
            throw ControlError(status: .badRequest, code: "webhook_verification_failed",
                               message: "\(reason). The webhook is stored unverified and gets no events until a registration succeeds.",
                               field: "url")
        }
        return Responses.json(Self.render(record), status: .created)
    }

    static func render(_ record: SmartcarWebhookEndpointRecord) -> JSONValue {
        .object([
            ("id", .string(record.webhookId)), ("name", .string(record.name)), ("url", .string(record.url)),
            ("verified", .bool(record.verified)), ("createdAt", .string(Timestamp.millis(record.createdAt))),
            ("verifiedAt", .string(record.verifiedAt.map(Timestamp.millis))),
        ])
    }
}
