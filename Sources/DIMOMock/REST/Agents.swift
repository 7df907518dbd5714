import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import NIOCore

/// DIMO's Agents API (the Python SDK's `conversations`, `conversations-api.dimo.zone` / `agents.dimo.zone`):
/// conversational agents a developer license creates for a user's vehicles. Every `/agents` route takes the
/// developer JWT as a bearer token; errors are `{"error": "…"}`.
///
/// Not simulated: the language model. Replies are composed from the fleet's state by `AgentReplies`
/// (same question, same state, same answer), and say so when a question is outside what they cover.
struct Agents: Sendable {
    let fleet: Fleet
    let access: DIMOAccess
    let developerTokens: JWTIssuer

    var store: AgentStore { AgentStore(fleet: fleet) }

    static let types: Set<String> = ["driver_agent_v1"]
    static let personalities = ["uncle_mechanic", "master_technician", "concierge", "driving_enthusiast", "fleet_manager_pro"]
    static let historyLimits = 1...1000

    /// The service's error body: `{"error": "…"}`.
    static func error(_ status: Int, _ message: String) -> Response {
        Responses.json(.object([("error", .string(message))]), status: .init(code: status))
    }

    /// The standard reason phrase of a status (for injected status faults), else `HTTP <status>`.
    static func reasonPhrase(_ status: Int) -> String {
        let phrases = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                       408: "Request Timeout", 409: "Conflict", 422: "Unprocessable Entity", 429: "Too Many Requests",
                       500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"]
        return phrases[status] ?? "HTTP \(status)"
    }

    /// `GET /`: the health check.
    static func health() -> Response {
        Responses.json(.object([("status", "healthy"), ("version", "1.0.0"), ("proxy", "active"), ("default_model", "fleetmock-fleet-rules")]))
    }

    /// The license and sandbox a request acts for.
    struct Caller: Sendable {
        let license: DIMOLicenseRecord
        let sandbox: SandboxRecord
        var now: Date { sandbox.clock.now() }
    }

