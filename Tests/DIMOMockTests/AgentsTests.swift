import FleetCore
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The Agents API session: a DIMO session, its BEV's owner wallet and JSON/auth helpers.
struct AgentsClient {
    let client: any TestClientProtocol
    let session: DIMOSession
    let wallet: String

    static func start(_ client: any TestClientProtocol) async throws -> AgentsClient {
        let session = try await DIMOSession.start(client)
        let vehicles = try #require(session.sandbox["vehicles"] as? [[String: Any]])
        let users = try #require(session.sandbox["users"] as? [[String: Any]])
        let ownerEmail = try #require(vehicles.first { $0["dimoTokenId"] as? Int == session.tokenId }?["owner"] as? String)
        let wallet = try #require(users.first { $0["email"] as? String == ownerEmail }?["dimoAddress"] as? String)
        return AgentsClient(client: client, session: session, wallet: wallet)
    }

    func call(_ uri: String, _ method: HTTPRequest.Method, _ body: String? = nil, jwt: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.authorization] = "Bearer \(jwt ?? session.devJWT)"
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func create(_ extra: String = "") async throws -> String {
        let response = try await call("/agents", .post, #"{"secrets":{"DIMO_API_KEY":"0xkey"},"variables":{"USER_WALLET":"\#(wallet)"}\#(extra)}"#)
        #expect(response.status == .created)
        return try #require(response.json["agentId"] as? String)
    }

    func share(_ permissions: [Int]) async throws {
        let share = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/dimo/share", method: .post,
                                             headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"vehicles":[\#(session.tokenId)],"permissions":\#(permissions)}"#))
        #expect(share.status == .ok || share.status == .created)
    }

    func freeze() async throws {
        let frozen = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/clock", method: .post,
                                              headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"freeze":true}"#))
        #expect(frozen.status == .ok)
    }

    func odometerKm() async throws -> Double {
        let vehicle = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/vehicles/\(session.vin)", method: .get)
        return try #require((vehicle.json["state"] as? [String: Any])?["odometerKm"] as? Double)
    }
}

@Suite struct AgentsTests {
    @Test func healthCheckAnswersAtTheRootWithoutAuth() async throws {
        try await withServer { client, _ in
            let health = try await client.execute(uri: "/", method: .get)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "healthy")
            #expect(health.json["default_model"] as? String != nil)
            #expect(health.json["version"] as? String != nil)
        }
    }

