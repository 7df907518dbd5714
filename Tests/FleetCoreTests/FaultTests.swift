import FleetCore
import Foundation
import Testing

@Suite struct FaultMatchingTests {
    let request = FaultRequest(vendor: "smartcar", service: "api", method: "GET", path: "/v2.0/vehicles/abc-123/odometer", client: "client-1")

    @Test func matchesOnEveryField() {
        #expect(FaultMatch().matches(request))
        #expect(FaultMatch(vendor: "smartcar", service: "api", method: "get", path: "/v2.0/vehicles/*/odometer").matches(request))
        #expect(FaultMatch(path: "/v2.0/vehicles/{id}/odometer").matches(request))
        #expect(FaultMatch(path: "/v2.0/**").matches(request))
        #expect(FaultMatch(vehicle: "ABC-123").matches(request))
        #expect(FaultMatch(client: "client-1").matches(request))
        #expect(!FaultMatch(vendor: "dimo").matches(request))
        #expect(!FaultMatch(method: "POST").matches(request))
        #expect(!FaultMatch(path: "/v2.0/vehicles/*").matches(request))
        #expect(!FaultMatch(path: "/v2.0/vehicles/*/location").matches(request))
        #expect(!FaultMatch(vehicle: "other").matches(request))
        let graphql = FaultRequest(vendor: "dimo", service: "telemetry", method: "POST", path: "/telemetry/query", graphqlFields: ["signalsLatest", "tokenId:7"])
        #expect(FaultMatch(graphqlField: "signalsLatest").matches(graphql))
        #expect(FaultMatch(vehicle: "7").matches(graphql))
        #expect(!FaultMatch(graphqlField: "signals").matches(graphql))
    }

    func rule(_ schedule: FaultSchedule, kind: FaultAction.Kind = .error, limit: Int? = nil) -> FaultRule {
        FaultRule(id: "r", match: FaultMatch(vendor: "smartcar"), action: FaultAction(kind: kind, catalogId: "x", limit: limit, windowSeconds: 60),
                  schedule: schedule, source: "test", createdAt: Date())
    }

    func outcomes(_ rule: FaultRule, count: Int, now: Date = Date(timeIntervalSince1970: 1_000_000)) -> [Bool] {
        let book = FaultBook()
        book.add(rule, sandbox: "s")
        return (0..<count).map { _ in book.decide(request, sandbox: "s", now: now) != nil }
    }

    @Test func timesAfterSuccessesAndSequence() {
        #expect(outcomes(rule(FaultSchedule(times: 2)), count: 4) == [true, true, false, false])
        #expect(outcomes(rule(FaultSchedule(afterSuccesses: 2)), count: 4) == [false, false, true, true])
        #expect(outcomes(rule(FaultSchedule(sequence: ["fail", "fail", "pass"])), count: 5) == [true, true, false, false, false])
        #expect(outcomes(rule(FaultSchedule(times: 1, afterSuccesses: 1)), count: 3) == [false, true, false])
    }

    @Test func probabilityIsDeterministicWithASeed() {
        let a = outcomes(rule(FaultSchedule(probability: 0.5, seed: 42)), count: 200)
        let b = outcomes(rule(FaultSchedule(probability: 0.5, seed: 42)), count: 200)
        let c = outcomes(rule(FaultSchedule(probability: 0.5, seed: 43)), count: 200)
        #expect(a == b)
        #expect(a != c)
        let fired = a.filter { $0 }.count
        #expect(fired > 60 && fired < 140)
        #expect(outcomes(rule(FaultSchedule(probability: 0)), count: 50).allSatisfy { !$0 })
        #expect(outcomes(rule(FaultSchedule(probability: 1)), count: 50).allSatisfy { $0 })
    }

    @Test func expiresOnTheSandboxClock() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let book = FaultBook()
        book.add(rule(FaultSchedule(until: t0.addingTimeInterval(60))), sandbox: "s")
        #expect(book.decide(request, sandbox: "s", now: t0) != nil)
        #expect(book.decide(request, sandbox: "s", now: t0.addingTimeInterval(61)) == nil)
    }

    @Test func quotaFiresPastTheLimitInItsWindow() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let book = FaultBook()
        book.add(rule(FaultSchedule(), kind: .quota, limit: 3), sandbox: "s")
        let burst = (0..<5).map { book.decide(request, sandbox: "s", now: t0.addingTimeInterval(Double($0))) != nil }
        #expect(burst == [false, false, false, true, true])
        #expect(book.decide(request, sandbox: "s", now: t0.addingTimeInterval(120)) == nil)
    }

    @Test func rulesStayInTheirSandbox() {
        let book = FaultBook()
        book.add(rule(FaultSchedule()), sandbox: "a")
        #expect(book.decide(request, sandbox: "b", now: Date()) == nil)
        #expect(book.decide(request, sandbox: "a", now: Date()) != nil)
        #expect(book.remove(id: "r", sandbox: "a"))
        #expect(book.decide(request, sandbox: "a", now: Date()) == nil)
    }

    @Test func concurrentDecisionsCountExactly() async {
        let book = FaultBook()
        book.add(rule(FaultSchedule(times: 100)), sandbox: "s")
        let request = self.request
        let fired = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<50).filter { _ in book.decide(request, sandbox: "s", now: Date()) != nil }.count }
            }
            return await group.reduce(0, +)
        }
        #expect(fired == 100)
        #expect(book.rules(sandbox: "s").first?.fired == 100)
    }

    @Test func closestIdsSuggestTypos() {
        let ids = ["smartcar.RATE_LIMIT.VEHICLE", "smartcar.RATE_LIMIT.SMARTCAR_API", "dimo.rate-limit"]
        #expect(Closest.ids(to: "smartcar.RATE_LIMT.VEHICLE", in: ids, count: 1) == ["smartcar.RATE_LIMIT.VEHICLE"])
    }
}
