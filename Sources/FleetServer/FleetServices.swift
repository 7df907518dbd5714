import DIMOMock
import FleetCore
import Foundation
import GRDB

/// The long-lived parts of a server, shared by every route.
public struct FleetServices: Sendable {
    public let fleet: Fleet
    public let journal: Journal
    /// DIMO's surface, built once: its GraphQL schemas are compiled at start.
    public let dimo: DIMORoutes
    /// Every sandbox's fault rules.
    public let faults: FaultBook
    /// Days of simulated past for sandboxes whose request does not say.
    public let historyDays: Int
    /// Every webhook delivery attempt, per sandbox.
    public let webhookLog: WebhookDeliveryLog
    /// Retries, backoff and timeout of webhook deliveries.
    public let webhookPolicy: WebhookPolicy
    /// When each sandbox was last used (for `--sandbox-idle-expiry`).
    public let activity: SandboxActivity

    public init(fleet: Fleet, journal: Journal, historyDays: Int = 30, webhookPolicy: WebhookPolicy = WebhookPolicy()) throws {
        self.fleet = fleet
        self.journal = journal
        self.historyDays = historyDays
        self.webhookPolicy = webhookPolicy
        dimo = DIMORoutes(fleet: fleet)
        faults = FaultBook()
        webhookLog = WebhookDeliveryLog()
        activity = SandboxActivity()
    }

    /// Deletes a sandbox and everything kept of it outside the database (journal, fault rules, webhook log).
    public func deleteSandbox(_ id: String) async throws {
        try await fleet.deleteSandbox(id)
        journal.clear(sandbox: id)
        faults.clear(sandbox: id)
        webhookLog.clear(sandbox: id)
        activity.forget(id)
    }

    var webhookSender: WebhookSender { WebhookSender(fleet: fleet, log: webhookLog, policy: webhookPolicy) }
    var smartcarWebhooks: SmartcarWebhookDispatcher { SmartcarWebhookDispatcher(fleet: fleet, sender: webhookSender) }
    var dimoTriggers: DIMOTriggerDispatcher { DIMOTriggerDispatcher(fleet: fleet) }

    /// Opens the database, checks the fixtures and makes sure the default sandbox exists.
    public static func start(_ configuration: ServerConfiguration) async throws -> FleetServices {
        let database: any DatabaseWriter
        switch configuration.storage {
        case .memory: database = try FleetDatabase.inMemory()
        case .file(let path): database = try FleetDatabase.open(path: path)
        }
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: configuration.fixturesDirectory))
        // The default sandbox's 30-day past is written right after the server starts listening.
        try await fleet.bootstrapDefault(historyDays: 0)
        return try FleetServices(fleet: fleet, journal: Journal(), historyDays: configuration.historyDays,
                                 webhookPolicy: WebhookPolicy(baseDelay: configuration.webhookRetryDelay, allowedHosts: configuration.webhookHosts))
    }

    /// Fills in the default sandbox's simulated past (deferred so startup stays fast).
    public func completeBootstrap() async {
        guard historyDays > 0 else { return }
        try? await fleet.writeHistory(Fleet.defaultSandboxId, days: historyDays)
    }
}
