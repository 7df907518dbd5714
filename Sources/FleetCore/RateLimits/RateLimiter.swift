import Foundation
import Synchronization

/// A token bucket on a sandbox clock: `capacity` tokens, refilled at `perMinute`. A clock that stands
/// still (frozen) refills nothing; a clock moved back refills nothing until it passes the last refill.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    public let perMinute: Double
    public private(set) var tokens: Double
    public private(set) var updated: Date

    /// A full bucket at `now`.
    public init(capacity: Int, perMinute: Int, now: Date) {
        self.capacity = Double(capacity)
        self.perMinute = Double(perMinute)
        tokens = Double(capacity)
        updated = now
    }

    /// Adds what the time since the last refill earned, up to the capacity.
    public mutating func refill(at now: Date) {
        let elapsed = now.timeIntervalSince(updated)
        guard elapsed > 0 else { return }
        tokens = min(capacity, tokens + elapsed * perMinute / 60)
        updated = now
    }

    /// Whether a whole token is there.
    public var hasToken: Bool { tokens >= 1 }

    public mutating func take() { tokens -= 1 }

    /// Whole seconds until a token is there (at least 1 when there is none now).
    public var secondsUntilToken: Int {
        guard !hasToken else { return 0 }
        guard perMinute > 0 else { return Int.max }
        return max(1, Int(((1 - tokens) * 60 / perMinute).rounded(.up)))
    }
}

/// The rate limits of one sandbox's application, as configured in its settings.
public struct RateLimitPolicy: Sendable, Equatable {
    /// Requests the app bucket earns per minute.
    public var appPerMinute: Int
    /// The app bucket's capacity.
    public var appBurst: Int
    /// Requests each vehicle's bucket earns per minute (its capacity too).
    public var vehiclePerMinute: Int
    /// The settings' generation: a new one starts the buckets full.
    public var generation: UInt64

    public init(appPerMinute: Int, appBurst: Int, vehiclePerMinute: Int, generation: UInt64 = 0) {
        self.appPerMinute = appPerMinute
        self.appBurst = appBurst
        self.vehiclePerMinute = vehiclePerMinute
        self.generation = generation
    }

    /// The policy of a sandbox's settings, or nil when its limits are off.
    public init?(_ settings: SandboxSettings) {
        guard settings.rateLimits else { return nil }
        self.init(appPerMinute: settings.appRequestsPerMinute, appBurst: settings.appBurst, vehiclePerMinute: settings.vehicleRequestsPerMinute,
                  generation: settings.rateLimitGeneration)
    }
}

/// Why a request was not admitted, with the seconds until it would be.
public enum RateLimitRejection: Error, Sendable, Equatable {
    /// The application's bucket is empty.
    case app(retryAfter: Int)
    /// The vehicle's bucket is empty.
    case vehicle(retryAfter: Int)
}

/// The buckets of every sandbox: one per application, one per vehicle, on each sandbox's clock.
/// In memory: a restart starts every bucket full. No HTTP here.
public final class RateLimiter: Sendable {
    struct Buckets {
        var policy: RateLimitPolicy
        var app: TokenBucket
        var vehicles: [String: TokenBucket] = [:]
    }

    private let state = Mutex([String: Buckets]())

    public init() {}

    /// Admits a request of a sandbox's app (and of `vehicle`, when it names one) at the sandbox clock's
    /// `now`, or says which bucket is empty. A rejected request takes no token.
    public func admit(sandbox: String, vehicle: String? = nil, policy: RateLimitPolicy, now: Date) -> RateLimitRejection? {
        state.withLock { all in
            var buckets = all[sandbox].flatMap { $0.policy == policy ? $0 : nil }
                ?? Buckets(policy: policy, app: TokenBucket(capacity: policy.appBurst, perMinute: policy.appPerMinute, now: now))
            defer { all[sandbox] = buckets }
            buckets.app.refill(at: now)
            guard buckets.app.hasToken else { return .app(retryAfter: buckets.app.secondsUntilToken) }
            if let vehicle {
                var bucket = buckets.vehicles[vehicle] ?? TokenBucket(capacity: policy.vehiclePerMinute, perMinute: policy.vehiclePerMinute, now: now)
                bucket.refill(at: now)
                buckets.vehicles[vehicle] = bucket
                guard bucket.hasToken else { return .vehicle(retryAfter: bucket.secondsUntilToken) }
                buckets.vehicles[vehicle]?.take()
            }
            buckets.app.take()
            return nil
        }
    }

    /// Takes one token from a vehicle's bucket for a batch path; the rejection when it is empty.
    /// The app is not charged (the batch request was).
    public func admitPath(sandbox: String, vehicle: String, policy: RateLimitPolicy, now: Date) -> RateLimitRejection? {
        state.withLock { all in
            guard var buckets = all[sandbox], buckets.policy == policy else { return nil }
            defer { all[sandbox] = buckets }
            var bucket = buckets.vehicles[vehicle] ?? TokenBucket(capacity: policy.vehiclePerMinute, perMinute: policy.vehiclePerMinute, now: now)
            bucket.refill(at: now)
            guard bucket.hasToken else {
                buckets.vehicles[vehicle] = bucket
                return .vehicle(retryAfter: bucket.secondsUntilToken)
            }
            bucket.take()
            buckets.vehicles[vehicle] = bucket
            return nil
        }
    }

    /// Drops a sandbox's buckets (its limits were switched off, or it was reset).
    public func forget(sandbox: String) {
        _ = state.withLock { all in all.removeValue(forKey: sandbox) }
    }
}
