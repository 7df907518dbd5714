import FleetCore
import Synchronization
import Testing

@Suite struct AsyncGateTests {
    /// Counts the tasks inside the gate and the most there ever were.
    final class Occupancy: Sendable {
        private let counts = Mutex((inside: 0, most: 0, done: 0))

        func enter() { counts.withLock { $0.inside += 1; $0.most = max($0.most, $0.inside) } }
        func leave() { counts.withLock { $0.inside -= 1; $0.done += 1 } }
        var most: Int { counts.withLock { $0.most } }
        var done: Int { counts.withLock { $0.done } }
    }

    @Test func neverLetsMoreThanItsLimitThrough() async {
        let gate = AsyncGate(limit: 3)
        let occupancy = Occupancy()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await gate.run {
                        occupancy.enter()
                        // Give the other tasks every chance to pile in while this one is inside.
                        for _ in 0..<20 { await Task.yield() }
                        occupancy.leave()
                    }
                }
            }
        }
        #expect(occupancy.done == 40)
        #expect(occupancy.most <= 3)
        #expect(occupancy.most >= 1)
        #expect(gate.waiting == 0)
    }

    @Test func freesItsPlaceWhenTheBodyThrows() async {
        struct Failure: Error {}
        let gate = AsyncGate(limit: 1)
        for _ in 0..<3 {
            await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
        }
        // With the place freed each time, this runs instead of waiting for ever.
        #expect(await gate.run { 42 } == 42)
    }
}
