import Foundation
import GRDB

/// A conversational agent of DIMO's Agents (Conversations) API, owned by a sandbox's developer license.
/// The agent's `DIMO_API_KEY` secret is checked at creation and never stored.
public struct DIMOAgentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "dimoAgent"
    /// `agent-` and 16 lower-case hex digits.
    public var id: String
    public var sandboxId: String
    /// The license (its client id) that created the agent.
    public var clientId: String
    /// `driver_agent_v1`, …
    public var type: String
    public var personality: String
    /// The `USER_WALLET` variable: the owner whose vehicles the agent speaks about.
    public var userWallet: String
    /// The `VEHICLE_IDS` variable (token ids), or nil for every vehicle the user owns.
    public var vehicleIds: [Int64]?
    public var createdAt: Date

    public init(id: String, sandboxId: String, clientId: String, type: String, personality: String, userWallet: String,
                vehicleIds: [Int64]?, createdAt: Date) {
        self.id = id
        self.sandboxId = sandboxId
        self.clientId = clientId
        self.type = type
        self.personality = personality
        self.userWallet = userWallet
        self.vehicleIds = vehicleIds
        self.createdAt = createdAt
    }
}

/// One message of an agent's conversation.
public struct DIMOAgentMessageRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "dimoAgentMessage"
    public var id: Int64?
    public var agentId: String
    /// `user` or `agent`.
    public var role: String
    public var content: String
    public var createdAt: Date

    public init(id: Int64? = nil, agentId: String, role: String, content: String, createdAt: Date) {
        self.id = id
        self.agentId = agentId
        self.role = role
        self.content = content
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Storage of the Agents API: agents per sandbox and license, and their conversations. No HTTP here.
public struct AgentStore: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    var database: any DatabaseWriter { fleet.database }

    /// Inserts an agent.
    public func create(_ record: DIMOAgentRecord) async throws {
        try await database.write { db in try record.insert(db) }
    }

    /// One agent of a license; nil when there is none with this id or another license (or sandbox) owns it.
    public func agent(id: String, sandboxId: String, clientId: String) async throws -> DIMOAgentRecord? {
        try await database.read { db in
            guard let record = try DIMOAgentRecord.fetchOne(db, key: id), record.sandboxId == sandboxId,
                  record.clientId.lowercased() == clientId.lowercased() else { return nil }
            return record
        }
    }

    /// Deletes an agent and (by cascade) its conversation; false when there was none.
    public func delete(id: String) async throws -> Bool {
        try await database.write { db in try DIMOAgentRecord.deleteOne(db, key: id) }
    }

    /// Appends a user message and the agent's reply in one transaction; false when the agent is gone.
    public func appendExchange(agentId: String, message: String, reply: String, at date: Date) async throws -> Bool {
        try await database.write { db in
            guard try DIMOAgentRecord.fetchOne(db, key: agentId) != nil else { return false }
            var asked = DIMOAgentMessageRecord(agentId: agentId, role: "user", content: message, createdAt: date)
            try asked.insert(db)
            var answered = DIMOAgentMessageRecord(agentId: agentId, role: "agent", content: reply, createdAt: date)
            try answered.insert(db)
            return true
        }
    }

    /// The newest `limit` messages of an agent, newest first, and how many it has in all.
    public func history(agentId: String, limit: Int) async throws -> (messages: [DIMOAgentMessageRecord], total: Int) {
        try await database.read { db in
            let all = DIMOAgentMessageRecord.filter(Column("agentId") == agentId)
            let messages = try all.order(Column("id").desc).limit(max(0, limit)).fetchAll(db)
            return (messages, try all.fetchCount(db))
        }
    }
}
