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

    /// Bytes of body the entry holds (what counts against ``Journal/bodyBudget``).
    public var keptBodyBytes: Int {
        if let capture { return capture.keptBodyBytes }
        return (keptExchange?.requestBody?.utf8.count ?? 0) + (keptExchange?.responseBody?.utf8.count ?? 0)
    }

    /// Lets go of both bodies, keeping everything else (headers, sizes).
    mutating func dropBodies() {
        if let capture {
            self.capture = capture.withoutBodies()
        } else if keptExchange != nil {
            keptExchange?.requestBody = nil
            keptExchange?.responseBody = nil
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
    /// Bytes of request and response body the capture holds.
    var keptBodyBytes: Int { get }
    /// The same capture without its bodies (their sizes stay known).
    func withoutBodies() -> any JournalExchangeCapture
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
    /// The most body bytes a sandbox's journal holds. Past it, the oldest entries let go of their
    /// bodies (headers, sizes and everything else stay): a thousand 30-day telemetry answers would
    /// otherwise keep 16 MiB per sandbox alive.
    public static let bodyBudget = 4 * 1024 * 1024

    private struct Ring {
        var entries: [JournalEntry] = []
        var start = 0
        var capacity: Int
        /// Body bytes held by the entries.
        var bodyBytes = 0
        /// How many of the oldest entries are known to hold no body (where the next trim starts).
        var bare = 0

        init(capacity: Int) {
            self.capacity = capacity
        }

        /// Appends an entry; returns the one it pushed out of a full ring, for the caller to release
        /// outside the lock.
        mutating func record(_ entry: consuming JournalEntry, capacity newCapacity: Int, budget: Int) -> JournalEntry? {
            if capacity != newCapacity { resize(newCapacity) }
            bodyBytes += entry.keptBodyBytes
            let evicted = append(entry)
            if let evicted {
                bodyBytes -= evicted.keptBodyBytes
                bare = max(0, bare - 1)
            }
            trim(to: budget)
            return evicted
        }

        private mutating func append(_ entry: consuming JournalEntry) -> JournalEntry? {
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

        /// Drops the bodies of the oldest entries until the ring holds at most `budget` bytes of
        /// them; the newest entry keeps its own whatever its size.
        private mutating func trim(to budget: Int) {
            while bodyBytes > budget, bare < entries.count - 1 {
                let index = (start + bare) % entries.count
                bodyBytes -= entries[index].keptBodyBytes
                entries[index].dropBodies()
                bare += 1
            }
        }

        /// Oldest first.
        var ordered: [JournalEntry] { Array(entries[start...] + entries[..<start]) }

        mutating func resize(_ newCapacity: Int) {
            let kept = ordered.suffix(newCapacity)
            entries = Array(kept)
            start = 0
            capacity = newCapacity
            bodyBytes = entries.reduce(0) { $0 + $1.keptBodyBytes }
            bare = 0
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
            return state.rings[entry.sandbox, default: Ring(capacity: capacity)].record(entry, capacity: capacity, budget: Self.bodyBudget)
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
