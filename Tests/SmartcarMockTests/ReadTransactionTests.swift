import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// What one request costs the store, counted through GRDB's statement trace.
@Suite struct ReadTransactionTests {
    /// The statements a database executed, in order.
    final class StatementLog: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        func clear() { lines.withLock { $0.removeAll() } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A server whose database reports every statement to the log.
    func withTracedServer(_ body: @escaping @Sendable (any TestClientProtocol, StatementLog) async throws -> Void) async throws {
        let statements = StatementLog()
        let database = try FleetDatabase.inMemory { sql in statements.append(sql) }
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: repositoryFixtures))
        try await fleet.bootstrapDefault(historyDays: 0)
        let services = try FleetServices(fleet: fleet, journal: Journal(), historyDays: 0)
        let app = buildApplication(testConfiguration(), services: services)
        try await app.test(.router) { client in try await body(client, statements) }
    }

    /// The statements between each BEGIN and its COMMIT or ROLLBACK.
    static func transactions(_ statements: [String]) -> [[String]] {
        var result: [[String]] = []
        var current: [String]?
        for statement in statements {
            let upper = statement.uppercased()
            if upper.hasPrefix("BEGIN") { current = [] } else if upper.hasPrefix("COMMIT") || upper.hasPrefix("ROLLBACK") {
                if let done = current { result.append(done) }
                current = nil
            } else {
                current?.append(statement)
            }
        }
        return result
    }

    /// A read by the webhook dispatchers, which react to a committed change in the background (not the request's).
    static func isWebhookDispatch(_ transaction: [String]) -> Bool {
        transaction.contains { $0.contains("smartcarWebhook") || $0.contains("dimoWebhook") }
    }

    @Test func aSmartcarDataReadIsAtMostOneReadTransactionAndWritesNothing() async throws {
        try await withTracedServer { client, statements in
            let sandbox = try await client.makeSandbox()
            let vehicle = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: vehicle, scopes: ["read_odometer", "read_battery"])
            let path = "/v2.0/vehicles/\(vehicle.smartcarId)/odometer"
            // The first read fills the directory (credential, sandbox, grant, the car's state).
            #expect(try await client.request(.get, path, headers: bearer(token)).status == .ok)

            func traced(_ endpoint: String) async throws -> (body: [String: Any], transactions: Int, writes: [String]) {
                statements.clear()
                let response = try await client.request(.get, "/v2.0/vehicles/\(vehicle.smartcarId)/\(endpoint)", headers: bearer(token))
                #expect(response.status == .ok)
                let seen = statements.all
                let writes = seen.filter { ["INSERT", "UPDATE", "DELETE"].contains(String($0.uppercased().prefix(6))) }
                return (response.json, Self.transactions(seen).filter { !Self.isWebhookDispatch($0) }.count, writes)
            }
            for endpoint in ["odometer", "battery"] {
                let warm = try await traced(endpoint)
                #expect(warm.transactions == 0, "\(endpoint): answered from the directory")
                #expect(warm.writes.isEmpty, "\(endpoint): \(warm.writes)")
            }
            // A write to the car's state drops its cached reading: the next read sees the new value, in one transaction.
            try await client.patchState(sandbox, vin: vehicle.vin, #"{"odometerKm": 12345.6}"#)
            let cold = try await traced("odometer")
            let coldStatements = statements.all
            #expect(cold.transactions == 1, "\(coldStatements)")
            #expect(cold.writes.isEmpty)
            #expect(approximately(number(cold.body["distance"]), 12345.6, tolerance: 0.01), "\(cold.body)")
            #expect(try await traced("odometer").transactions == 0)
        }
    }

    @Test func aRevokedTokenIsRefusedRightAfterTheCachedGrantServedIt() async throws {
        try await withTracedServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let vehicle = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: vehicle, scopes: ["read_odometer"])
            let path = "/v2.0/vehicles/\(vehicle.smartcarId)/odometer"
            #expect(try await client.request(.get, path, headers: bearer(token)).status == .ok)
            // Disconnecting revokes the token: the directory must forget the grant it cached.
            let disconnected = try await client.request(.delete, "/v2.0/vehicles/\(vehicle.smartcarId)/application", headers: bearer(token))
            #expect(disconnected.status == .ok)
            let after = try await client.request(.get, path, headers: bearer(token))
            #expect(after.status == .unauthorized)
        }
    }
}
