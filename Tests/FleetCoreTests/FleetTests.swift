@testable import FleetCore
import Foundation
import GRDB
import Testing

/// The repository's own fixtures folder.
let repositoryFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures")

func makeFleet() async throws -> Fleet {
    let fleet = Fleet(database: try FleetDatabase.inMemory(), fixtures: FixtureLibrary(directory: repositoryFixtures))
    try await fleet.bootstrapDefault(historyDays: 0)
    return fleet
}

@Suite struct FixtureTests {
    @Test func defaultFixtureLoadsAndCoversTheFleet() throws {
        let doc = try FixtureLibrary(directory: repositoryFixtures).load("default")
        #expect(doc.vehicles.count >= 10)
        #expect(Set(doc.vehicles.map(\.make)).count >= 6)
        #expect(Set(doc.vehicles.map(\.powertrain)) == Set(Powertrain.allCases))
        #expect(doc.owners.count >= 3)
        #expect(try Ethereum.address(privateKey: Hex.decode(doc.dimoLicense.signerPrivateKey) ?? []) == doc.dimoLicense.signerAddress)
    }

    func defaultJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryFixtures.appendingPathComponent("default/fleet.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func decode(_ object: [String: Any]) throws(FixtureError) -> FleetDocument {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return try FixtureLibrary.decode(data, file: "fixtures/broken/fleet.json")
    }

    @Test func badVINNamesFileAndField() throws {
        var object = try defaultJSON()
        var vehicles = try #require(object["vehicles"] as? [[String: Any]])
        vehicles[2]["vin"] = "5YJ3E1EB0NF225522"
        object["vehicles"] = vehicles
        let error = try #require(throws: FixtureError.self) { try decode(object) }
        #expect(error.file == "fixtures/broken/fleet.json")
        #expect(error.field == "vehicles[2].vin")
    }

    @Test func missingFieldIsNamed() throws {
        var object = try defaultJSON()
        var vehicles = try #require(object["vehicles"] as? [[String: Any]])
        var state = try #require(vehicles[1]["state"] as? [String: Any])
        state.removeValue(forKey: "odometerKm")
        vehicles[1]["state"] = state
        object["vehicles"] = vehicles
        let error = try #require(throws: FixtureError.self) { try decode(object) }
        #expect(error.field == "vehicles[1].state.odometerKm")
        #expect(error.description.contains("fixtures/broken/fleet.json"))
    }

    @Test func signerMustMatchItsKey() throws {
        var object = try defaultJSON()
        var license = try #require(object["dimoLicense"] as? [String: Any])
        license["signerAddress"] = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
        object["dimoLicense"] = license
        let error = try #require(throws: FixtureError.self) { try decode(object) }
        #expect(error.field == "dimoLicense.signerAddress")
    }

    @Test func wrongTypeAndUnknownFixture() throws {
        var object = try defaultJSON()
        object["seed"] = "not a number"
        let error = try #require(throws: FixtureError.self) { try decode(object) }
        #expect(error.field == "seed")
        #expect(throws: FixtureError.self) { try FixtureLibrary(directory: repositoryFixtures).load("nope") }
        #expect(throws: FixtureError.self) { try FixtureLibrary(directory: repositoryFixtures).load("../etc") }
    }
}

@Suite struct SandboxTests {
    @Test func defaultSandboxKeepsFixtureIdentities() async throws {
        let fleet = try await makeFleet()
        let doc = try FixtureLibrary(directory: repositoryFixtures).load("default")
        let world = try await fleet.world("default")
        #expect(world.smartcarApp.clientId == doc.smartcarApp.clientId)
        #expect(world.vehicles.map(\.vin) == doc.vehicles.map(\.vin))
        #expect(world.vehicles.map(\.dimoTokenId) == doc.vehicles.map(\.dimoTokenId))
    }

    @Test func newSandboxesHaveUniqueIdentities() async throws {
        let fleet = try await makeFleet()
        let a = try await fleet.createSandbox(SandboxRequest(historyDays: 0))
        let b = try await fleet.createSandbox(SandboxRequest(vehicles: 7, smartcarRedirectUris: ["myapp://done"], historyDays: 0))
        let d = try await fleet.world("default")
        let worlds = [a, b, d]
        #expect(Set(worlds.map(\.smartcarApp.clientId)).count == 3)
        #expect(Set(worlds.map(\.smartcarApp.managementToken)).count == 3)
        #expect(Set(worlds.map(\.dimoLicense.clientId)).count == 3)
        #expect(Set(worlds.map(\.dimoLicense.tokenId)).count == 3)
        let vins = worlds.flatMap { $0.vehicles.map(\.vin) }
        let tokenIds = worlds.flatMap { $0.vehicles.map(\.dimoTokenId) }
        #expect(Set(vins).count == vins.count)
        #expect(Set(tokenIds).count == tokenIds.count)
        #expect(vins.allSatisfy(VIN.isValid))
        #expect(b.vehicles.count == 7)
        #expect(Set(b.vehicles.map(\.powertrain)) == Set(Powertrain.allCases))
        #expect(b.smartcarApp.redirectUris.contains("myapp://done"))
        #expect(try Ethereum.address(privateKey: Hex.decode(a.dimoLicense.signerPrivateKey) ?? []) == a.dimoLicense.signerAddress)
    }

