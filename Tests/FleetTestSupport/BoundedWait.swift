/// A wait that ran past its bound.
public struct BoundedWaitTimedOut: Error, CustomStringConvertible {
    public let seconds: Double
    public init(seconds: Double) { self.seconds = seconds }
    public var description: String { "still waiting after \(seconds) s" }
}

/// Runs `body`, failing with `BoundedWaitTimedOut` if it has not finished after `seconds`: a bound on
/// waiting for something asynchronous (a webhook delivery, a background tick), never a sleep that times anything.
public func boundedWait<T: Sendable>(_ seconds: Double = 20, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw BoundedWaitTimedOut(seconds: seconds) }
        return value
    }
}
