import Crypto
import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Smartcar v4 webhooks: the VERIFY handshake, VEHICLE_STATE deliveries (signature, FIRST_DELIVERY,
/// changed signals), redeliveries, and the delivery log. Receivers are Hummingbird apps on 127.0.0.1:0.
@Suite struct WebhookDeliveryTests {
    // MARK: Handshake

    @Test func verifyHandshakeWithTheRightAnswerRegistersAVerifiedWebhook() async throws {
        try await withServer { client, _ in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            try await withReceiver(answering: .correctly(sandbox.managementToken)) { receiver in
                let register = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks",
                                                        json: try jsonText(["url": receiver.url, "name": "Fleet events"]))
                #expect(register.status == .created, "\(register.text)")
                #expect(register.json["id"] as? String == webhookId)
                #expect(register.json["verified"] as? Bool == true)
                #expect(register.json["name"] as? String == "Fleet events")

                let verify = try await receiver.next()
                let event = verify.json
                #expect(event["eventType"] as? String == "VERIFY")
                let meta = try #require(event["meta"] as? [String: Any])
                #expect(meta["version"] as? String == "4.0")
                #expect(meta["webhookId"] as? String == webhookId)
                #expect(meta["webhookName"] as? String == "Fleet events")
                #expect(isMillisTimestamp(meta["deliveredAt"] as? String))
                #expect(isUUID(event["eventId"] as? String ?? ""))
                #expect(((event["data"] as? [String: Any])?["challenge"] as? String)?.isEmpty == false)
                #expect(verify.headers[.contentType] == "application/json")

                let list = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks")
                let hooks = list.json["webhooks"] as? [[String: Any]] ?? []
                #expect(hooks.count == 1)
                #expect(hooks.first?["url"] as? String == receiver.url)
                #expect(hooks.first?["verified"] as? Bool == true)

                let removed = try await client.request(.delete, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks")
                #expect(removed.status == .noContent)
                let empty = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks")
                #expect((empty.json["webhooks"] as? [Any])?.isEmpty == true)
                let again = try await client.request(.delete, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks")
                #expect(again.status == .notFound)
            }
        }
    }

    @Test func aWrongChallengeAnswerLeavesTheWebhookUnverified() async throws {
        try await withServer { client, _ in
            let (sandbox, _) = try await makeSandboxWithWebhookId(client)
            try await withReceiver(answering: .wrongly) { receiver in
                let register = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks",
                                                        json: try jsonText(["url": receiver.url]))
                #expect(register.status == .badRequest)
                let error = try #require(register.json["error"] as? [String: Any])
                #expect(error["code"] as? String == "webhook_verification_failed")
                #expect(error["field"] as? String == "url")
                #expect((error["message"] as? String)?.contains("not the HMAC of the challenge") == true, "\(register.text)")
                _ = try await receiver.next()

                let list = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks")
                let hooks = list.json["webhooks"] as? [[String: Any]] ?? []
                #expect(hooks.first?["verified"] as? Bool == false)
            }
        }
    }

    @Test func anUnreachableReceiverFailsVerificationWithAClearMessage() async throws {
        try await withServer { client, _ in
            let (sandbox, _) = try await makeSandboxWithWebhookId(client)
            // Port 9 on loopback (discard) has no listener here: the connection is refused at once.
            let register = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks",
                                                    json: #"{"url": "http://127.0.0.1:9/hook"}"#)
            #expect(register.status == .badRequest)
            let error = try #require(register.json["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains("could not be delivered") == true, "\(register.text)")
        }
    }

    @Test func badRegistrationsAreFourHundredsNamingTheField() async throws {
        try await withServer { client, _ in
            let (sandbox, _) = try await makeSandboxWithWebhookId(client)
            let path = "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks"
            for (body, field) in [("{}", "url"), (#"{"url": 5}"#, "url"), (#"{"url": "ftp://example.com/x"}"#, "url"),
                                  (#"{"url": "not a url"}"#, "url"), (#"{"url": "http://127.0.0.1:9/x", "name": ""}"#, "name"),
                                  (#"{"url": "http://127.0.0.1:9/x", "colour": "red"}"#, "colour"), ("[1]", "body"), ("{", "body")] {
                let response = try await client.request(.post, path, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect((response.json["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(response.text)")
            }
            let unknown = try await client.request(.post, "/__fleetmock/sandboxes/nope/smartcar/webhooks", json: #"{"url": "http://127.0.0.1:9/x"}"#)
            #expect(unknown.status == .notFound)
            for limit in ["0", "x", "100000"] {
                let response = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/webhooks/deliveries?limit=\(limit)")
                #expect(response.status == .badRequest)
                #expect((response.json["error"] as? [String: Any])?["field"] as? String == "limit")
            }
        }
    }

    // MARK: Deliveries

    @Test func subscribingSendsFirstDeliveryAndALockSendsTheChangedSignalsSigned() async throws {
        try await withServer { client, _ in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            let leaf = try sandbox.vehicle(model: "Leaf")
            try await withReceiver(answering: .correctly(sandbox.managementToken)) { receiver in
                try await register(client, sandbox: sandbox, receiver: receiver, name: "Locks")
                _ = try await receiver.next()  // VERIFY
                let token = try await connect(client, sandbox: sandbox, vehicle: leaf, scopes: ["read_security", "control_security", "read_odometer"])
                let subscribe = try await client.request(.post, "/v2.0/vehicles/\(leaf.smartcarId)/webhooks/\(webhookId)", headers: bearer(token))
                #expect(subscribe.status == .ok, "\(subscribe.text)")

                let first = try await receiver.next()
                expectSigned(first, managementToken: sandbox.managementToken)
                #expect(first.json["eventType"] as? String == "VEHICLE_STATE")
                let firstTriggers = first.json["triggers"] as? [[String: Any]] ?? []
                #expect(!firstTriggers.isEmpty && firstTriggers.allSatisfy { $0["type"] as? String == "FIRST_DELIVERY" }, "\(first.text)")
                let firstSignals = signals(first)
                // Only what the connection's scopes cover: security and odometer, not battery.
                #expect(Set(firstSignals.keys) == ["odometer-traveleddistance", "closure-islocked", "closure-doors"], "\(first.text)")
                #expect((firstSignals["closure-islocked"]?["body"] as? [String: Any])?["value"] as? Bool == false)

                let lock = try await client.request(.post, "/v2.0/vehicles/\(leaf.smartcarId)/security", json: #"{"action": "LOCK"}"#, headers: bearer(token))
                expectActionSuccess(lock)
                let locked = try await receiver.next()
                expectSigned(locked, managementToken: sandbox.managementToken)
                let event = locked.json
                #expect(isUUID(event["eventId"] as? String ?? ""))
                let triggers = event["triggers"] as? [[String: Any]] ?? []
                #expect(triggers.allSatisfy { $0["type"] as? String == "SIGNAL_UPDATED" })
                let changed = Set(triggers.compactMap { ($0["signal"] as? [String: Any])?["code"] as? String })
                #expect(changed == ["closure-islocked", "closure-doors"], "\(locked.text)")
                let lockedSignal = try #require(signals(locked)["closure-islocked"])
                #expect((lockedSignal["body"] as? [String: Any])?["value"] as? Bool == true)
                #expect((lockedSignal["status"] as? [String: Any])?["value"] as? String == "SUCCESS")
                #expect(integer((lockedSignal["meta"] as? [String: Any])?["retrievedAt"]) != nil)
                let data = try #require(event["data"] as? [String: Any])
                #expect((data["user"] as? [String: Any])?["id"] as? String == (try sandbox.user(leaf.owner).smartcarUserId))
                let vehicle = try #require(data["vehicle"] as? [String: Any])
                #expect(vehicle["id"] as? String == leaf.smartcarId)
                #expect(vehicle["model"] as? String == "Leaf")
                #expect(integer(vehicle["year"]) != nil)
                let meta = try #require(event["meta"] as? [String: Any])
                #expect(meta["version"] as? String == "4.0")
                #expect(meta["webhookId"] as? String == webhookId)
                #expect(meta["webhookName"] as? String == "Locks")
                #expect(meta["mode"] as? String == "LIVE")
                #expect(integer(meta["signalCount"]) == 3)
                #expect(integer(meta["deliveredAt"]) != nil, "deliveredAt is epoch milliseconds")
                #expect(isUUID(meta["deliveryId"] as? String ?? ""))

                // The signal bodies are the v3 API's own.
                let v3 = try await client.request(.get, "/v3/vehicles/\(leaf.smartcarId)/signals/closure-islocked", headers: bearer(token))
                let v3Body = (v3.json["attributes"] as? [String: Any])?["body"] as? [String: Any]
                #expect(v3Body?["value"] as? Bool == true)

                // A control-API PATCH is a change too.
                try await client.patchState(sandbox, vin: leaf.vin, #"{"doors": {"backRight": "OPEN"}}"#)
                let patched = try await receiver.next()
                #expect(triggerCodes(patched) == ["closure-doors"], "\(patched.text)")
                expectSigned(patched, managementToken: sandbox.managementToken)
            }
        }
    }

    @Test func aClockAdvanceSendsOneEventPerSubscribedVehicle() async throws {
        try await withServer { client, _ in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            let tesla = try sandbox.vehicle(model: "Model 3")
            try await withReceiver(answering: .correctly(sandbox.managementToken)) { receiver in
                let token = try await connect(client, sandbox: sandbox, vehicle: tesla, scopes: ["read_odometer", "read_battery", "read_charge", "read_security", "control_security"])
                let subscribe = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/webhooks/\(webhookId)", headers: bearer(token))
                #expect(subscribe.status == .ok)
                // Registering after subscribing sends the subscribed vehicles their first delivery.
                try await register(client, sandbox: sandbox, receiver: receiver, name: "Sim")
                _ = try await receiver.next()  // VERIFY
                let first = try await receiver.next()
                #expect((first.json["triggers"] as? [[String: Any]])?.first?["type"] as? String == "FIRST_DELIVERY")

                // An hour of the Model 3 charging at home (the access token lives two hours).
                try await client.advanceClock(sandbox, by: "1h")
                let lock = try await client.request(.post, "/v2.0/vehicles/\(tesla.smartcarId)/security", json: #"{"action": "UNLOCK"}"#, headers: bearer(token))
                #expect(lock.status == .ok || lock.status.code == 409, "\(lock.text)")
                // Deliveries run concurrently, so the two events may arrive in either order.
                var events = [try await receiver.next()]
                if lock.status == .ok { events.append(try await receiver.next()) }
                let simulated = try #require(events.first { triggerCodes($0).contains("tractionbattery-stateofcharge") },
                                             "an hour of charging (or driving) changes the charge: \(events.map(\.text))")
                #expect(!triggerCodes(simulated).contains("closure-islocked"), "\(simulated.text)")
                expectSigned(simulated, managementToken: sandbox.managementToken)
                if lock.status == .ok {
                    // The other event is the command's alone, not a second one from the same advance.
                    let unlocked = try #require(events.first { $0.text != simulated.text })
                    #expect(triggerCodes(unlocked) == ["closure-islocked", "closure-doors"], "\(unlocked.text)")
                }
            }
        }
    }

    @Test func aFailingReceiverGetsThreeRedeliveriesAllLogged() async throws {
        try await withServer { client, services in
            let (sandbox, webhookId) = try await makeSandboxWithWebhookId(client)
            let leaf = try sandbox.vehicle(model: "Leaf")
            try await withReceiver(answering: .correctlyThenFailing(sandbox.managementToken)) { receiver in
                try await register(client, sandbox: sandbox, receiver: receiver, name: "Flaky")
                _ = try await receiver.next()  // VERIFY
                let token = try await connect(client, sandbox: sandbox, vehicle: leaf, scopes: ["read_security"])
                let subscribe = try await client.request(.post, "/v2.0/vehicles/\(leaf.smartcarId)/webhooks/\(webhookId)", headers: bearer(token))
                #expect(subscribe.status == .ok)
                var deliveryIds: Set<String> = []
                for _ in 1...4 {
                    let attempt = try await receiver.next()
                    #expect(attempt.json["eventType"] as? String == "VEHICLE_STATE")
                    deliveryIds.insert((attempt.json["meta"] as? [String: Any])?["deliveryId"] as? String ?? "")
                }
                #expect(deliveryIds.count == 1, "a redelivery is the same delivery")
                // VERIFY + 4 attempts, all recorded.
                try await boundedWait { await services.webhookLog.waitForAttempts(5, sandbox: sandbox.id) }

                let log = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/webhooks/deliveries")
                #expect(log.status == .ok)
                let deliveries = log.json["deliveries"] as? [[String: Any]] ?? []
                #expect(deliveries.count == 5, "\(log.text)")
                #expect(deliveries.compactMap { integer($0["attempt"]) } == [4, 3, 2, 1, 1], "newest first: \(log.text)")
                #expect(deliveries.prefix(4).allSatisfy { integer($0["status"]) == 500 && $0["succeeded"] as? Bool == false })
                #expect(deliveries.prefix(4).allSatisfy { $0["eventType"] as? String == "VEHICLE_STATE" && $0["vehicleId"] as? String == leaf.smartcarId })
                #expect(deliveries.last?["eventType"] as? String == "VERIFY")
                #expect(deliveries.last?["succeeded"] as? Bool == true)
                #expect(deliveries.allSatisfy { $0["url"] as? String == receiver.url && $0["vendor"] as? String == "smartcar" && isMillisTimestamp($0["time"] as? String) })

                let limited = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/webhooks/deliveries?limit=2")
                #expect((limited.json["deliveries"] as? [[String: Any]])?.compactMap { integer($0["attempt"]) } == [4, 3])
            }
        }
    }

    @Test func signatureMatchesSmartcarsPublishedVectors() {
        // From the SDKs' own tests: HMAC-SHA256("amt", "challenge") and ("amt", '{"pizza":"pasta"}').
        #expect(hmacHex(key: "amt", Data("challenge".utf8)) == "9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e")
        #expect(hmacHex(key: "amt", Data(#"{"pizza":"pasta"}"#.utf8)) == "4c05a8da471f05156ad717baa4017acd13a3a809850b9ca7d3301dcaaa854f70")
    }
}

// MARK: Helpers

/// A sandbox and its app's webhook id.
func makeSandboxWithWebhookId(_ client: any TestClientProtocol) async throws -> (SandboxInfo, String) {
    let response = try await client.request(.post, "/__fleetmock/sandboxes", json: "{}")
    try #require(response.status == .created, "create sandbox: \(response.text)")
    let webhookId = try #require((response.json["smartcar"] as? [String: Any])?["webhookId"] as? String)
    return (try SandboxInfo(json: response.json), webhookId)
}

/// Registers the receiver and expects it verified.
func register(_ client: any TestClientProtocol, sandbox: SandboxInfo, receiver: WebhookReceiver, name: String) async throws {
    let response = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/webhooks",
                                            json: try jsonText(["url": receiver.url, "name": name]))
    try #require(response.status == .created, "register webhook: \(response.text)")
}

func hmacHex(key: String, _ message: Data) -> String {
    let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(key.utf8)))
    return Data(mac).map { String(format: "%02x", $0) }.joined()
}

/// `SC-Signature` is the HMAC of the raw body, and the body is compact JSON (as Node's verifyPayload re-serialises it).
func expectSigned(_ request: ReceivedWebhook, managementToken: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(request.headers[HTTPField.Name("SC-Signature")!] == hmacHex(key: managementToken, request.body), "SC-Signature", sourceLocation: sourceLocation)
    #expect(!request.text.contains("\n") && !request.text.contains("\": ") && !request.text.contains(", \""), "compact JSON", sourceLocation: sourceLocation)
}

func signals(_ request: ReceivedWebhook) -> [String: [String: Any]] {
    let list = (request.json["data"] as? [String: Any])?["signals"] as? [[String: Any]] ?? []
    return Dictionary(list.compactMap { s in (s["code"] as? String).map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
}

func triggerCodes(_ request: ReceivedWebhook) -> Set<String> {
    Set((request.json["triggers"] as? [[String: Any]] ?? []).compactMap { ($0["signal"] as? [String: Any])?["code"] as? String })
}


/// One request a receiver got.
struct ReceivedWebhook: Sendable {
    var headers: HTTPFields
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
}

/// How a test receiver answers.
enum ReceiverBehaviour: Sendable {
    /// The right challenge answer, 200 to everything else.
    case correctly(String)
    /// The right challenge answer, then 500 to every event.
    case correctlyThenFailing(String)
    /// A wrong challenge answer.
    case wrongly

    func answer(_ request: ReceivedWebhook) -> (HTTPResponse.Status, String) {
        let json = request.json
        let isVerify = json["eventType"] as? String == "VERIFY"
        let challenge = (json["data"] as? [String: Any])?["challenge"] as? String ?? ""
        switch self {
        case .correctly(let token):
            return (.ok, isVerify ? #"{"challenge":"\#(hmacHex(key: token, Data(challenge.utf8)))"}"# : "{}")
        case .correctlyThenFailing(let token):
            return isVerify ? (.ok, #"{"challenge":"\#(hmacHex(key: token, Data(challenge.utf8)))"}"#) : (.internalServerError, #"{"error":"down"}"#)
        case .wrongly:
            return (.ok, #"{"challenge":"0123"}"#)
        }
    }
}

/// A webhook receiver on 127.0.0.1 (port 0): every request is queued here and read with `next()`.
final class WebhookReceiver: Sendable {
    let url: String
    let inbox: Inbox

    init(url: String, inbox: Inbox) {
        self.url = url
        self.inbox = inbox
    }

    /// The next request, within a bound.
    func next(within seconds: Double = 20) async throws -> ReceivedWebhook {
        let inbox = inbox
        guard let received = try await boundedWait(seconds, { await inbox.take() }) else { throw BoundedWaitTimedOut(seconds: seconds) }
        return received
    }
}

/// Requests in arrival order, and the one reader waiting for the next.
actor Inbox {
    private var queue: [ReceivedWebhook] = []
    private var waiter: CheckedContinuation<ReceivedWebhook?, Never>?

    func put(_ request: ReceivedWebhook) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: request)
        } else {
            queue.append(request)
        }
    }

    /// The next request; nil when the waiting task is cancelled.
    func take() async -> ReceivedWebhook? {
        if !queue.isEmpty { return queue.removeFirst() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume(returning: nil) } else { waiter = continuation }
            }
        } onCancel: {
            Task { await self.cancelWaiter() }
        }
    }

    private func cancelWaiter() {
        waiter?.resume(returning: nil)
        waiter = nil
    }
}

/// Runs a receiver for the duration of `body`.
func withReceiver(answering behaviour: ReceiverBehaviour, _ body: @escaping @Sendable (WebhookReceiver) async throws -> Void) async throws {
    let inbox = Inbox()
    let router = Router()
    router.post("hook") { request, _ -> Response in
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let received = ReceivedWebhook(headers: request.headers, body: Data(buffer: buffer))
        await inbox.put(received)
        let (status, text) = behaviour.answer(received)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        let port = try #require(client.port)
        try await body(WebhookReceiver(url: "http://127.0.0.1:\(port)/hook", inbox: inbox))
    }
}
