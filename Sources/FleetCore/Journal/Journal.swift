import Foundation
import Synchronization

/// One request as the journal remembers it.
public struct JournalEntry: Codable, Sendable, Equatable {
    public var sequence: Int
    /// Sandbox-clock time the request arrived.
    public var time: Date
    public var requestId: String
    public var sandbox: String
    public var vendor: String
    public var method: String
    public var path: String
    public var query: String?
    public var status: Int
    public var latencyMs: Double
    /// The fault rule or catalogue entry applied, if any.
    public var fault: String?
    /// Headers and (the start of) the bodies, when they were kept.
    public var exchange: JournalExchange?

    public init(sequence: Int = 0, time: Date, requestId: String, sandbox: String, vendor: String, method: String,
                path: String, query: String?, status: Int, latencyMs: Double, fault: String?, exchange: JournalExchange? = nil) {
        self.sequence = sequence
        self.time = time
        self.requestId = requestId
        self.sandbox = sandbox
        self.vendor = vendor
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.latencyMs = latencyMs
        self.fault = fault
        self.exchange = exchange
    }
}

/// One header line as it was sent.
public struct JournalHeader: Codable, Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// What went over the wire for one journal entry: headers in order, and bodies as text up to
/// ``JournalExchange/bodyLimit`` bytes (a longer body is cut there; `…BodyBytes` keeps its full size).
public struct JournalExchange: Codable, Sendable, Equatable {
    /// The most of a body the journal keeps, in bytes.
    public static let bodyLimit = 16 * 1024

    public var requestHeaders: [JournalHeader]
    public var requestBody: String?
    /// The request body's size; `nil` when it was not read (streamed or larger than the server reads for the journal).
    public var requestBodyBytes: Int?
    public var responseHeaders: [JournalHeader]
    public var responseBody: String?
    public var responseBodyBytes: Int?

    public init(requestHeaders: [JournalHeader], requestBody: String?, requestBodyBytes: Int?,
                responseHeaders: [JournalHeader], responseBody: String?, responseBodyBytes: Int?) {
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.requestBodyBytes = requestBodyBytes
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseBodyBytes = responseBodyBytes
    }

    /// A body as journal text: UTF-8 up to the limit (invalid bytes become U+FFFD).
    public static func text(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix(bodyLimit), as: UTF8.self)
    }
}

/// A bounded ring buffer of requests per sandbox. In memory: the journal is for looking at what just
/// happened, not an audit log.
public final class Journal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        var start = 0
        var capacity: Int

        mutating func record(_ entry: JournalEntry, capacity newCapacity: Int) {
            if capacity != newCapacity { resize(newCapacity) }
            append(entry)
        }

        mutating func append(_ entry: JournalEntry) {
            if entries.count < capacity {
                entries.append(entry)
            } else if capacity > 0 {
                entries[start] = entry
                start = (start + 1) % capacity
            }
        }

        /// Oldest first.
        var ordered: [JournalEntry] { Array(entries[start...] + entries[..<start]) }

        mutating func resize(_ newCapacity: Int) {
            let kept = ordered.suffix(newCapacity)
            entries = Array(kept)
            start = 0
            capacity = newCapacity
        }
    }

    private struct State {
        var rings: [String: Ring] = [:]
        var sequence = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Records an entry in its sandbox's ring, created with `capacity` if new.
    public func record(_ entry: JournalEntry, capacity: Int) {
        state.withLock { state in
            state.sequence += 1
            var entry = entry
            entry.sequence = state.sequence
            // Mutated in place: taking the ring out of the dictionary would copy its whole buffer.
            state.rings[entry.sandbox, default: Ring(capacity: capacity)].record(entry, capacity: capacity)
        }
    }

    /// Newest first, filtered.
    public func entries(sandbox: String, limit: Int = 100, status: Int? = nil, pathContains: String? = nil,
                        vendor: String? = nil) -> [JournalEntry] {
        let all = state.withLock { $0.rings[sandbox]?.ordered ?? [] }
        var result: [JournalEntry] = []
        for entry in all.reversed() {
            if let status, entry.status != status { continue }
            if let vendor, entry.vendor != vendor { continue }
            if let pathContains, !entry.path.contains(pathContains) { continue }
            result.append(entry)
            if result.count >= limit { break }
        }
        return result
    }

    /// One entry by its sequence number, if still in the sandbox's ring.
    public func entry(sandbox: String, sequence: Int) -> JournalEntry? {
        state.withLock { state in state.rings[sandbox]?.entries.first { $0.sequence == sequence } }
    }

    /// Forgets a sandbox's entries.
    public func clear(sandbox: String) {
        _ = state.withLock { $0.rings.removeValue(forKey: sandbox) }
    }
}
