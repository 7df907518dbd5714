@testable import DIMOMock
import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import GraphQL
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// An `application/x-www-form-urlencoded` body.
func form(_ pairs: [(String, String)]) -> ByteBuffer {
    ByteBuffer(string: formEncode(pairs))
}

/// A sandbox, a developer JWT obtained with a real signature, and a BEV's token id.
struct DIMOSession {
    var sandbox: [String: Any]
    var id: String
    var devJWT: String
    var tokenId: Int
    var vin: String

    static func start(_ client: any TestClientProtocol) async throws -> DIMOSession {
        let created = try await client.execute(uri: "/__fleetmock/sandboxes", method: .post, headers: [.contentType: "application/json"],
                                               body: ByteBuffer(string: #"{"historyDays": 1}"#))
        let sandbox = created.json
        let dimo = try #require(sandbox["dimo"] as? [String: Any])
        let clientId = try #require(dimo["clientId"] as? String), domain = try #require(dimo["domain"] as? String)
        let keyText = try #require(dimo["privateKey"] as? String)
        let key = try #require(Hex.decode(keyText))
        let (state, text) = try await challenge(client, clientId: clientId, domain: domain)
        #expect(state.count == 25)
        #expect(text.hasPrefix("auth.dimo.zone wants you to sign in with your Ethereum account:\n\(clientId)\n\n"))
        let token = try await submit(client, clientId: clientId, domain: domain, state: state, challenge: text, key: key)
        #expect(token.status == .ok)
        let jwt = try #require(token.json["access_token"] as? String)
        let vehicles = try #require(sandbox["vehicles"] as? [[String: Any]])
        let bev = try #require(vehicles.first { $0["powertrain"] as? String == "BEV" })
        return DIMOSession(sandbox: sandbox, id: try #require(sandbox["id"] as? String), devJWT: jwt,
                           tokenId: try #require(bev["dimoTokenId"] as? Int), vin: try #require(bev["vin"] as? String))
    }

    /// `POST /auth/web3/generate_challenge` for a license (address: the client id): (state, challenge text).
    static func challenge(_ client: any TestClientProtocol, clientId: String, domain: String) async throws -> (String, String) {
        let challenge = try await client.execute(uri: "/auth/web3/generate_challenge", method: .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: form([("client_id", clientId), ("domain", domain), ("scope", "openid email"),
                                                             ("response_type", "code"), ("address", clientId)]))
        #expect(challenge.status == .ok)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(challenge.body.readableBytesView)) as? [String: Any])
        return (try #require(parsed["state"] as? String), try #require(parsed["challenge"] as? String))
    }

    /// `POST /auth/web3/submit_challenge` with the challenge signed (EIP-191) by `key`.
    static func submit(_ client: any TestClientProtocol, clientId: String, domain: String, state: String, challenge: String,
                       key: [UInt8]) async throws -> TestResponse {
        let signature = "0x" + Hex.encode(try Ethereum.personalSign(message: Array(challenge.utf8), privateKey: key))
        return try await client.execute(uri: "/auth/web3/submit_challenge", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                        body: form([("client_id", clientId), ("domain", domain), ("state", state),
                                                    ("signature", signature), ("grant_type", "authorization_code")]))
    }

    func exchange(_ client: any TestClientProtocol, privileges: [Int]) async throws -> TestResponse {
        try await client.execute(uri: "/v1/tokens/exchange", method: .post,
                                 headers: [.contentType: "application/json", .authorization: "Bearer \(devJWT)"],
                                 body: ByteBuffer(string: #"{"nftContractAddress":"\#(DIMOContracts.vehicle)","privileges":\#(privileges),"tokenId":\#(tokenId)}"#))
    }
}

@Suite struct DIMOAuthTests {
    @Test func challengeLoginThenSubmitIsSingleUse() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let claims = try #require(String(session.devJWT.split(separator: ".")[1]).base64URLJSON)
            #expect(claims["iss"] as? String == "https://auth.dimo.zone")
            #expect(claims["provider_id"] as? String == "web3")
            #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 14 * 86400)
            let keys = try await client.execute(uri: "/keys", method: .get)
            #expect((keys.json["keys"] as? [[String: Any]])?.count == 2)
            let again = try await client.execute(uri: "/auth/web3/submit_challenge", method: .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: form([("state", "nope"), ("signature", "0x00")]))
            #expect(again.status == .badRequest)
            #expect(again.text == #"{"status":400,"message":"Requested resource does not exist."}"#)
        }
    }

    @Test func unknownClientAndDomainGetDexPages() async throws {
        try await withServer { client, _ in
            let unknown = try await client.execute(uri: "/auth/web3/generate_challenge?client_id=0x0000000000000000000000000000000000000001&domain=x",
                                                   method: .post)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }
}

@Suite struct DIMOExchangeAndGraphQLTests {
    @Test func exchangeNeedsAShareThenTelemetryHonoursPrivileges() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let denied = try await session.exchange(client, privileges: [1, 4])
            #expect(denied.status == .forbidden)
            #expect((denied.json["message"] as? String)?.contains("lacks permissions [1 4] for asset did:erc721:137:") == true)

            let share = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/dimo/share", method: .post,
                                                 headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"vehicles":[\#(session.tokenId)],"permissions":[1,2,3,4,5,6]}"#))
            #expect((share.json["sacds"] as? [[String: Any]])?.first?["permissions"] as? String == "0x3ffc")

            let granted = try await session.exchange(client, privileges: [1])
            #expect(granted.status == .ok)
            let vehicleJWT = try #require(granted.json["token"] as? String)
            let claims = try #require(String(vehicleJWT.split(separator: ".")[1]).base64URLJSON)
            #expect(claims["token_id"] as? String == String(session.tokenId))
            #expect(claims["permissions"] as? [String] == ["privilege:GetNonLocationHistory"])

            let query = #"{"query":"{ signalsLatest(tokenId: \#(session.tokenId)) { powertrainTransmissionTravelledDistance { value } currentLocationCoordinates { value { latitude } } } }"}"#
            let latest = try await client.execute(uri: "/telemetry/query", method: .post,
                                                  headers: [.contentType: "application/json", .authorization: "Bearer \(vehicleJWT)"],
                                                  body: ByteBuffer(string: query))
            let errors = try #require(latest.json["errors"] as? [[String: Any]])
            #expect(errors.first?["message"] as? String == "unauthorized: missing required privilege(s) privilege:GetLocationHistory")
            let data = (latest.json["data"] as? [String: Any])?["signalsLatest"] as? [String: Any]
            let odometer = (data?["powertrainTransmissionTravelledDistance"] as? [String: Any])?["value"] as? Double
            let vehicle = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/vehicles/\(session.vin)", method: .get)
            #expect(odometer == (vehicle.json["state"] as? [String: Any])?["odometerKm"] as? Double)
            #expect(data?["currentLocationCoordinates"] is NSNull)

            let garbage = try await client.execute(uri: "/telemetry/query", method: .post,
                                                   headers: [.contentType: "application/json", .authorization: "Bearer nope"],
                                                   body: ByteBuffer(string: query))
            #expect(garbage.status == .unauthorized)
            #expect(garbage.text == #"{"message":"JWT is invalid."}"#)
        }
    }

    @Test func identityPaginatesNewestFirstAndReportsNotFound() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let headers: HTTPFields = [.contentType: "application/json", .fleetmockSandbox: session.id]
            let page = try await client.execute(uri: "/identity/query", method: .post, headers: headers,
                                                body: ByteBuffer(string: #"{"query":"{ vehicles(first: 2) { totalCount nodes { tokenId } pageInfo { hasNextPage endCursor } } }"}"#))
            let vehicles = try #require((page.json["data"] as? [String: Any])?["vehicles"] as? [String: Any])
            let ids = (vehicles["nodes"] as? [[String: Any]] ?? []).compactMap { $0["tokenId"] as? Int }
            #expect(ids.count == 2 && ids[0] > ids[1])
            #expect((vehicles["pageInfo"] as? [String: Any])?["hasNextPage"] as? Bool == true)
            #expect((vehicles["pageInfo"] as? [String: Any])?["endCursor"] as? String == Data(String(ids[1]).utf8).base64EncodedString())

            let missing = try await client.execute(uri: "/identity/query", method: .post, headers: headers,
                                                   body: ByteBuffer(string: #"{"query":"{ vehicle(tokenId: 999999) { tokenId } }"}"#))
            #expect(missing.status == .ok)
            #expect(missing.json["data"] is NSNull)
            let error = (missing.json["errors"] as? [[String: Any]])?.first
            #expect(error?["message"] as? String == "No vehicle with token id 999999.")
            #expect((error?["extensions"] as? [String: Any])?["code"] as? String == "NOT_FOUND")

            let bad = try await client.execute(uri: "/identity/query", method: .post, headers: headers,
                                               body: ByteBuffer(string: #"{"query":"{ vehicles(first: 2) { nope } }"}"#))
            #expect(bad.status == .unprocessableContent)
            let tooMany = try await client.execute(uri: "/identity/query", method: .post, headers: headers,
                                                   body: ByteBuffer(string: #"{"query":"{ vehicles(first: 200) { totalCount } }"}"#))
            #expect(((tooMany.json["errors"] as? [[String: Any]])?.first?["message"] as? String) == "the value 200 for `first` exceeds the limit 100")
        }
    }

    /// A document is parsed and validated once and then served from the cache: asking again gives the same
    /// answer, a refused document is refused again the same way, and another query is not mistaken for it.
    @Test func repeatedDocumentsAnswerAsTheFirstTime() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let headers: HTTPFields = [.contentType: "application/json", .fleetmockSandbox: session.id]
            func ask(_ query: String) async throws -> (HTTPResponse.Status, String) {
                let answer = try await client.execute(uri: "/identity/query", method: .post, headers: headers, body: ByteBuffer(string: query))
                return (answer.status, answer.text)
            }
            let valid = #"{"query":"{ vehicles(first: 2) { totalCount } }"}"#
            let invalid = #"{"query":"{ vehicles(first: 2) { nope } }"}"#
            let first = try await ask(valid), refused = try await ask(invalid)
            #expect(first.0 == .ok && refused.0 == .unprocessableContent)
            #expect(refused.1.contains("GRAPHQL_VALIDATION_FAILED"))
            for _ in 0..<3 {
                let again = try await ask(valid), refusedAgain = try await ask(invalid)
                #expect(again == first)
                #expect(refusedAgain == refused)
            }
            let other = try await ask(#"{"query":"{ vehicles(first: 1) { totalCount } }"}"#)
            #expect(other.0 == .ok && other.1 == first.1)
        }
    }

    @Test func theDocumentCacheStaysBounded() throws {
        let cache = ValidDocumentCache()
        for index in 0..<(ValidDocumentCache.capacity + 5) {
            let query = "{ a\(index) }"
            cache.insert(try parse(source: Source(body: query)), for: query)
        }
        #expect(cache.document(for: "{ a\(ValidDocumentCache.capacity + 4) }") != nil)
        #expect(cache.document(for: "{ a0 }") == nil)
        // A very long text is not kept.
        let long = "{ a" + String(repeating: " ", count: ValidDocumentCache.maxQueryBytes) + "}"
        cache.insert(try parse(source: Source(body: long)), for: long)
        #expect(cache.document(for: long) == nil)
    }
}

extension String {
    /// The JSON object in a base64url JWT segment.
    var base64URLJSON: [String: Any]? {
        var text = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
