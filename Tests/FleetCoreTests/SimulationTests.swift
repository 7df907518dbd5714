@testable import FleetCore
import Foundation
import GRDB
import Testing

@Suite struct SimulationTests {
    func samples(_ fleet: Fleet, _ vehicleId: Int64, _ name: String) async throws -> [TelemetrySample] {
        try await fleet.samples(vehicleId: vehicleId, name: name, from: .distantPast, to: .distantFuture)
    }

    @Test func historyAndAdvanceKeepThePhysicalInvariants() async throws {
        let fleet = try await makeFleet()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 11, vehicles: 8, historyDays: 10))
        let id = world.sandbox.id
        _ = try await fleet.changeClock(id, .advance(seconds: 5 * 86400))
        for snapshot in try await fleet.vehicles(in: id) {
            let vehicleId = try #require(snapshot.vehicle.id)
            // The odometer never decreases.
            let odometer = try await samples(fleet, vehicleId, "powertrainTransmissionTravelledDistance").map { $0.valueNumber ?? 0 }
            #expect(odometer.count > 10)
            #expect(zip(odometer, odometer.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 }, "\(snapshot.vehicle.vin)")
            // State of charge stays in [0, 100] and never passes the limit.
            let soc = try await samples(fleet, vehicleId, "powertrainTractionBatteryStateOfChargeCurrent").compactMap(\.valueNumber)
            #expect(soc.allSatisfy { $0 >= 0 && $0 <= 100 })
            if snapshot.vehicle.powertrain.isPlugIn {
                #expect(soc.allSatisfy { $0 <= max(snapshot.state.chargeLimit * 100, soc.first ?? 0) + 1e-6 })
            }
            // A charging car is plugged in; a parked car has no speed.
            if snapshot.state.chargeState == .charging { #expect(snapshot.state.isPluggedIn) }
            if !snapshot.state.ignitionOn { #expect(snapshot.state.speedKph == 0) }
            // Position changes only across a moving stretch: every trip's distance shows on the odometer.
            let trips = try await fleet.trips(vehicleId: vehicleId, from: .distantPast, to: .distantFuture)
            let tripKm = trips.reduce(0) { $0 + $1.distanceKm }
            if let first = odometer.first, let last = odometer.last {
                #expect(last - first >= tripKm * 0.5 - 1, "\(snapshot.vehicle.vin): \(last - first) km driven vs \(tripKm) km of trips")
            }
            for trip in trips { #expect(trip.startTime < trip.endTime && trip.distanceKm > 0) }
        }
    }

    @Test func sameSeedSameHistory() async throws {
        // History is a function of the seed *and* the start time: two sandboxes made on a running wall
        // clock a few milliseconds apart may cut a drive in progress differently, so the start is pinned.
        let fleet = try await makeFleet()
        func request(seed: UInt64) -> SandboxRequest {
            var request = SandboxRequest(seed: seed, vehicles: 4, historyDays: 5)
            request.startAt = Date(timeIntervalSince1970: 1_781_234_567.5)
            request.frozen = true
            return request
        }
        let a = try await fleet.createSandbox(request(seed: 99))
        let b = try await fleet.createSandbox(request(seed: 99))
        let c = try await fleet.createSandbox(request(seed: 100))
        func fingerprint(_ world: SandboxWorld) async throws -> [[Double]] {
            var out: [[Double]] = []
            for vehicle in world.vehicles {
                let trips = try await fleet.trips(vehicleId: vehicle.id ?? 0, from: .distantPast, to: .distantFuture)
                out.append(trips.map { ($0.distanceKm * 1000).rounded() })
            }
            return out
        }
        #expect(try await fingerprint(a) == fingerprint(b))
        #expect(try await fingerprint(a) != fingerprint(c))
    }

    @Test func chargingTapersToTheLimitAndStops() async throws {
        let fleet = try await makeFleet()
        // A pinned start (not the wall clock), so the hours advanced below are the same on every run.
        var request = SandboxRequest(seed: 5, vehicles: 4, historyDays: 0)
        request.startAt = Date(timeIntervalSince1970: 1_781_229_600)
        request.frozen = true
        let world = try await fleet.createSandbox(request)
        let bev = try #require(world.vehicles.first { $0.powertrain == .bev })
        _ = try await fleet.patchVehicleState(in: world.sandbox.id, vin: bev.vin,
            patch: Data(#"{"stateOfCharge": 0.3, "chargeLimit": 0.8, "isPluggedIn": true, "chargeState": "CHARGING"}"#.utf8))
        // Keep the car home: advance in the middle of the night, for a few hours.
        _ = try await fleet.changeClock(world.sandbox.id, .advance(seconds: 3 * 3600))
        let after = try await fleet.vehicle(in: world.sandbox.id, vin: bev.vin)
        let soc = try #require(after.state.stateOfCharge)
        #expect(soc > 0.3)
        #expect(soc <= 0.8 + 1e-9)
        if soc >= 0.8 - 1e-9 { #expect(after.state.chargeState != .charging) }
    }

    /// A car found parked while its routine has it mid-drive (a new sandbox's fixture state, or a patch that
    /// parks it) stays parked: it never rolls on with its ignition off.
    @Test func aParkedCarDoesNotResumeADriveInProgress() async throws {
        let fleet = try await makeFleet()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 21, vehicles: 6, historyDays: 0))
        let id = world.sandbox.id
        _ = try await fleet.changeClock(id, .freeze(true))
        var parkedMidDrive = 0
        for _ in 0..<(2 * 24 * 4) {
            _ = try await fleet.changeClock(id, .advance(seconds: 900))
            for snapshot in try await fleet.vehicles(in: id) {
                #expect(snapshot.state.ignitionOn || snapshot.state.speedKph == 0, "\(snapshot.vehicle.vin) moves with its ignition off")
                if snapshot.state.ignitionOn {
                    // Park it where it is, mid-leg.
                    _ = try await fleet.patchVehicleState(in: id, vin: snapshot.vehicle.vin, patch: Data(#"{"ignitionOn": false, "speedKph": 0}"#.utf8))
                    parkedMidDrive += 1
                }
            }
        }
        #expect(parkedMidDrive > 0, "the two days had drives to interrupt")
    }

    /// Trouble codes come and go on their own over a month: each set and clear is an event and a sample,
    /// and the same month played in one jump or day by day ends with the same codes and odometers.
    @Test func troubleCodesAppearAndClearTheSameWayHoweverTheMonthIsPlayed() async throws {
        let fleet = try await makeFleet()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var request = SandboxRequest(seed: 77, vehicles: 12, historyDays: 0)
        request.startAt = start
        request.frozen = true
        let oneJump = try await fleet.createSandbox(request)
        let dayByDay = try await fleet.createSandbox(request)
        _ = try await fleet.changeClock(oneJump.sandbox.id, .advance(seconds: 30 * 86400))
        for _ in 0..<30 { _ = try await fleet.changeClock(dayByDay.sandbox.id, .advance(seconds: 86400)) }

        let a = try await fleet.vehicles(in: oneJump.sandbox.id), b = try await fleet.vehicles(in: dayByDay.sandbox.id)
        #expect(a.count == b.count)
        var sets = 0, clears = 0
        for (x, y) in zip(a, b) {
            #expect(x.state.troubleCodes == y.state.troubleCodes, "\(x.vehicle.vin)")
            #expect(abs(x.state.odometerKm - y.state.odometerKm) < 1e-6, "\(x.vehicle.vin)")
            let vehicleId = try #require(x.vehicle.id)
            let events = try await fleet.events(vehicleId: vehicleId, from: .distantPast, to: .distantFuture)
            var active: [String] = []
            for event in events where event.name == "dtcSet" || event.name == "dtcCleared" {
                let code = try #require(event.metadata.flatMap { JSONValue.parse(Data($0.utf8)) }?["code"]?.stringValue)
                if event.name == "dtcSet" { active.append(code); sets += 1 } else { active.removeAll { $0 == code }; clears += 1 }
            }
            #expect(active == (x.state.troubleCodes ?? []).map(\.code), "\(x.vehicle.vin): events \(active) vs state")
            let list = try await fleet.samples(vehicleId: vehicleId, name: "obdDTCList", from: .distantPast, to: .distantFuture)
            #expect(list.last?.valueString == "[" + active.map { "\"\($0)\"" }.joined(separator: ",") + "]")
            // A 12 V battery stays in its band.
            #expect(x.state.lowVoltageBatteryV >= 11.0 && x.state.lowVoltageBatteryV <= 14.1)
        }
        #expect(sets > 0 && clears > 0, "a month of 12 cars sets and clears codes (\(sets) set, \(clears) cleared)")
    }

    /// A reset makes the sandbox again as it was made: its start clock, its days of history, its states.
    @Test func resetRestoresTheStartClockAndHistory() async throws {
        let fleet = try await makeFleet()
        var request = SandboxRequest(seed: 8, vehicles: 5, historyDays: 2)
        request.startAt = Date(timeIntervalSince1970: 1_790_000_000)
        request.frozen = true
        let world = try await fleet.createSandbox(request)
        let id = world.sandbox.id
        let before = try await fleet.vehicles(in: id)
        let vehicleId = try #require(before.first?.vehicle.id)
        let pastSamples = try await fleet.samples(vehicleId: vehicleId, name: "powertrainTransmissionTravelledDistance", from: .distantPast, to: .distantFuture)
        _ = try await fleet.changeClock(id, .advance(seconds: 3 * 86400))
        _ = try await fleet.resetSandbox(id)
        #expect(try await fleet.clock(id).now() == request.startAt)
        #expect(try await fleet.clock(id).isFrozen)
        let after = try await fleet.vehicles(in: id)
        #expect(after.map(\.state) == before.map(\.state))
        let newId = try #require(after.first?.vehicle.id)
        let again = try await fleet.samples(vehicleId: newId, name: "powertrainTransmissionTravelledDistance", from: .distantPast, to: .distantFuture)
        #expect(again.map(\.valueNumber) == pastSamples.map(\.valueNumber) && again.map(\.timestamp) == pastSamples.map(\.timestamp))
    }
}

/// AC at home, DC fast charging away from it.
@Suite struct ChargingCurveTests {
    @Test func dcFastChargingAwayFromHomeIsFasterAndStopsAtEightyPercent() async throws {
        let fleet = try await makeFleet()
        let world = try await fleet.createSandbox(SandboxRequest(seed: 12, vehicles: 6, historyDays: 0))
        let bev = try #require(world.vehicles.first { $0.powertrain == .bev })
        let snapshot = try await fleet.vehicle(in: world.sandbox.id, vin: bev.vin)
        var start = snapshot.state
        start.stateOfCharge = 0.2
        start.chargeLimit = 0.9
        start.isPluggedIn = true
        start.chargeState = .charging
        start.ignitionOn = false
        start.speedKph = 0
        let here = (start.latitude, start.longitude)
        let t0 = Date(timeIntervalSince1970: 1_785_000_000)
        let initial = start
        let (ac, dc) = try await fleet.database.write { db -> (VehicleState, VehicleState) in
            let writer = try Simulator.Writer(db)
            var atHome = initial, away = initial
            try Simulator.park(bev, &atHome, from: t0, to: t0.addingTimeInterval(3600), home: here, writer: writer)
            try Simulator.park(bev, &away, from: t0, to: t0.addingTimeInterval(3600), home: Geo.offset(here, km: 30, bearing: 1), writer: writer)
            return (atHome, away)
        }
        let acSoc = try #require(ac.stateOfCharge), dcSoc = try #require(dc.stateOfCharge)
        #expect(acSoc > 0.2 && acSoc < 0.4, "an hour at 7.2 kW: \(acSoc)")
        #expect(ac.chargeState == .charging)
        #expect(dcSoc == 0.8 && dc.chargeState == .fullyCharged, "an hour on a 150 kW charger ends at 80 %: \(dcSoc)")
    }
}
