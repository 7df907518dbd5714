import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// DIMO vehicle-trigger deliveries: a subscribed vehicle's new samples are evaluated against the webhook's
/// condition and cooldown, a firing POSTs the `dimo.trigger` CloudEvent, failed deliveries count into
/// `failureCount`. Receivers are Hummingbird apps on 127.0.0.1:0.
@Suite struct TriggerDeliveryTests {
    @Test func aDoorOpeningFiresTheTriggerWithItsCloudEvent() async throws {
        try await withTriggerServer { client, _ in
            let session = TriggerSession(try await DIMOSession.start(client))
            try await withTriggerReceiver(status: .ok) { receiver in
                let (hookId, asset) = try await subscribedDoorTrigger(client, session: session, url: receiver.url, coolDown: 60)
                try await patchDoor(client, session: session, open: true)

                let firing = try await receiver.next()
                #expect(firing.headers[.userAgent] == "DIMO-Webhook/1.0")
                #expect(firing.headers[.contentType] == "application/json")
                let event = firing.json
                #expect(event["type"] as? String == "dimo.trigger")
                #expect(event["specversion"] as? String == "1.0")
                #expect(event["source"] as? String == "vehicle-triggers-api")
                #expect(event["subject"] as? String == asset)
                #expect(event["dataversion"] as? String == "signals/v1.0")
                #expect((event["id"] as? String)?.count == 36)
                let data = try #require(event["data"] as? [String: Any])
                #expect(data["service"] as? String == "signals")
                #expect(data["metricName"] as? String == "vss.cabinDoorRow1DriverSideIsOpen")
                #expect(data["webhookId"] as? String == hookId)
                #expect(data["webhookName"] as? String == "Door watch")
                #expect(data["assetDID"] as? String == asset)
                #expect(data["condition"] as? String == "valueNumber == 1")
                let signal = try #require(data["signal"] as? [String: Any])
                #expect(signal["name"] as? String == "cabinDoorRow1DriverSideIsOpen")
                #expect(signal["valueType"] as? String == "float64")
                #expect((signal["value"] as? NSNumber)?.doubleValue == 1)
                #expect(signal["timestamp"] as? String != nil)

                // Closing and reopening within the cooldown does not fire; after it, the next opening does.
                try await patchDoor(client, session: session, open: false)
                try await patchDoor(client, session: session, open: true)
                try await patchDoor(client, session: session, open: false)
                let advance = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/clock", method: .post,
                                                       headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"advance": "2m"}"#))
                #expect(advance.status == .ok)
                try await patchDoor(client, session: session, open: true)
                let second = try await receiver.next()
                let first = try #require(timestamp(of: firing)), next = try #require(timestamp(of: second))
                #expect(next.timeIntervalSince(first) >= 60, "the second firing comes after the cooldown: \(firing.text) \(second.text)")

                let hooks = try await client.execute(uri: "/v1/webhooks", method: .get, headers: [.authorization: "Bearer \(session.devJWT)"])
                let view = try #require((try JSONSerialization.jsonObject(with: Data(hooks.body.readableBytesView)) as? [[String: Any]])?.first)
                #expect((view["failureCount"] as? NSNumber)?.intValue == 0)
            }
        }
    }

    @Test func aFailingReceiverRaisesTheFailureCount() async throws {
        try await withTriggerServer { client, services in
            let session = TriggerSession(try await DIMOSession.start(client))
            try await withTriggerReceiver(status: .serviceUnavailable) { receiver in
                _ = try await subscribedDoorTrigger(client, session: session, url: receiver.url, coolDown: 1)
                try await patchDoor(client, session: session, open: true)
                for _ in 1...4 { _ = try await receiver.next() }  // the delivery and its 3 redeliveries
                try await boundedWait { await services.webhookLog.waitForAttempts(4, sandbox: session.id) }

                let hooks = try await client.execute(uri: "/v1/webhooks", method: .get, headers: [.authorization: "Bearer \(session.devJWT)"])
                let view = try #require((try JSONSerialization.jsonObject(with: Data(hooks.body.readableBytesView)) as? [[String: Any]])?.first)
                #expect((view["failureCount"] as? NSNumber)?.intValue == 1, "\(hooks.text)")

                let log = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/webhooks/deliveries", method: .get)
                let deliveries = log.json["deliveries"] as? [[String: Any]] ?? []
                #expect(deliveries.count == 4)
                #expect(deliveries.allSatisfy { $0["vendor"] as? String == "dimo" && ($0["status"] as? NSNumber)?.intValue == 503 })
            }
        }
    }

    @Test func loopbackHTTPIsAcceptedOtherHTTPIsNot() async throws {
        try await withTriggerServer { client, _ in
            let session = TriggerSession(try await DIMOSession.start(client))
            for (url, status) in [("http://127.0.0.1:9/hook", 201), ("http://localhost:9/hook", 201), ("http://example.com/hook", 400)] {
                let response = try await registerDoorTrigger(client, session: session, url: url, coolDown: 5, name: url)
                #expect(response.status.code == status, "\(url): \(response.text)")
            }
        }
    }
}

