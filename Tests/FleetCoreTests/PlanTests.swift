import FleetCore
import Foundation
import GRDB
import Testing

/// Explicit plans: a car driven to a point, plugged in, put to sleep, instead of its routine.
@Suite struct PlanTests {
    /// A frozen sandbox and one of its vehicles of a powertrain.
    func frozen(_ powertrain: Powertrain) async throws -> (Fleet, String, VehicleSnapshot) {
        let fleet = try await makeFleet()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 3, vehicles: 8, historyDays: 0))
        let id = world.sandbox.id
        _ = try await fleet.changeClock(id, .freeze(true))
        let vehicle = try #require(world.vehicles.first { $0.powertrain == powertrain })
        return (fleet, id, try await fleet.vehicle(in: id, vin: vehicle.vin))
    }

    @Test func driveToAPointThenPlugInAndCharge() async throws {
        let (fleet, id, before) = try await frozen(.bev)
        _ = try await fleet.patchVehicleState(in: id, vin: before.vehicle.vin, patch: Data(#"{"stateOfCharge": 0.4, "chargeLimit": 0.9}"#.utf8))
        let target = (before.state.latitude + 0.08, before.state.longitude + 0.05)
        let plan = try await fleet.setPlan(in: id, vin: before.vehicle.vin, PlanRequest(steps: [
            .drive(latitude: target.0, longitude: target.1, speedKph: 45), .plugIn, .open(.chargingPort), .wait(seconds: 3 * 3600),
        ]))
        let drive = try #require(plan.steps.first)
        let km = try #require(drive.distanceKm)
        #expect(km > 5 && km < 20)
        #expect(abs(drive.end.timeIntervalSince(drive.at) - (km / 45 * 3600).rounded()) < 2)
        #expect(plan.endsAt.timeIntervalSince(plan.steps[1].at) == 3 * 3600)

        _ = try await fleet.changeClock(id, .advance(seconds: 2 * 3600))
        let after = try await fleet.vehicle(in: id, vin: before.vehicle.vin)
        #expect(after.state.latitude == target.0 && after.state.longitude == target.1)
        #expect(abs(after.state.odometerKm - before.state.odometerKm - km) < 1e-3)
        #expect(after.state.isPluggedIn && after.state.chargeState == .charging)
        #expect(after.state.speedKph == 0 && !after.state.ignitionOn)
        let soc = try #require(after.state.stateOfCharge)
        #expect(soc > 0.3 && soc < 0.9)
        let vehicleId = try #require(after.vehicle.id)
        let trips = try await fleet.trips(vehicleId: vehicleId, from: .distantPast, to: .distantFuture)
        #expect(trips.count == 1 && abs((trips.first?.distanceKm ?? 0) - km) < 1e-9)
        let events = try await fleet.events(vehicleId: vehicleId, from: .distantPast, to: .distantFuture).map(\.name)
        #expect(events.contains("ignitionOn"), "\(events)")
        #expect(events.contains("ignitionOff") && events.contains("chargingStarted"), "\(events)")
        // The routine stays suspended: a day later the car is still where the plan left it.
        _ = try await fleet.changeClock(id, .advance(seconds: 86400))
        let dayLater = try await fleet.vehicle(in: id, vin: before.vehicle.vin)
        #expect(dayLater.state.latitude == target.0 && dayLater.state.odometerKm == after.state.odometerKm)
        #expect(dayLater.state.chargeState == .fullyCharged && dayLater.state.stateOfCharge == 0.9)
    }

    @Test func stepsDueNowHappenAtOnce() async throws {
        let (fleet, id, before) = try await frozen(.ice)
        let plan = try await fleet.setPlan(in: id, vin: before.vehicle.vin, PlanRequest(steps: [.unlock, .open(.doorFrontLeft), .open(.trunk)]))
        #expect(plan.steps.allSatisfy { $0.applied })
        let after = try await fleet.vehicle(in: id, vin: before.vehicle.vin)
        #expect(!after.state.isLocked && after.state.doors.frontLeft == .open && after.state.trunk == .open)
        // And they are not done twice when the clock moves on.
        _ = try await fleet.changeClock(id, .advance(seconds: 3600))
        let stored = try #require(try await fleet.plan(in: id, vin: before.vehicle.vin))
        #expect(stored == plan)
    }

    @Test func deepSleepStopsReportingUntilRemoved() async throws {
        let (fleet, id, before) = try await frozen(.phev)
        let vehicleId = try #require(before.vehicle.id)
        let start = try await fleet.clock(id).now()
        _ = try await fleet.setPlan(in: id, vin: before.vehicle.vin, PlanRequest(steps: [.sleep]))
        #expect(try await fleet.isAsleep(vehicleId: vehicleId, at: start))
        _ = try await fleet.changeClock(id, .advance(seconds: 12 * 3600))
        let samples = try await fleet.samples(vehicleId: vehicleId, name: "exteriorAirTemperature", from: start.addingTimeInterval(1), to: .distantFuture)
        #expect(samples.isEmpty, "a sleeping car reports nothing: \(samples.count) samples")
        #expect(try await fleet.removePlan(in: id, vin: before.vehicle.vin))
        #expect(try await fleet.isAsleep(vehicleId: vehicleId, at: start.addingTimeInterval(12 * 3600)) == false)
        #expect(try await fleet.removePlan(in: id, vin: before.vehicle.vin) == false)
        _ = try await fleet.changeClock(id, .advance(seconds: 12 * 3600))
        let awake = try await fleet.samples(vehicleId: vehicleId, name: "exteriorAirTemperature", from: start.addingTimeInterval(12 * 3600 + 1), to: .distantFuture)
        #expect(!awake.isEmpty)
    }

    @Test func aPlanThatResumesTheRoutineIsRemovedWhenDone() async throws {
        let (fleet, id, before) = try await frozen(.hev)
        _ = try await fleet.setPlan(in: id, vin: before.vehicle.vin, PlanRequest(steps: [.lock, .wait(seconds: 1800)], resumeRoutine: true))
        _ = try await fleet.changeClock(id, .advance(seconds: 600))
        #expect(try await fleet.plan(in: id, vin: before.vehicle.vin) != nil)
        _ = try await fleet.changeClock(id, .advance(seconds: 3600))
        #expect(try await fleet.plan(in: id, vin: before.vehicle.vin) == nil)
    }

    @Test func badPlansNameTheField() async throws {
        let (fleet, id, ice) = try await frozen(.ice)
        let now = try await fleet.clock(id).now()
        let cases: [(PlanRequest, String)] = [
            (PlanRequest(steps: []), "steps"),
            (PlanRequest(steps: [.lock, .plugIn]), "steps[1]"),
            (PlanRequest(steps: [.open(.chargingPort)]), "steps[0]"),
            (PlanRequest(steps: [.drive(latitude: 91, longitude: 0, speedKph: 40)]), "steps[0].drive.to"),
            (PlanRequest(steps: [.drive(latitude: 10, longitude: 10, speedKph: 0)]), "steps[0].drive.speedKph"),
            (PlanRequest(steps: [.wait(seconds: 0)]), "steps[0].wait"),
            (PlanRequest(steps: [.lock], startAt: now.addingTimeInterval(-60)), "startAt"),
        ]
        for (request, field) in cases {
            do {
                _ = try await fleet.setPlan(in: id, vin: ice.vehicle.vin, request)
                Issue.record("accepted a plan that should fail at \(field)")
            } catch let FleetError.invalid(got, _) {
                #expect(got == field)
            }
        }
        #expect(try await fleet.plan(in: id, vin: ice.vehicle.vin) == nil)
    }
}