    @Test func everyAgentsRouteNeedsAValidDeveloperJWT() async throws {
        try await withServer { client, _ in
            let missing = try await client.execute(uri: "/agents", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(missing.status == .unauthorized)
            #expect(missing.json["error"] as? String == "Missing or invalid Authorization header")
            let agents = try await AgentsClient.start(client)
            for (uri, method) in [("/agents", HTTPRequest.Method.post), ("/agents/agent-0/history", .get), ("/agents/agent-0", .delete),
                                  ("/agents/agent-0/message", .post), ("/agents/agent-0/stream", .post)] {
                let invalid = try await agents.call(uri, method, "{}", jwt: "not.a.jwt")
                #expect(invalid.status == .unauthorized)
                #expect(invalid.json["error"] as? String == "Invalid or expired developer JWT")
            }
        }
    }

    @Test func createValidatesTypePersonalitySecretsAndVariables() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            let w = agents.wallet
            let cases: [(String, String)] = [
                ("nope", "Request body must be a JSON object"),
                (#"{"type":"robot","secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"\#(w)"}}"#, "Unknown agent type: robot"),
                (#"{"personality":"pirate","secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"\#(w)"}}"#, "Unknown personality: pirate; use one of uncle_mechanic, master_technician, concierge, driving_enthusiast, fleet_manager_pro"),
                (#"{"variables":{"USER_WALLET":"\#(w)"}}"#, "secrets.DIMO_API_KEY is required"),
                (#"{"secrets":{"DIMO_API_KEY":"k"},"variables":{}}"#, "variables.USER_WALLET is required"),
                (#"{"secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"0x12"}}"#, "variables.USER_WALLET must be an Ethereum address"),
                (#"{"secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"\#(w)","VEHICLE_IDS":"[1, \"x\"]"}}"#, "variables.VEHICLE_IDS must be a JSON array of vehicle token ids"),
                (#"{"secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"\#(w)","VEHICLE_IDS":"[999999]"}}"#, "Vehicle 999999 not found"),
            ]
            for (body, message) in cases {
                let response = try await agents.call("/agents", .post, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.json["error"] as? String == message)
            }
            let created = try await agents.call("/agents", .post,
                                                #"{"secrets":{"DIMO_API_KEY":"k"},"variables":{"USER_WALLET":"\#(w.lowercased())","VEHICLE_IDS":"[\#(agents.session.tokenId)]"}}"#)
            #expect(created.status == .created)
            #expect((created.json["agentId"] as? String)?.hasPrefix("agent-") == true)
            #expect(created.json["type"] as? String == "driver_agent_v1")
            #expect(created.json["personality"] as? String == "uncle_mechanic")
            #expect(created.json["createdAt"] as? String != nil)
            #expect(created.json["secrets"] == nil)
            let variables = try #require(created.json["variables"] as? [String: Any])
            #expect(variables["USER_WALLET"] as? String == w)
            #expect(variables["VEHICLE_IDS"] as? String == "[\(agents.session.tokenId)]")
        }
    }

    @Test func messagesAnswerFromTheVehicleStateOnceShared() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            try await agents.freeze()
            let id = try await agents.create(#","personality":"concierge""#)
            let tokenId = agents.session.tokenId

            let unshared = try await agents.call("/agents/\(id)/message", .post, #"{"message":"What does the odometer say on vehicle \#(tokenId)?","vehicleIds":[\#(tokenId)]}"#)
            #expect(unshared.status == .ok)
            #expect((unshared.json["response"] as? String)?.contains("has not shared that data with this app") == true)
            #expect((unshared.json["vehiclesQueried"] as? [Int]) == [])

            try await agents.share([1, 3, 4, 6])
            let km = try await agents.odometerKm()
            let asked = try await agents.call("/agents/\(id)/message", .post, #"{"message":"What's the odometer?","vehicleIds":[\#(tokenId)]}"#)
            #expect(asked.status == .ok)
            #expect(asked.json["agentId"] as? String == id)
            #expect(asked.json["message"] as? String == "What's the odometer?")
            #expect(asked.json["vehiclesQueried"] as? [Int] == [tokenId])
            #expect(asked.json["timestamp"] as? String != nil)
            let text = try #require(asked.json["response"] as? String)
            #expect(text.contains("(vehicle \(tokenId))"))
            #expect(text.contains("the odometer reads \(Self.grouped(km)) km"))
            // Same question, same frozen state: the same answer.
            let again = try await agents.call("/agents/\(id)/message", .post, #"{"message":"What's the odometer?","vehicleIds":[\#(tokenId)]}"#)
            #expect(again.json["response"] as? String == text)

            let location = try await agents.call("/agents/\(id)/message", .post, #"{"message":"Where is it parked? Battery?","vehicleIds":[\#(tokenId)]}"#)
            let answer = try #require(location.json["response"] as? String)
            #expect(answer.contains("the battery is at"))
            #expect(answer.contains("near") || answer.contains("parked at"))

            let chat = try await agents.call("/agents/\(id)/message", .post, #"{"message":"Tell me a joke"}"#)
            #expect((chat.json["response"] as? String)?.contains("not from a language model") == true)
            #expect(chat.json["vehiclesQueried"] as? [Int] == [])

            let missing = try await agents.call("/agents/\(id)/message", .post, #"{"message":"odometer?","vehicleIds":[424242]}"#)
            #expect((missing.json["response"] as? String)?.hasPrefix("I can't find vehicle 424242.") == true)
        }
    }

    @Test func messageBodiesAreValidated() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            let id = try await agents.create()
            for (body, message) in [("[]", "Request body must be a JSON object"), (#"{"message":"  "}"#, "message is required"),
                                    (#"{"message":"hi","vehicleIds":"1"}"#, "vehicleIds must be an array of vehicle token ids"),
                                    (#"{"message":"hi","user":"bob"}"#, "user must be an Ethereum address")] {
                for path in ["message", "stream"] {
                    let response = try await agents.call("/agents/\(id)/\(path)", .post, body)
                    #expect(response.status == .badRequest)
                    #expect(response.json["error"] as? String == message)
                }
            }
            let history = try await agents.call("/agents/\(id)/history", .get)
            #expect(history.json["total"] as? Int == 0)
        }
    }

    @Test func streamSendsServerSentEventsThatJoinIntoTheStoredReply() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            try await agents.share([1, 3, 4, 6])
            let id = try await agents.create()
            let stream = try await agents.call("/agents/\(id)/stream", .post, #"{"message":"How much charge and range is left?"}"#)
            #expect(stream.status == .ok)
            #expect(stream.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            let events = stream.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.allSatisfy { $0.hasPrefix("data: ") })
            let decoded = try events.map { event in
                try #require(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
            }
            let done = try #require(decoded.last)
            #expect(done["done"] as? Bool == true)
            #expect(done["agentId"] as? String == id)
            #expect(done["vehiclesQueried"] as? [Int] == [agents.session.tokenId])
            let text = decoded.dropLast().compactMap { $0["content"] as? String }.joined()
            #expect(decoded.count > 3)
            #expect(text.contains("the battery is at"))

            let history = try await agents.call("/agents/\(id)/history", .get)
            let messages = try #require(history.json["messages"] as? [[String: Any]])
            #expect(messages.first?["role"] as? String == "agent")
            #expect(messages.first?["content"] as? String == text)
        }
    }

    @Test func historyIsNewestFirstWithALimitAndATotal() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            let id = try await agents.create()
            for question in ["first question", "second question"] {
                let sent = try await agents.call("/agents/\(id)/message", .post, #"{"message":"\#(question)"}"#)
                #expect(sent.status == .ok)
            }
            let all = try await agents.call("/agents/\(id)/history", .get)
            #expect(all.status == .ok)
            #expect(all.json["agentId"] as? String == id)
            #expect(all.json["total"] as? Int == 4)
            let messages = try #require(all.json["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["agent", "user", "agent", "user"])
            #expect(messages[1]["content"] as? String == "second question")
            #expect(messages[3]["content"] as? String == "first question")
            #expect(messages.allSatisfy { $0["timestamp"] as? String != nil })

            let one = try await agents.call("/agents/\(id)/history?limit=1", .get)
            #expect((one.json["messages"] as? [[String: Any]])?.count == 1)
            #expect(one.json["total"] as? Int == 4)
            for bad in ["0", "abc", "1001"] {
                let rejected = try await agents.call("/agents/\(id)/history?limit=\(bad)", .get)
                #expect(rejected.status == .badRequest)
                #expect(rejected.json["error"] as? String == "limit must be an integer from 1 to 1000")
            }
        }
    }

    @Test func unknownAgentsAndOtherLicensesAgentsAreNotFound() async throws {
        try await withServer { client, _ in
            let mine = try await AgentsClient.start(client)
            let theirs = try await AgentsClient.start(client)
            let foreign = try await theirs.create()
            for id in ["agent-doesnotexist", foreign] {
                for (suffix, method) in [("", HTTPRequest.Method.delete), ("/history", .get), ("/message", .post), ("/stream", .post)] {
                    let response = try await mine.call("/agents/\(id)\(suffix)", method, #"{"message":"hi"}"#)
                    #expect(response.status == .notFound)
                    #expect(response.json["error"] as? String == "Agent not found")
                }
            }
            let wrongMethod = try await mine.call("/agents", .get)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.json["error"] as? String == "Method Not Allowed")
            let noRoute = try await mine.call("/agents/x/y/z", .get)
            #expect(noRoute.status == .notFound)
            #expect(noRoute.json["error"] as? String == "Not Found")
        }
    }

    @Test func deleteRemovesTheAgentAndAResetClearsAgents() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            let id = try await agents.create()
            let deleted = try await agents.call("/agents/\(id)", .delete)
            #expect(deleted.status == .ok)
            #expect(deleted.json["message"] as? String == "Agent deleted successfully")
            #expect(deleted.json["agentId"] as? String == id)
            let gone = try await agents.call("/agents/\(id)/history", .get)
            #expect(gone.status == .notFound)

            let kept = try await agents.create()
            let reset = try await client.execute(uri: "/__fleetmock/sandboxes/\(agents.session.id)/reset", method: .post)
            #expect(reset.status == .ok)
            let afterReset = try await agents.call("/agents/\(kept)/history", .get)
            #expect(afterReset.status == .notFound)
        }
    }

    @Test func faultRulesMatchTheConversationsService() async throws {
        try await withServer { client, _ in
            let agents = try await AgentsClient.start(client)
            let rule = try await client.execute(uri: "/__fleetmock/sandboxes/\(agents.session.id)/faults", method: .post,
                                                headers: [.contentType: "application/json"],
                                                body: ByteBuffer(string: #"{"match":{"service":"conversations"},"action":{"kind":"status","status":503}}"#))
            #expect(rule.status == .created, "\(rule.text)")
            let failed = try await agents.call("/agents", .post, #"{}"#)
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.json["error"] as? String == "Service Unavailable")
            let other = try await agents.session.exchange(client, privileges: [1])
            #expect(other.status != .serviceUnavailable)
        }
    }

    static func grouped(_ km: Double) -> String {
        let digits = String(Int64(km.rounded()))
        var out = ""
        for (index, digit) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return String(out.reversed())
    }
}
