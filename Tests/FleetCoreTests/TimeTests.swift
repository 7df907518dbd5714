import FleetCore
import Foundation
import Testing

@Suite struct DurationTests {
    @Test(arguments: [("90s", 90.0), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("3d", 259_200), ("500ms", 0.5), ("-1h", -3600), ("1.5h", 5400)])
    func parses(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "h", "2", "2x", "1h30", "abc", "--1h"])
    func rejects(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func timestampsRoundTrip() throws {
        let date = try #require(Timestamp.parse("2026-01-02T03:04:05.678Z"))
        #expect(Timestamp.millis(date) == "2026-01-02T03:04:05.678Z")
        #expect(Timestamp.parse("2026-01-02T05:04:05+02:00") == Timestamp.parse("2026-01-02T03:04:05Z"))
        #expect(Timestamp.parse("yesterday") == nil)
    }
}

@Suite struct VirtualClockTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func realTimeFollowsTheWallClock() {
        let clock = VirtualClock.realTime(at: t0)
        #expect(clock.now(real: t0.addingTimeInterval(5)) == t0.addingTimeInterval(5))
    }

    @Test func advanceSetFreezeAndScale() {
        var clock = VirtualClock.realTime(at: t0)
        ClockChange.advance(seconds: 3600).apply(to: &clock, real: t0)
        #expect(clock.now(real: t0) == t0.addingTimeInterval(3600))
        #expect(clock.now(real: t0.addingTimeInterval(10)) == t0.addingTimeInterval(3610))

        ClockChange.freeze(true).apply(to: &clock, real: t0.addingTimeInterval(10))
        #expect(clock.isFrozen)
        #expect(clock.now(real: t0.addingTimeInterval(1000)) == t0.addingTimeInterval(3610))

        ClockChange.freeze(false).apply(to: &clock, real: t0.addingTimeInterval(1000))
        #expect(clock.now(real: t0.addingTimeInterval(1001)) == t0.addingTimeInterval(3611))

        ClockChange.scale(60).apply(to: &clock, real: t0.addingTimeInterval(1001))
        #expect(clock.now(real: t0.addingTimeInterval(1002)) == t0.addingTimeInterval(3671))

        let target = Date(timeIntervalSince1970: 1_800_000_000)
        ClockChange.set(target).apply(to: &clock, real: t0.addingTimeInterval(2000))
        #expect(clock.now(real: t0.addingTimeInterval(2000)) == target)
        #expect(clock.now(real: t0.addingTimeInterval(2001)) == target.addingTimeInterval(60))

        ClockChange.realTime.apply(to: &clock, real: t0.addingTimeInterval(3000))
        #expect(clock.now(real: t0.addingTimeInterval(3001)) == t0.addingTimeInterval(3001))
    }
}

@Suite struct JournalTests {
    func entry(_ sandbox: String, _ path: String, status: Int = 200) -> JournalEntry {
        JournalEntry(time: Date(), requestId: "r", sandbox: sandbox, vendor: "smartcar", method: "GET", path: path,
                     query: nil, status: status, latencyMs: 1, fault: nil)
    }

    @Test func ringKeepsTheNewestAndFilters() {
        let journal = Journal()
        for i in 0..<10 { journal.record(entry("a", "/p\(i)", status: i % 2 == 0 ? 200 : 404), capacity: 4) }
        journal.record(entry("b", "/other"), capacity: 4)
        let entries = journal.entries(sandbox: "a")
        #expect(entries.map(\.path) == ["/p9", "/p8", "/p7", "/p6"])
        #expect(journal.entries(sandbox: "a", status: 404).map(\.path) == ["/p9", "/p7"])
        #expect(journal.entries(sandbox: "a", limit: 1).count == 1)
        #expect(journal.entries(sandbox: "b").count == 1)
        journal.record(entry("a", "/shrink"), capacity: 2)
        #expect(journal.entries(sandbox: "a").map(\.path) == ["/shrink", "/p9"])
        journal.clear(sandbox: "a")
        #expect(journal.entries(sandbox: "a").isEmpty)
    }

    /// Past `Journal.bodyBudget` bytes of bodies in a sandbox, the oldest entries let go of theirs and
    /// keep the rest: sizes, headers, status.
    @Test func oldBodiesGoOnceTheSandboxHoldsItsBudget() throws {
        let journal = Journal()
        let body = String(repeating: "x", count: 8192)
        for i in 0..<1000 {
            var item = entry("a", "/p\(i)")
            item.exchange = JournalExchange(requestHeaders: [JournalHeader(name: "Accept", value: "*/*")], requestBody: nil, requestBodyBytes: nil,
                                            responseHeaders: [], responseBody: body, responseBodyBytes: body.utf8.count)
            journal.record(item, capacity: 1000)
        }
        let entries = journal.entries(sandbox: "a", limit: 1000)
        #expect(entries.count == 1000)
        let withBodies = entries.prefix { $0.exchange?.responseBody != nil }
        #expect(withBodies.count == Journal.bodyBudget / 8192, "the newest entries keep theirs")
        #expect(entries.dropFirst(withBodies.count).allSatisfy { $0.exchange?.responseBody == nil })
        let oldest = try #require(entries.last?.exchange)
        #expect(oldest.responseBodyBytes == 8192 && oldest.requestHeaders.first?.name == "Accept")
        #expect(entries.reduce(0) { $0 + $1.keptBodyBytes } <= Journal.bodyBudget)
        // One entry larger than the whole budget keeps its body while it is the newest.
        var huge = entry("a", "/huge")
        let big = String(repeating: "y", count: Journal.bodyBudget + 1)
        huge.exchange = JournalExchange(requestHeaders: [], requestBody: nil, requestBodyBytes: nil, responseHeaders: [], responseBody: big,
                                        responseBodyBytes: big.utf8.count)
        journal.record(huge, capacity: 1000)
        let after = journal.entries(sandbox: "a", limit: 2)
        #expect(after[0].exchange?.responseBody == big)
        #expect(after[1].exchange?.responseBody == nil)
    }
}

/// The arithmetic timestamp formatter against Foundation's ISO 8601 style.
@Suite struct TimestampFormatTests {
    @Test func agreesWithFoundationAcrossCenturiesLeapDaysAndMilliseconds() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
        var rng = SeededRandom(seed: 42)
        var samples: [Double] = [0, 951_782_400, 951_868_799.999, 4_107_542_400, 1_798_761_599.5, 253_402_300_799]
        for _ in 0..<2000 { samples.append(Double(UInt64.random(in: 0...253_402_300_799_000, using: &rng)) / 1000) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.seconds(date) == date.formatted(style), "\(seconds)")
            let millis = Timestamp.millis(date)
            let totalMs = Int64((seconds * 1000).rounded())
            let whole = Date(timeIntervalSince1970: Double(totalMs / 1000))
            #expect(millis == String(whole.formatted(style).dropLast()) + "." + String(format: "%03d", Int(totalMs % 1000)) + "Z", "\(seconds)")
        }
        #expect(Timestamp.millis(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z", "before 1970 falls back to Foundation")
    }
}
