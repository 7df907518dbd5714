import AsyncHTTPClient
import FleetCore
import Foundation
import NIOCore
import NIOHTTP1

/// How webhook deliveries are retried.
public struct WebhookPolicy: Sendable, Equatable {
    /// Redeliveries after a failed first attempt (Smartcar: 3).
    public var redeliveries: Int
    /// The first redelivery waits this long; each next one twice as long. 0 retries at once (tests).
    public var baseDelay: TimeInterval
    /// How long a receiver has to answer.
    public var timeout: TimeInterval
    /// Hosts beyond loopback that may receive webhooks (`*`: any). A local simulator never sends
    /// its fleet's events off the machine unless told to.
    public var allowedHosts: Set<String>

    public init(redeliveries: Int = 3, baseDelay: TimeInterval = 1, timeout: TimeInterval = 15, allowedHosts: Set<String> = []) {
        self.redeliveries = redeliveries
        self.baseDelay = baseDelay
        self.timeout = timeout
        self.allowedHosts = allowedHosts
    }

    /// Whether `url` may receive a delivery: loopback always, other hosts when allowed.
    public func permits(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if bare == "localhost" || bare == "::1" || bare.hasSuffix(".localhost") { return true }
        let octets = bare.split(separator: ".")
        if octets.count == 4, octets.first == "127", octets.allSatisfy({ UInt8($0) != nil }) { return true }
        return allowedHosts.contains("*") || allowedHosts.contains(bare)
    }

    /// The wait before redelivery `n` (1-based).
    func delay(beforeRedelivery n: Int) -> TimeInterval {
        baseDelay * Double(1 << min(max(n - 1, 0), 16))
    }
}

/// One event ready to go: where, what bytes, which headers, and what the log should say about it.
struct WebhookDelivery: Sendable {
    var sandboxId: String
    var vendor: String
    var webhookId: String
    var eventType: String
    var deliveryId: String
    var vehicleId: String?
    var url: String
    var body: Data
    var headers: [(String, String)]
}

/// What one POST got back.
struct WebhookAnswer: Sendable {
    var status: Int?
    var body: Data?
    var error: String?
    var durationMs: Double

    var succeeded: Bool { error == nil && status.map { (200..<300).contains($0) } == true }
}

/// POSTs webhook events with AsyncHTTPClient, retrying with exponential backoff, and logs every attempt.
struct WebhookSender: Sendable {
    let fleet: Fleet
    let log: WebhookDeliveryLog
    let policy: WebhookPolicy

    /// Delivers with up to `policy.redeliveries` redeliveries; true once a receiver answered 2xx.
    /// `onOutcome` hears whether the delivery succeeded before its last attempt is logged, so whoever waits on
    /// the log sees its effect (the DIMO side counts failures with it).
    @discardableResult
    func deliver(_ delivery: WebhookDelivery, onOutcome: @Sendable (Bool) async -> Void = { _ in }) async -> Bool {
        let attempts = policy.redeliveries + 1
        for attempt in 1...attempts {
            if attempt > 1 {
                let wait = policy.delay(beforeRedelivery: attempt - 1)
                if wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
            }
            if Task.isCancelled { return false }
            let answer = await send(url: delivery.url, body: delivery.body, headers: delivery.headers)
            if answer.succeeded || attempt == attempts { await onOutcome(answer.succeeded) }
            await record(delivery, attempt: attempt, answer: answer)
            if answer.succeeded { return true }
        }
        return false
    }

    /// One POST, logged.
    func post(_ delivery: WebhookDelivery, attempt: Int) async -> WebhookAnswer {
        let answer = await send(url: delivery.url, body: delivery.body, headers: delivery.headers)
        await record(delivery, attempt: attempt, answer: answer)
        return answer
    }

    func record(_ delivery: WebhookDelivery, attempt: Int, answer: WebhookAnswer) async {
        let now = (try? await fleet.clock(delivery.sandboxId).now()) ?? Date()
        log.record(WebhookDeliveryAttempt(time: now, vendor: delivery.vendor, webhookId: delivery.webhookId, eventType: delivery.eventType,
                                          deliveryId: delivery.deliveryId, vehicleId: delivery.vehicleId, url: delivery.url, attempt: attempt,
                                          status: answer.status, error: answer.error, durationMs: answer.durationMs),
                   sandbox: delivery.sandboxId)
    }

    /// A JSON POST; never throws: failures come back as the answer's `error`.
    func send(url: String, body: Data, headers: [(String, String)]) async -> WebhookAnswer {
        let started = ContinuousClock.now
        func elapsed() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        }
        guard policy.permits(url) else {
            return WebhookAnswer(status: nil, body: nil,
                                 error: "not sent: fleetmock delivers webhooks to loopback hosts only (allow this host with serve --webhook-host)",
                                 durationMs: 0)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await webhookHTTPClient.execute(request, timeout: .milliseconds(Int64(policy.timeout * 1000)))
            let status = Int(response.status.code)
            let bytes = try? await response.body.collect(upTo: 64 * 1024)
            return WebhookAnswer(status: status, body: bytes.map { Data($0.readableBytesView) }, error: nil, durationMs: elapsed())
        } catch {
            return WebhookAnswer(status: nil, body: nil, error: Self.describe(error), durationMs: elapsed())
        }
    }

    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            if client == .deadlineExceeded || client == .readTimeout { return "no answer in time" }
            return "\(client)"
        }
        return String(describing: error)
    }
}

/// The process's one client for webhook deliveries (never shut down, like `HTTPClient.shared`). A refused
/// connection fails the attempt at once rather than being retried until the deadline: redeliveries are the
/// webhook's own business.
private let webhookHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout.connect = .seconds(5)
    configuration.redirectConfiguration = .disallow
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()
