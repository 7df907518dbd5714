import Foundation
import GRDB

/// Finds which sandbox a credential belongs to (every credential belongs to exactly one).
public struct SandboxLookup: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    /// A Smartcar access token, management token or client id; a DIMO license client id; a DIMO vehicle token id.
    public func sandbox(bearer: String?, smartcarClientId: String?, dimoClientId: String?, dimoTokenId: Int64?) async throws -> String? {
        try await fleet.database.read { db in
            if let bearer {
                if let id = try String.fetchOne(db, sql: "SELECT sandboxId FROM smartcarToken WHERE accessToken = ?", arguments: [bearer]) { return id }
                if let id = try String.fetchOne(db, sql: "SELECT sandboxId FROM smartcarApp WHERE managementToken = ?", arguments: [bearer]) { return id }
            }
            if let smartcarClientId,
               let id = try String.fetchOne(db, sql: "SELECT sandboxId FROM smartcarApp WHERE clientId = ?", arguments: [smartcarClientId]) { return id }
            if let dimoClientId,
               let id = try String.fetchOne(db, sql: "SELECT sandboxId FROM dimoLicense WHERE lower(clientId) = lower(?)", arguments: [dimoClientId]) { return id }
            if let dimoTokenId,
               let id = try String.fetchOne(db, sql: "SELECT sandboxId FROM vehicle WHERE dimoTokenId = ?", arguments: [dimoTokenId]) { return id }
            return nil
        }
    }

    /// The sandbox clock's now, or real time for an unknown sandbox.
    public func now(sandbox: String) async -> Date {
        (try? await fleet.clock(sandbox).now()) ?? Date()
    }
}
