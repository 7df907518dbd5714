@testable import FleetCore
import GRDB
import Testing

/// The vehicle-keyed tables keep one index per lookup: the composite ones serve `vehicleId` alone too.
@Suite struct IndexTests {
    @Test(arguments: ["telemetrySample", "vehicleEvent", "trip"])
    func compositeIndexServesVehicleLookups(_ table: String) throws {
        let queue = try DatabaseQueue()
        try Migrations.migrator.migrate(queue)
        try queue.read { db in
            let names = try db.indexes(on: table).map(\.name)
            #expect(!names.contains("\(table)_on_vehicleId"))
            // The delete cascade from a vehicle, and every per-vehicle read, still find an index.
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM \(table) WHERE vehicleId = 1")
                .map { $0["detail"] as String }.joined(separator: " ")
            #expect(plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX") || plan.contains("USING PRIMARY KEY"), "\(plan)")
        }
    }
}