// MARK: Helpers

/// What these tests need of a DIMO session (Sendable, unlike its JSON).
struct TriggerSession: Sendable {
    var id: String
    var devJWT: String
    var tokenId: Int
    var vin: String

    init(_ session: DIMOSession) {
        id = session.id
        devJWT = session.devJWT
        tokenId = session.tokenId
        vin = session.vin
    }
}

func withTriggerServer(_ body: @escaping @Sendable (any TestClientProtocol, FleetServices) async throws -> Void) async throws {
    let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, storage: .memory, fixturesDirectory: repositoryFixtures,
                                            logLevel: .error, historyDays: 0, webhookRetryDelay: 0)
    let services = try await FleetServices.start(configuration)
    try await buildApplication(configuration, services: services).test(.router) { client in try await body(client, services) }
}

func registerDoorTrigger(_ client: any TestClientProtocol, session: TriggerSession, url: String, coolDown: Int, name: String = "Door watch") async throws -> TestResponse {
    let body: [String: Any] = ["service": "signals", "metricName": "vss.cabinDoorRow1DriverSideIsOpen", "condition": "valueNumber == 1",
                               "coolDownPeriod": coolDown, "displayName": name, "targetURL": url, "status": "enabled", "verificationToken": "t"]
    return try await client.execute(uri: "/v1/webhooks", method: .post,
                                    headers: [.contentType: "application/json", .authorization: "Bearer \(session.devJWT)"],
                                    body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
}

/// Shares the session's BEV with the license, registers a door trigger and subscribes the BEV: (webhook id, asset DID).
func subscribedDoorTrigger(_ client: any TestClientProtocol, session: TriggerSession, url: String, coolDown: Int) async throws -> (String, String) {
    let share = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/dimo/share", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"vehicles": [\#(session.tokenId)], "permissions": [1, 2, 3, 4, 5, 6]}"#))
    try #require(share.status == .ok, "share: \(share.text)")
    let created = try await registerDoorTrigger(client, session: session, url: url, coolDown: coolDown)
    try #require(created.status == .created, "register: \(created.text)")
    let hookId = try #require(created.json["id"] as? String)
    let asset = "did:erc721:\(DIMOContracts.chainId):\(DIMOContracts.vehicle):\(session.tokenId)"
    let subscribed = try await client.execute(uri: "/v1/webhooks/\(hookId)/subscribe/\(asset)", method: .post,
                                              headers: [.authorization: "Bearer \(session.devJWT)"])
    try #require(subscribed.status == .created, "subscribe: \(subscribed.text)")
    return (hookId, asset)
}

func patchDoor(_ client: any TestClientProtocol, session: TriggerSession, open: Bool) async throws {
    let body = #"{"state": {"doors": {"frontLeft": "\#(open ? "OPEN" : "CLOSED")"}}}"#
    let response = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/vehicles/\(session.vin)", method: .patch,
                                            headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    try #require(response.status == .ok, "patch: \(response.text)")
}

func timestamp(of request: TriggerRequest) -> Date? {
    let signal = (request.json["data"] as? [String: Any])?["signal"] as? [String: Any]
    return (signal?["timestamp"] as? String).flatMap(Timestamp.parse)
}

struct TriggerRequest: Sendable {
    var headers: HTTPFields
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
}

/// Requests in arrival order and the one reader waiting for the next.
actor TriggerInbox {
    private var queue: [TriggerRequest] = []
    private var waiter: CheckedContinuation<TriggerRequest?, Never>?

    func put(_ request: TriggerRequest) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: request)
        } else {
            queue.append(request)
        }
    }

    func take() async -> TriggerRequest? {
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

struct TriggerReceiver: Sendable {
    let url: String
    let inbox: TriggerInbox

    func next() async throws -> TriggerRequest {
        let inbox = inbox
        guard let request = try await boundedWait(20, { await inbox.take() }) else { throw BoundedWaitTimedOut(seconds: 20) }
        return request
    }
}

/// A receiver on 127.0.0.1 (port 0) answering every POST with `status`.
func withTriggerReceiver(status: HTTPResponse.Status, _ body: @escaping @Sendable (TriggerReceiver) async throws -> Void) async throws {
    let inbox = TriggerInbox()
    let router = Router()
    router.post("hook") { request, _ -> Response in
        let buffer = try await request.body.collect(upTo: 1 << 20)
        await inbox.put(TriggerRequest(headers: request.headers, body: Data(buffer: buffer)))
        return Response(status: status)
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        let port = try #require(client.port)
        try await body(TriggerReceiver(url: "http://127.0.0.1:\(port)/hook", inbox: inbox))
    }
}