    /// The bearer developer JWT, verified on the license's sandbox clock.
    func authorize(_ request: Request) async throws -> Result<Caller, ResponseError> {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            return .failure(ResponseError(Self.error(401, "Missing or invalid Authorization header")))
        }
        switch try await TokenExchange.developer(request, access: access, tokens: developerTokens) {
        case .failure:
            return .failure(ResponseError(Self.error(401, "Invalid or expired developer JWT")))
        case .success(let (license, sandbox, _)):
            return .success(Caller(license: license, sandbox: sandbox))
        }
    }

    /// Every path under `/agents`: the route first (404/405), then the JWT, then the agent.
    func handle(_ request: Request, path: String, body: Data, scope: RequestScope) async throws -> Response {
        let rest = path.split(separator: "/").dropFirst().map { String($0).removingPercentEncoding ?? String($0) }
        let method = request.method
        let allowed: HTTPRequest.Method
        switch rest.count {
        case 0: allowed = .post
        case 1: allowed = .delete
        case 2 where rest[1] == "message" || rest[1] == "stream": allowed = .post
        case 2 where rest[1] == "history": allowed = .get
        default: return Self.error(404, "Not Found")
        }
        guard method == allowed else { return Self.error(405, "Method Not Allowed") }
        let caller: Caller
        switch try await authorize(request) {
        case .failure(let failure): return failure.response
        case .success(let value): caller = value
        }
        scope.sandboxId = caller.sandbox.id
        if rest.isEmpty { return try await create(caller, body: body) }
        guard let agent = try await store.agent(id: rest[0], sandboxId: caller.sandbox.id, clientId: caller.license.clientId) else {
            return Self.error(404, "Agent not found")
        }
        switch rest.count == 1 ? "delete" : rest[1] {
        case "delete": return try await delete(agent)
        case "history": return try await history(agent, request: request)
        default: return try await message(agent, caller: caller, body: body, streaming: rest[1] == "stream")
        }
    }

    // MARK: Agents

    /// `POST /agents`: validates type, personality, secrets and variables; 201 with the agent.
    func create(_ caller: Caller, body: Data) async throws -> Response {
        let request: AgentCreation
        switch AgentCreation.parse(body) {
        case .failure(let failure): return Self.error(400, failure.message)
        case .success(let value): request = value
        }
        if let ids = request.vehicleIds {
            let known = Set(try await access.registrations(sandboxId: caller.sandbox.id).map(\.vehicle.dimoTokenId))
            if let unknown = ids.first(where: { !known.contains($0) }) { return Self.error(400, "Vehicle \(unknown) not found") }
        }
        var rng = SystemRandomNumberGenerator()
        let id = "agent-" + (0..<16).map { _ in String(Int.random(in: 0..<16, using: &rng), radix: 16) }.joined()
        let record = DIMOAgentRecord(id: id, sandboxId: caller.sandbox.id, clientId: caller.license.clientId, type: request.type,
                                     personality: request.personality, userWallet: request.userWallet, vehicleIds: request.vehicleIds,
                                     createdAt: caller.now)
        try await store.create(record)
        return Responses.json(Self.view(record), status: .created)
    }

    /// An agent as the API shows it (its secrets are never echoed).
    static func view(_ agent: DIMOAgentRecord) -> JSONValue {
        var variables: [(String, JSONValue)] = [("USER_WALLET", .string(agent.userWallet))]
        if let ids = agent.vehicleIds { variables.append(("VEHICLE_IDS", .string("[" + ids.map(String.init).joined(separator: ", ") + "]"))) }
        return .object([
            ("agentId", .string(agent.id)),
            ("type", .string(agent.type)),
            ("personality", .string(agent.personality)),
            ("variables", .object(variables)),
            ("createdAt", .string(Timestamp.seconds(agent.createdAt))),
        ])
    }

    /// `DELETE /agents/{id}`: the agent and its conversation.
    func delete(_ agent: DIMOAgentRecord) async throws -> Response {
        guard try await store.delete(id: agent.id) else { return Self.error(404, "Agent not found") }
        return Responses.json(.object([("message", "Agent deleted successfully"), ("agentId", .string(agent.id))]))
    }

    // MARK: Conversation

    /// `POST /agents/{id}/message` and `/stream`: the reply, stored with the question; JSON or server-sent events.
    func message(_ agent: DIMOAgentRecord, caller: Caller, body: Data, streaming: Bool) async throws -> Response {
        let input: AgentMessageInput
        switch AgentMessageInput.parse(body) {
        case .failure(let failure): return Self.error(400, failure.message)
        case .success(let value): input = value
        }
        let now = caller.now
        let reply = try await AgentReplies(access: access).reply(to: input, agent: agent, license: caller.license.clientId, now: now)
        guard try await store.appendExchange(agentId: agent.id, message: input.message, reply: reply.text, at: now) else {
            return Self.error(404, "Agent not found")
        }
        let queried = JSONValue.array(reply.vehiclesQueried.map { .integer($0) })
        if streaming { return Self.events(reply.text, agentId: agent.id, vehiclesQueried: queried) }
        return Responses.json(.object([
            ("agentId", .string(agent.id)),
            ("message", .string(input.message)),
            ("response", .string(reply.text)),
            ("vehiclesQueried", queried),
            ("timestamp", .string(Timestamp.seconds(now))),
        ]))
    }

    /// The reply as server-sent events: one `{"content"}` per word (with its leading space), then `{"done": true, …}`.
    static func events(_ text: String, agentId: String, vehiclesQueried: JSONValue) -> Response {
        var events = tokens(text).map { JSONValue.object([("content", .string($0))]) }
        events.append(.object([("done", true), ("agentId", .string(agentId)), ("vehiclesQueried", vehiclesQueried)]))
        let chunks = events.map { event in ByteBuffer(string: "data: " + String(decoding: event.encoded(), as: UTF8.self) + "\n\n") }
        let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for chunk in chunks { try await writer.write(chunk) }
            try await writer.finish(nil)
        })
    }

    /// Words with the spaces before them, so the pieces join back into the text.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text {
            if character == " ", !current.isEmpty, current.last != " " {
                out.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// `GET /agents/{id}/history?limit=`: newest first, with the total.
    func history(_ agent: DIMOAgentRecord, request: Request) async throws -> Response {
        var limit = 100
        if let text = request.queryItems["limit"] {
            guard let value = Int(text), Self.historyLimits.contains(value) else {
                return Self.error(400, "limit must be an integer from \(Self.historyLimits.lowerBound) to \(Self.historyLimits.upperBound)")
            }
            limit = value
        }
        let (messages, total) = try await store.history(agentId: agent.id, limit: limit)
        return Responses.json(.object([
            ("agentId", .string(agent.id)),
            ("messages", .array(messages.map { message in
                .object([("role", .string(message.role)), ("content", .string(message.content)),
                         ("timestamp", .string(Timestamp.seconds(message.createdAt)))])
            })),
            ("total", .integer(Int64(total))),
        ]))
    }
}

