import FleetCore
import Foundation

/// Smartcar's rate limits on the vehicle API (v1.0/v2.0): the sandbox's settings applied through the
/// shared limiter on the sandbox clock; an empty bucket is the catalogue's `RATE_LIMIT` error with
/// `Retry-After` in seconds (`SMARTCAR_API` for the application's bucket, `VEHICLE` for a vehicle's).
struct SmartcarRateLimits: Sendable {
    let limiter: RateLimiter

    /// Limits for code that never charges a request.
    static let unused = SmartcarRateLimits(limiter: RateLimiter())

    /// Charges one request of the sandbox's app (and of `vehicle`); throws the rate-limit error when a bucket is empty.
    func charge(_ sandbox: SandboxRecord, vehicle: String? = nil) throws {
        guard let policy = RateLimitPolicy(sandbox.settings) else {
            limiter.forget(sandbox: sandbox.id)
            return
        }
        if let rejection = limiter.admit(sandbox: sandbox.id, vehicle: vehicle, policy: policy, now: sandbox.clock.now()) {
            throw Self.error(rejection)
        }
    }

    /// Charges one batch path to the vehicle's bucket; the error for that path's item when it is empty.
    func chargePath(_ sandbox: SandboxRecord, vehicle: String) -> SmartcarAPIError? {
        guard let policy = RateLimitPolicy(sandbox.settings) else { return nil }
        return limiter.admitPath(sandbox: sandbox.id, vehicle: vehicle, policy: policy, now: sandbox.clock.now()).map(Self.error)
    }

    static func error(_ rejection: RateLimitRejection) -> SmartcarAPIError {
        switch rejection {
        case .app(let seconds): return SmartcarAPIError.of("RATE_LIMIT", "SMARTCAR_API", retryAfter: seconds)
        case .vehicle(let seconds): return SmartcarAPIError.of("RATE_LIMIT", "VEHICLE", retryAfter: seconds)
        }
    }
}