    @Test func sameSeedSameFleet() async throws {
        let fleet = try await makeFleet()
        // Same seed and same start (a running wall clock would give each its own history).
        var request = SandboxRequest(seed: 42, vehicles: 12)
        request.startAt = Date(timeIntervalSince1970: 1_781_234_567)
        request.frozen = true
        let a = try await fleet.createSandbox(request)
        let b = try await fleet.createSandbox(request)
        let sa = try await fleet.vehicles(in: a.sandbox.id).map(\.state)
        let sb = try await fleet.vehicles(in: b.sandbox.id).map(\.state)
        #expect(sa == sb)
        #expect(a.vehicles.map(\.model) == b.vehicles.map(\.model))
        #expect(a.vehicles.map(\.vin) != b.vehicles.map(\.vin))
    }

    @Test func badRequestsAreRejectedWithTheField() async throws {
        let fleet = try await makeFleet()
        await #expect(throws: FleetError.invalid(field: "vehicles", reason: "must be between 1 and 1000")) {
            try await fleet.createSandbox(SandboxRequest(vehicles: 0))
        }
        do {
            _ = try await fleet.createSandbox(SandboxRequest(fixtures: "missing"))
            Issue.record("expected an error")
        } catch let FleetError.invalid(field, _) {
            #expect(field == "fixtures")
        }
        #expect(try await fleet.sandboxes().count == 1)
    }

    @Test func patchResetAndIsolation() async throws {
        let fleet = try await makeFleet()
        let a = try await fleet.createSandbox(SandboxRequest(historyDays: 0))
        let b = try await fleet.createSandbox(SandboxRequest(historyDays: 0))
        let vinA = a.vehicles[0].vin
        let before = try await fleet.vehicle(in: a.sandbox.id, vin: vinA)
        let patched = try await fleet.patchVehicleState(in: a.sandbox.id, vin: vinA, patch: Data(#"{"doors":{"frontLeft":"OPEN"},"cabinTempC":30}"#.utf8))
        #expect(patched.state.doors.frontLeft == .open)
        #expect(patched.state.doors.frontRight == before.state.doors.frontRight)
        #expect(patched.state.cabinTempC == 30)
        // The same fixture vehicle in sandbox b is untouched.
        #expect(try await fleet.vehicle(in: b.sandbox.id, vin: b.vehicles[0].vin).state == before.state)
        // A vehicle of another sandbox is not reachable through this one.
        await #expect(throws: FleetError.self) { try await fleet.vehicle(in: a.sandbox.id, vin: b.vehicles[0].vin) }

        _ = try await fleet.changeClock(a.sandbox.id, .advance(seconds: 7200))
        let reset = try await fleet.resetSandbox(a.sandbox.id)
        #expect(reset.smartcarApp == a.smartcarApp)
        #expect(reset.vehicles.map(\.vin) == a.vehicles.map(\.vin))
        #expect(try await fleet.vehicle(in: a.sandbox.id, vin: vinA).state == before.state)
        #expect(abs(try await fleet.clock(a.sandbox.id).now().timeIntervalSinceNow) < 5)

        try await fleet.deleteSandbox(a.sandbox.id)
        await #expect(throws: FleetError.notFound(kind: "sandbox", id: a.sandbox.id)) { try await fleet.world(a.sandbox.id) }
        #expect(try await fleet.vehicles(in: b.sandbox.id).count == b.vehicles.count)
        let orphans = try await fleet.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vehicleState WHERE vehicleId NOT IN (SELECT id FROM vehicle)") }
        #expect(orphans == 0)
    }

    @Test(arguments: [
        (#"{"doors":{"frontLeft":"AJAR"}}"#, "state.doors.frontLeft"),
        (#"{"stateOfCharge":1.5}"#, "state.stateOfCharge"),
        (#"{"wings":2}"#, "state.wings"),
        (#"{"chargeLimit":0.2}"#, "state.chargeLimit"),
        (#"{"speedKph":50}"#, "state.speedKph"),
        (#"[1,2]"#, "state"),
    ])
    func invalidPatchesChangeNothing(patch: String, field: String) async throws {
        let fleet = try await makeFleet()
        let world = try await fleet.world("default")
        let bev = try #require(world.vehicles.first { $0.powertrain == .bev && true })
        let before = try await fleet.vehicle(in: "default", vin: bev.vin)
        do {
            _ = try await fleet.patchVehicleState(in: "default", vin: bev.vin, patch: Data(patch.utf8))
            Issue.record("expected \(patch) to be rejected")
        } catch let FleetError.invalid(got, _) {
            #expect(got == field)
        }
        #expect(try await fleet.vehicle(in: "default", vin: bev.vin) == before)
    }
}

@Suite struct StoreTests {
    @Test func fileDatabaseUsesWALAndSurvivesReopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-\(UUID().uuidString)/fleet.sqlite").path
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let id: String
        do {
            let db = try FleetDatabase.open(path: path)
            let fleet = Fleet(database: db, fixtures: FixtureLibrary(directory: repositoryFixtures))
            try await fleet.bootstrapDefault(historyDays: 0)
            id = try await fleet.createSandbox(SandboxRequest(vehicles: 3, historyDays: 0)).sandbox.id
            let mode = try await db.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
        let reopened = Fleet(database: try FleetDatabase.open(path: path), fixtures: FixtureLibrary(directory: repositoryFixtures))
        try await reopened.bootstrapDefault(historyDays: 0)
        #expect(try await reopened.world(id).vehicles.count == 3)
        #expect(try await reopened.sandboxes().count == 2)
    }
}
