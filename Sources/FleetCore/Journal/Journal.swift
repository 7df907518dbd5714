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

    public init(sequence: Int = 0, time: Date, requestId: String, sandbox: String, vendor: String, method: String,
                path: String, query: String?, status: Int, latencyMs: Double, fault: String?) {
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
    public func entries(sandbox: String, limit: Int = 100, status: Int? = nil, pathContains: String? = nil) -> [JournalEntry] {
        let all = state.withLock { $0.rings[sandbox]?.ordered ?? [] }
        var result: [JournalEntry] = []
        for entry in all.reversed() {
            if let status, entry.status != status { continue }
            if let pathContains, !entry.path.contains(pathContains) { continue }
            result.append(entry)
            if result.count >= limit { break }
        }
        return result
    }

    /// Forgets a sandbox's entries.
    public func clear(sandbox: String) {
        _ = state.withLock { $0.rings.removeValue(forKey: sandbox) }
    }
}
