import Synchronization

/// Lets at most `limit` tasks through at once; the others wait their turn, first come first served.
///
/// For work that is bound by CPU and builds large values while it runs (a GraphQL execution over
/// weeks of telemetry): past the number of cores, running more at once adds no throughput, only
/// memory, since every execution holds its partial result until it is done.
public final class AsyncGate: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(1, limit)
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a place is free, and frees it when `body` returns or throws.
    public func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    /// How many tasks wait for a place (for tests and diagnostics).
    public var waiting: Int { state.withLock { $0.waiting.count - $0.head } }

    private func enter() async {
        let entered = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if entered { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enteredMeanwhile = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if enteredMeanwhile { continuation.resume() }
        }
    }

    private func leave() {
        // A waiting task takes the place over directly; otherwise it becomes free.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.available += 1
                return nil
            }
            let continuation = state.waiting[state.head]
            state.head += 1
            if state.head == state.waiting.count {
                state.waiting.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return continuation
        }
        next?.resume()
    }
}
