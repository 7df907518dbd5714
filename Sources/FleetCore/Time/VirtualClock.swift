import Foundation

/// A sandbox's virtual time: a linear function of real time.
///
/// `now = virtualAnchor + (realNow - realAnchor) * scale`. Real time is scale 1 with no offset,
/// frozen is scale 0. Every change re-anchors at the current instant, so nothing jumps.
public struct VirtualClock: Codable, Sendable, Equatable {
    public var realAnchor: Date
    public var virtualAnchor: Date
    public var scale: Double

    /// A clock that follows real time.
    public static func realTime(at now: Date = Date()) -> VirtualClock {
        VirtualClock(realAnchor: now, virtualAnchor: now, scale: 1)
    }

    public init(realAnchor: Date, virtualAnchor: Date, scale: Double) {
        self.realAnchor = realAnchor
        self.virtualAnchor = virtualAnchor
        self.scale = scale
    }

    /// The virtual time at real instant `real`, in whole milliseconds (the resolution everything is stored at).
    public func now(real: Date = Date()) -> Date {
        virtualAnchor.addingTimeInterval(real.timeIntervalSince(realAnchor) * scale).wholeMillisecond
    }

    public var isFrozen: Bool { scale == 0 }

    /// Moves virtual time forward (or back) by `seconds`.
    public mutating func advance(by seconds: TimeInterval, real: Date = Date()) {
        reanchor(at: real, virtual: now(real: real).addingTimeInterval(seconds))
    }

    /// Jumps virtual time to `date`.
    public mutating func set(to date: Date, real: Date = Date()) {
        reanchor(at: real, virtual: date)
    }

    /// Changes the speed of time from now on; 0 freezes.
    public mutating func setScale(_ newScale: Double, real: Date = Date()) {
        reanchor(at: real, virtual: now(real: real))
        scale = newScale
    }

    private mutating func reanchor(at real: Date, virtual: Date) {
        realAnchor = real
        virtualAnchor = virtual
    }
}

/// A request to change a clock, as the control API and the CLI express it.
public enum ClockChange: Sendable, Equatable {
    case advance(seconds: TimeInterval)
    case set(Date)
    case freeze(Bool)
    case scale(Double)
    case realTime

    /// Applies the change; a thaw returns to scale 1.
    public func apply(to clock: inout VirtualClock, real: Date = Date()) {
        switch self {
        case .advance(let seconds): clock.advance(by: seconds, real: real)
        case .set(let date): clock.set(to: date, real: real)
        case .freeze(let frozen): clock.setScale(frozen ? 0 : (clock.isFrozen ? 1 : clock.scale), real: real)
        case .scale(let scale): clock.setScale(scale, real: real)
        case .realTime: clock = .realTime(at: real)
        }
    }
}
