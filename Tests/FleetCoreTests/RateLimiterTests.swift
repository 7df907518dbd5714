import FleetCore
import Foundation
import Testing

@Suite struct RateLimiterTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = RateLimitPolicy(appPerMinute: 2, appBurst: 3, vehiclePerMinute: 1)

    @Test func bucketRefillsWithTimeAndNeverPastItsCapacity() {
        var bucket = TokenBucket(capacity: 2, perMinute: 2, now: start)
        bucket.take()
        bucket.take()
        #expect(!bucket.hasToken)
        #expect(bucket.secondsUntilToken == 30)
        bucket.refill(at: start)
        #expect(bucket.secondsUntilToken == 30, "no time passed, nothing earned")
        bucket.refill(at: start.addingTimeInterval(-600))
        #expect(bucket.secondsUntilToken == 30, "a clock moved back earns nothing")
        bucket.refill(at: start.addingTimeInterval(15))
        #expect(!bucket.hasToken)
        #expect(bucket.secondsUntilToken == 15)
        bucket.refill(at: start.addingTimeInterval(3600))
        #expect(bucket.tokens == 2)
    }

    @Test func appBucketIsCheckedFirstAndARejectionTakesNothing() {
        let limiter = RateLimiter()
        for _ in 0..<3 { #expect(limiter.admit(sandbox: "a", policy: policy, now: start) == nil) }
        #expect(limiter.admit(sandbox: "a", vehicle: "v", policy: policy, now: start) == .app(retryAfter: 30))
        // Another sandbox has its own buckets.
        #expect(limiter.admit(sandbox: "b", vehicle: "v", policy: policy, now: start) == nil)
        // Thirty seconds later one app token is back; the vehicle's bucket was never charged.
        #expect(limiter.admit(sandbox: "a", vehicle: "v", policy: policy, now: start.addingTimeInterval(30)) == nil)
    }

    @Test func vehicleBucketsAreSeparatePerVehicle() {
        let limiter = RateLimiter()
        let generous = RateLimitPolicy(appPerMinute: 100, appBurst: 100, vehiclePerMinute: 1)
        #expect(limiter.admit(sandbox: "a", vehicle: "v1", policy: generous, now: start) == nil)
        #expect(limiter.admit(sandbox: "a", vehicle: "v1", policy: generous, now: start) == .vehicle(retryAfter: 60))
        #expect(limiter.admit(sandbox: "a", vehicle: "v2", policy: generous, now: start) == nil)
        #expect(limiter.admitPath(sandbox: "a", vehicle: "v2", policy: generous, now: start) == .vehicle(retryAfter: 60))
        #expect(limiter.admitPath(sandbox: "a", vehicle: "v1", policy: generous, now: start.addingTimeInterval(60)) == nil)
    }

    @Test func aNewPolicyOrForgettingStartsFull() {
        let limiter = RateLimiter()
        let tight = RateLimitPolicy(appPerMinute: 1, appBurst: 1, vehiclePerMinute: 1)
        #expect(limiter.admit(sandbox: "a", policy: tight, now: start) == nil)
        #expect(limiter.admit(sandbox: "a", policy: tight, now: start) == .app(retryAfter: 60))
        limiter.forget(sandbox: "a")
        #expect(limiter.admit(sandbox: "a", policy: tight, now: start) == nil)
        #expect(limiter.admit(sandbox: "a", policy: policy, now: start) == nil)
    }

    @Test func settingsValidateEachValueAndDecodeOldRows() throws {
        var settings = SandboxSettings()
        #expect(!settings.rateLimits)
        try settings.set("rateLimits", true)
        try settings.set("appBurst", 5)
        let policy = try #require(RateLimitPolicy(settings))
        #expect(policy.appPerMinute == 2 && policy.appBurst == 5 && policy.vehiclePerMinute == 2)
        try settings.set("appBurst", 5)
        #expect(RateLimitPolicy(settings)?.generation != policy.generation, "setting a limit again starts the buckets full")
        #expect(throws: FleetError.invalid(field: "settings.appBurst", reason: "must be an integer from 1 to 1000000")) { try settings.set("appBurst", 0) }
        #expect(throws: FleetError.invalid(field: "settings.rateLimits", reason: "must be a boolean")) { try settings.set("rateLimits", 1) }
        #expect(throws: FleetError.invalid(field: "settings.nope", reason: "unknown setting")) { try settings.set("nope", 1) }
        let old = try JSONDecoder().decode(SandboxSettings.self, from: Data(#"{"rateLimits": false, "journalSize": 7}"#.utf8))
        #expect(old.journalSize == 7 && old.appBurst == 120 && old.vehicleRequestsPerMinute == 2)
    }
}
