import Foundation
import Synchronization

/// One request as the journal remembers it.
public struct JournalEntry: Sendable {
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
    private var keptExchange: JournalExchange?
    private var capture: (any JournalExchangeCapture)?

    /// Headers and (the start of) the bodies, when they were kept. A captured exchange is rendered
    /// as text here, when somebody reads it, not on the request's path.
    public var exchange: JournalExchange? {
        get { keptExchange ?? capture?.render() }
        set {
            keptExchange = newValue
            capture = nil
        }
    }

    public init(sequence: Int = 0, time: Date, requestId: String, sandbox: String, vendor: String, method: String,
                path: String, query: String?, status: Int, latencyMs: Double, fault: String?, exchange: JournalExchange? = nil,
                capture: (any JournalExchangeCapture)? = nil) {
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
        self.keptExchange = exchange
        self.capture = exchange == nil ? capture : nil
    }
}

/// An exchange as the HTTP layer captured it (its own header and buffer types, which cost a retain
/// each to keep), turned into ``JournalExchange`` text only when the journal is read.
///
/// Class-bound: an entry keeps a reference to the capture, one retain to copy, no existential box.
public protocol JournalExchangeCapture: AnyObject, Sendable {
    func render() -> JournalExchange
}

extension JournalEntry: Codable, Equatable {
    private enum CodingKeys: String, CodingKey {
        case sequence, time, requestId, sandbox, vendor, method, path, query, status, latencyMs, fault, exchange
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(sequence: try container.decode(Int.self, forKey: .sequence), time: try container.decode(Date.self, forKey: .time),
                  requestId: try container.decode(String.self, forKey: .requestId), sandbox: try container.decode(String.self, forKey: .sandbox),
                  vendor: try container.decode(String.self, forKey: .vendor), method: try container.decode(String.self, forKey: .method),
                  path: try container.decode(String.self, forKey: .path), query: try container.decodeIfPresent(String.self, forKey: .query),
                  status: try container.decode(Int.self, forKey: .status), latencyMs: try container.decode(Double.self, forKey: .latencyMs),
                  fault: try container.decodeIfPresent(String.self, forKey: .fault),
                  exchange: try container.decodeIfPresent(JournalExchange.self, forKey: .exchange))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(time, forKey: .time)
        try container.encode(requestId, forKey: .requestId)
        try container.encode(sandbox, forKey: .sandbox)
        try container.encode(vendor, forKey: .vendor)
        try container.encode(method, forKey: .method)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(query, forKey: .query)
        try container.encode(status, forKey: .status)
        try container.encode(latencyMs, forKey: .latencyMs)
        try container.encodeIfPresent(fault, forKey: .fault)
        try container.encodeIfPresent(exchange, forKey: .exchange)
    }

    public static func == (lhs: JournalEntry, rhs: JournalEntry) -> Bool {
        lhs.sequence == rhs.sequence && lhs.time == rhs.time && lhs.requestId == rhs.requestId && lhs.sandbox == rhs.sandbox
            && lhs.vendor == rhs.vendor && lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query
            && lhs.status == rhs.status && lhs.latencyMs == rhs.latencyMs && lhs.fault == rhs.fault && lhs.exchange == rhs.exchange
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

}

/// A bounded ring buffer of requests per sandbox. In memory: the journal is for looking at what just
/// happened, not an audit log.
public final class Journal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        var start = 0
        var capacity: Int

        /// Appends an entry; returns the one it pushed out of a full ring, for the caller to release
        /// outside the lock.
        mutating func record(_ entry: consuming JournalEntry, capacity newCapacity: Int) -> JournalEntry? {
            if capacity != newCapacity { resize(newCapacity) }
            return append(entry)
        }

        mutating func append(_ entry: consuming JournalEntry) -> JournalEntry? {
            if entries.count < capacity {
                entries.append(entry)
                return nil
            } else if capacity > 0 {
                // Swapped, not assigned: the new entry moves in and the old one moves out whole.
                var entry = entry
                swap(&entries[start], &entry)
                start = (start + 1) % capacity
                return entry
            }
            return nil
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
    public func record(_ entry: consuming JournalEntry, capacity: Int) {
        var entry = entry
        let evicted = state.withLock { state -> JournalEntry? in
            state.sequence += 1
            entry.sequence = state.sequence
            // Mutated in place: taking the ring out of the dictionary would copy its whole buffer.
            return state.rings[entry.sandbox, default: Ring(capacity: capacity)].record(entry, capacity: capacity)
        }
        // The entry pushed out is released here, after the lock.
        _ = consume evicted
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
