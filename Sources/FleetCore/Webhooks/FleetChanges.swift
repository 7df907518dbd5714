import Foundation
import Synchronization

/// Something in a sandbox changed that webhook subscribers may want to hear about.
public struct FleetChange: Sendable, Equatable {
    public enum Cause: String, Sendable {
        /// A vehicle's state was written directly (a command, a control-API PATCH).
        case stateWritten
        /// The simulation played an interval out (a clock change or a catch-up).
        case simulation
        /// A vehicle was subscribed to a webhook, or a webhook's receiver changed.
        case subscription
    }

    public var sandboxId: String
    /// The vehicles concerned; nil means every vehicle of the sandbox.
    public var vehicleIds: [Int64]?
    public var cause: Cause

    public init(sandboxId: String, vehicleIds: [Int64]?, cause: Cause) {
        self.sandboxId = sandboxId
        self.vehicleIds = vehicleIds
        self.cause = cause
    }
}

/// Tells observers about committed changes. Publishing never blocks and never fails: with no observer
/// a change is simply dropped.
public final class FleetChangeFeed: Sendable {
    public typealias Observer = @Sendable (FleetChange) -> Void

    private let observers = Mutex([Int: Observer]())
    private let nextToken = Mutex(0)

    public init() {}

    /// Registers an observer; keep the token to remove it.
    public func observe(_ observer: @escaping Observer) -> Int {
        let token = nextToken.withLock { value -> Int in
            value += 1
            return value
        }
        observers.withLock { $0[token] = observer }
        return token
    }

    public func removeObserver(_ token: Int) {
        _ = observers.withLock { $0.removeValue(forKey: token) }
    }

    /// Hands a change to every observer (call after the transaction that made it has committed).
    public func publish(_ change: FleetChange) {
        let current = observers.withLock { Array($0.values) }
        for observer in current { observer(change) }
    }
}
