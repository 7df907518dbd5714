import FleetCore
import Foundation
import Synchronization

/// One attempt to deliver a webhook event, as `GET …/webhooks/deliveries` shows it.
public struct WebhookDeliveryAttempt: Sendable, Equatable {
    public var sequence = 0
    /// Sandbox-clock time of the attempt.
    public var time: Date
    /// `smartcar` or `dimo`.
    public var vendor: String
    public var webhookId: String
    public var eventType: String
    public var deliveryId: String
    /// The vendor's id of the vehicle the event is about, if any.
    public var vehicleId: String?
    public var url: String
    /// 1 for the first try, 2–4 for redeliveries.
    public var attempt: Int
    /// The receiver's HTTP status; nil when no answer came (refused, timed out).
    public var status: Int?
    public var error: String?
    public var durationMs: Double

    public var succeeded: Bool { error == nil && status.map { (200..<300).contains($0) } == true }

    var json: JSONValue {
        .object([
            ("sequence", .integer(Int64(sequence))), ("time", .string(Timestamp.millis(time))), ("vendor", .string(vendor)),
            ("webhookId", .string(webhookId)), ("eventType", .string(eventType)), ("deliveryId", .string(deliveryId)),
            ("vehicleId", .string(vehicleId)), ("url", .string(url)), ("attempt", .integer(Int64(attempt))),
            ("status", status.map { .integer(Int64($0)) } ?? .null), ("succeeded", .bool(succeeded)), ("error", .string(error)),
            ("durationMs", .number((durationMs * 10).rounded() / 10)),
        ])
    }
}

/// The most recent delivery attempts per sandbox, in memory (like the journal: for looking at what just happened).
public final class WebhookDeliveryLog: Sendable {
    public static let capacity = 1000

    private struct Waiter {
        var id: Int
        var sandbox: String
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var attempts: [String: [WebhookDeliveryAttempt]] = [:]
        /// Attempts ever recorded per sandbox (the list itself is capped).
        var recorded: [String: Int] = [:]
        var sequence = 0
        var waiters: [Waiter] = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func record(_ attempt: WebhookDeliveryAttempt, sandbox: String) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.sequence += 1
            var entry = attempt
            entry.sequence = state.sequence
            var list = state.attempts[sandbox, default: []]
            list.append(entry)
            if list.count > Self.capacity { list.removeFirst(list.count - Self.capacity) }
            state.attempts[sandbox] = list
            let total = state.recorded[sandbox, default: 0] + 1
            state.recorded[sandbox] = total
            let done = state.waiters.filter { $0.sandbox == sandbox && $0.count <= total }
            state.waiters.removeAll { $0.sandbox == sandbox && $0.count <= total }
            return done.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `count` attempts have been recorded for the sandbox since it was made or last cleared
    /// (for tests and tools that need to know a delivery finished; bound it with a timeout).
    public func waitForAttempts(_ count: Int, sandbox: String) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.recorded[sandbox, default: 0] >= count || Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, sandbox: sandbox, count: count, continuation: continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }

    /// Newest first.
    public func attempts(sandbox: String, limit: Int) -> [WebhookDeliveryAttempt] {
        state.withLock { Array(($0.attempts[sandbox] ?? []).reversed().prefix(limit)) }
    }

    public func clear(sandbox: String) {
        state.withLock { state in
            state.attempts.removeValue(forKey: sandbox)
            state.recorded.removeValue(forKey: sandbox)
        }
    }
}
