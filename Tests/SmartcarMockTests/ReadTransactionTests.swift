import FleetCore
import FleetServer
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

    @Test func aSmartcarDataReadIsOneReadTransactionAndWritesNothing() async throws {
        try await withTracedServer { client, statements in
            let sandbox = try await client.makeSandbox()
            let vehicle = try sandbox.vehicle(model: "Model 3")
            let token = try await connect(client, sandbox: sandbox, vehicle: vehicle, scopes: ["read_odometer", "read_battery"])
            let path = "/v2.0/vehicles/\(vehicle.smartcarId)/odometer"
            // The first read fills the directory (credential, sandbox, grant).
            let first = try await client.request(.get, path, headers: bearer(token))
            #expect(first.status == .ok)
            for endpoint in ["odometer", "battery"] {
                statements.clear()
                let response = try await client.request(.get, "/v2.0/vehicles/\(vehicle.smartcarId)/\(endpoint)", headers: bearer(token))
                #expect(response.status == .ok)
                let seen = statements.all
                let transactions = seen.filter { $0.uppercased().hasPrefix("BEGIN") }
                #expect(transactions.count == 1, "\(endpoint): \(seen)")
                let writes = seen.filter { ["INSERT", "UPDATE", "DELETE"].contains(String($0.uppercased().prefix(6))) }
                #expect(writes.isEmpty, "\(endpoint): \(writes)")
            }
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