/// A validation failure, with the message the API answers.
struct AgentInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The body of `POST /agents`, validated.
struct AgentCreation: Sendable {
    var type: String
    var personality: String
    var userWallet: String
    var vehicleIds: [Int64]?

    static func parse(_ body: Data) -> Result<AgentCreation, AgentInputError> {
        guard let json = JSONValue.parse(body), json.objectValue != nil else { return .failure(.init("Request body must be a JSON object")) }
        let type = json["type"].map { $0.stringValue ?? "" } ?? "driver_agent_v1"
        guard Agents.types.contains(type) else { return .failure(.init("Unknown agent type: \(type)")) }
        let personality = json["personality"].map { $0.stringValue ?? "" } ?? "uncle_mechanic"
        guard Agents.personalities.contains(personality) else {
            return .failure(.init("Unknown personality: \(personality); use one of \(Agents.personalities.joined(separator: ", "))"))
        }
        guard let key = json["secrets"]?["DIMO_API_KEY"]?.stringValue, !key.isEmpty else {
            return .failure(.init("secrets.DIMO_API_KEY is required"))
        }
        guard let wallet = json["variables"]?["USER_WALLET"]?.stringValue, !wallet.isEmpty else {
            return .failure(.init("variables.USER_WALLET is required"))
        }
        guard let checksummed = Ethereum.checksumAddress(wallet) else {
            return .failure(.init("variables.USER_WALLET must be an Ethereum address"))
        }
        var ids: [Int64]?
        if let raw = json["variables"]?["VEHICLE_IDS"], raw != .null {
            // A JSON array string ("[1, 2]") as the SDKs send it; a plain array is taken too.
            let list = raw.stringValue.flatMap { JSONValue.parse(Data($0.utf8)) } ?? raw
            guard let items = list.arrayValue, let numbers = Optional(items.compactMap(\.intValue)), numbers.count == items.count else {
                return .failure(.init("variables.VEHICLE_IDS must be a JSON array of vehicle token ids"))
            }
            ids = numbers
        }
        return .success(AgentCreation(type: type, personality: personality, userWallet: checksummed, vehicleIds: ids))
    }
}

/// The body of `POST /agents/{id}/message` and `/stream`, validated.
struct AgentMessageInput: Sendable {
    var message: String
    var vehicleIds: [Int64]?
    var user: String?

    static func parse(_ body: Data) -> Result<AgentMessageInput, AgentInputError> {
        guard let json = JSONValue.parse(body), json.objectValue != nil else { return .failure(.init("Request body must be a JSON object")) }
        guard let message = json["message"]?.stringValue, !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .failure(.init("message is required"))
        }
        var ids: [Int64]?
        if let raw = json["vehicleIds"], raw != .null {
            guard let items = raw.arrayValue, let numbers = Optional(items.compactMap(\.intValue)), numbers.count == items.count else {
                return .failure(.init("vehicleIds must be an array of vehicle token ids"))
            }
            ids = numbers
        }
        var user: String?
        if let raw = json["user"], raw != .null {
            guard let text = raw.stringValue, let checksummed = Ethereum.checksumAddress(text) else {
                return .failure(.init("user must be an Ethereum address"))
            }
            user = checksummed
        }
        return .success(AgentMessageInput(message: message, vehicleIds: ids, user: user))
    }
}
