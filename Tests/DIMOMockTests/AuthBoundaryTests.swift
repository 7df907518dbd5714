import _CryptoExtras
import Crypto
import FleetCore
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Issue 14's auth-boundary matrix, DIMO rows: forged and misplaced JWTs, token exchange without a
/// share, and web3 logins that must fail, each refused with the error of the service asked
/// (reference dimo-api.md §2.3, §3.1, §5.1, §6, §7, §12).
@Suite struct DIMOAuthBoundaryTests {
    // MARK: Services and their refusals

    /// A service that takes a JWT, a request that a good token gets through, and the refusal upstream
    /// gives a bad one.
    struct Service: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPRequest.Method
        /// The path for a vehicle's token id.
        var path: @Sendable (Int) -> String
        var body: @Sendable (Int) -> String?
        var status: HTTPResponse.Status
        var contentType: String
        var refusal: String

        var testDescription: String { name }

        func call(_ client: any TestClientProtocol, tokenId: Int, jwt: String) async throws -> TestResponse {
            var headers: HTTPFields = [.authorization: "Bearer \(jwt)"]
            let text = body(tokenId)
            if text != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: path(tokenId), method: method, headers: headers, body: text.map { ByteBuffer(string: $0) })
        }

        func expectRefused(_ response: TestResponse, _ note: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(response.status == status, "\(name) \(note): \(response.status) \(response.text)", sourceLocation: sourceLocation)
            #expect(response.headers[.contentType] == contentType, "\(name) \(note) content type", sourceLocation: sourceLocation)
            #expect(response.text == refusal, "\(name) \(note) body", sourceLocation: sourceLocation)
        }
    }

    static let jsonType = "application/json; charset=utf-8"
    static let textType = "text/plain; charset=utf-8"

    /// Services that need a vehicle JWT. Telemetry and Fetch check it with auth0's middleware
    /// (§5.1, §12: 401 `{"message":"JWT is invalid."}`); attestation and trips with gofiber jwtware
    /// (§3.1, §6: 401 text/plain `Invalid or expired JWT`).
    static let vehicleJWTServices: [Service] = [
        Service(name: "telemetry", method: .post, path: { _ in "/telemetry/query" },
                body: { #"{"query":"{ signalsLatest(tokenId: \#($0)) { powertrainTransmissionTravelledDistance { value } } }"}"# },
                status: .unauthorized, contentType: jsonType, refusal: #"{"message":"JWT is invalid."}"#),
        Service(name: "fetch", method: .post, path: { _ in "/fetch/query" }, body: { _ in #"{"query":"{ __typename }"}"# },
                status: .unauthorized, contentType: jsonType, refusal: #"{"message":"JWT is invalid."}"#),
        Service(name: "attestation", method: .post, path: { "/v2/attestation/odometer-statement/\($0)" }, body: { _ in nil },
                status: .unauthorized, contentType: textType, refusal: "Invalid or expired JWT"),
        Service(name: "trips", method: .get, path: { "/v1/vehicle/\($0)/trips" }, body: { _ in nil },
                status: .unauthorized, contentType: textType, refusal: "Invalid or expired JWT"),
    ]

    /// Services that need a developer JWT. Token exchange and vehicle triggers check it with gofiber
    /// jwtware against the auth server's keys (§3.1 "unknown kid (e.g. a vehicle JWT)", §7); the
    /// Agents API answers its own 401 (fleetmock's existing choice, AgentsTests).
    static let developerJWTServices: [Service] = [
        Service(name: "token exchange", method: .post, path: { _ in "/v1/tokens/exchange" },
                body: { #"{"nftContractAddress":"\#(DIMOContracts.vehicle)","privileges":[1],"tokenId":\#($0)}"# },
                status: .unauthorized, contentType: textType, refusal: "Invalid or expired JWT"),
        Service(name: "vehicle triggers", method: .get, path: { _ in "/v1/webhooks" }, body: { _ in nil },
                status: .unauthorized, contentType: textType, refusal: "Invalid or expired JWT"),
        Service(name: "agents", method: .get, path: { _ in "/agents/agent-0/history" }, body: { _ in nil },
                status: .unauthorized, contentType: jsonType, refusal: #"{"error":"Invalid or expired developer JWT"}"#),
    ]

    // MARK: Sessions

    /// A sandbox logged in to DIMO, its BEV shared with every privilege, and a vehicle JWT for it
    /// with `privileges` (and `audience`, when given).
    func sharedSession(_ client: any TestClientProtocol, privileges: [Int] = [1, 4], audience: [String]? = nil) async throws -> (DIMOSession, String) {
        let session = try await DIMOSession.start(client)
        let share = try await control(client, "/__fleetmock/sandboxes/\(session.id)/dimo/share", #"{"vehicles":[\#(session.tokenId)],"permissions":[1,2,3,4,5,6]}"#)
        try #require(share.status == .ok, "share: \(share.text)")
        var request: [String: Any] = ["nftContractAddress": DIMOContracts.vehicle, "privileges": privileges, "tokenId": session.tokenId]
        if let audience { request["audience"] = audience }
        let exchanged = try await exchange(client, devJWT: session.devJWT, String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
        try #require(exchanged.status == .ok, "exchange: \(exchanged.text)")
        return (session, try #require(exchanged.json["token"] as? String))
    }

    func control(_ client: any TestClientProtocol, _ uri: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json))
    }

    func exchange(_ client: any TestClientProtocol, devJWT: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/tokens/exchange", method: .post, headers: [.contentType: "application/json", .authorization: "Bearer \(devJWT)"],
                                 body: ByteBuffer(string: json))
    }

    /// A service's answer to a good token: not the refusal.
    func expectAccepted(_ service: Service, _ client: any TestClientProtocol, tokenId: Int, jwt: String) async throws {
        let response = try await service.call(client, tokenId: tokenId, jwt: jwt)
        #expect(response.status.code < 300, "\(service.name) with a good token: \(response.status) \(response.text.prefix(300))")
    }

    /// The sandbox's developer license: client id, redirect domain and signer key.
    struct License {
        var clientId: String
        var domain: String
        var key: [UInt8]
    }

    static func license(_ session: DIMOSession) throws -> License {
        let dimo = try #require(session.sandbox["dimo"] as? [String: Any])
        let keyText = try #require(dimo["privateKey"] as? String)
        return License(clientId: try #require(dimo["clientId"] as? String), domain: try #require(dimo["domain"] as? String),
                       key: try #require(Hex.decode(keyText)))
    }

    // MARK: JWT surgery

    enum JWT {
        static func segments(_ jwt: String) throws -> (header: [String: Any], claims: [String: Any], signature: String) {
            let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            try #require(parts.count == 3)
            return (try #require(parts[0].base64URLJSON), try #require(parts[1].base64URLJSON), parts[2])
        }

        static func encode(_ object: [String: Any]) throws -> String {
            Base64URL.encode(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }

        /// `header.claims` signed by `sign` (the signing input's bytes in, the signature out).
        static func assemble(_ header: [String: Any], _ claims: [String: Any], sign: (Data) throws -> Data) throws -> String {
            let input = try encode(header) + "." + encode(claims)
            return input + "." + Base64URL.encode(try sign(Data(input.utf8)))
        }

        /// The original signature on edited claims.
        static func edited(_ jwt: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
            let (header, original, signature) = try segments(jwt)
            var claims = original
            edit(&claims)
            return try encode(header) + "." + encode(claims) + "." + signature
        }
    }

    /// The public key of the JWKS entry with `kid`, as PEM (what an HS256 confusion attack keys its HMAC with).
    func publicKeyPEM(_ client: any TestClientProtocol, kid: String) async throws -> String {
        let keys = try await client.execute(uri: "/keys", method: .get)
        let key = try #require((keys.json["keys"] as? [[String: Any]])?.first { $0["kid"] as? String == kid })
        let n = try #require((key["n"] as? String).flatMap(Base64URL.decode))
        let e = try #require((key["e"] as? String).flatMap(Base64URL.decode))
        return try _RSA.Signing.PublicKey(n: n, e: e).pemRepresentation
    }

    /// Every privilege, where a token had fewer.
    static func widened(_ claims: inout [String: Any]) {
        claims["privilege_ids"] = [1, 2, 3, 4, 5, 6]
        claims["permissions"] = ["privilege:GetNonLocationHistory", "privilege:ExecuteCommands", "privilege:GetCurrentLocation",
                                 "privilege:GetLocationHistory", "privilege:GetVINCredential", "privilege:GetLiveData"]
    }

    enum Forgery: String, CaseIterable, Sendable {
        case algNone, hs256KeyedWithThePublicKey, signedByAnotherRSAKey, expired, editedTokenId, editedPrivileges, editedAudience
    }

    /// A bad vehicle JWT of each kind, for `session`'s BEV (a good one is `jwt`); `other` is a
    /// vehicle the token was not issued for.
    func forge(_ forgery: Forgery, _ client: any TestClientProtocol, session: DIMOSession, jwt: String, other: Int) async throws -> String {
        let (header, claims, _) = try JWT.segments(jwt)
        var wide = claims
        Self.widened(&wide)
        switch forgery {
        case .algNone, .hs256KeyedWithThePublicKey, .signedByAnotherRSAKey:
            return try await signed(forgery, client, header: header, claims: wide)
        case .expired:
            // Vehicle JWTs live 10 minutes (§3.1), judged on the sandbox clock.
            let advanced = try await control(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"advance": "11m"}"#)
            try #require(advanced.status == .ok)
            return jwt
        case .editedTokenId:
            return try JWT.edited(jwt) { claims in
                claims["token_id"] = String(other)
                claims["asset"] = "did:erc721:\(DIMOContracts.chainId):\(DIMOContracts.vehicle):\(other)"
            }
        case .editedPrivileges:
            return try JWT.edited(jwt, Self.widened)
        case .editedAudience:
            // `jwt` was issued for audience ["my-app"]; dimo.zone is written in after signing.
            return try JWT.edited(jwt) { $0["aud"] = ["dimo.zone"] }
        }
    }

    /// `claims` under a signature that is not the issuer's: none, HMAC keyed with the issuer's public
    /// key, or another RSA key under the issuer's kid.
    func signed(_ forgery: Forgery, _ client: any TestClientProtocol, header: [String: Any], claims: [String: Any]) async throws -> String {
        switch forgery {
        case .algNone:
            return try JWT.encode(["alg": "none", "typ": "JWT"]) + "." + JWT.encode(claims) + "."
        case .hs256KeyedWithThePublicKey:
            let pem = try await publicKeyPEM(client, kid: try #require(header["kid"] as? String))
            var hs = header
            hs["alg"] = "HS256"
            return try JWT.assemble(hs, claims) { Data(HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: Data(pem.utf8)))) }
        case .signedByAnotherRSAKey:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return try JWT.assemble(header, claims) { try key.signature(for: $0, padding: .insecurePKCS1v1_5).rawRepresentation }
        default:
            Issue.record("\(forgery) is not a signature forgery")
            return ""
        }
    }

    // MARK: Row: forged vehicle JWTs

    /// `alg: none`, HS256 keyed with the RSA public key, another RSA key under the real kid, an
    /// expired token, and a real token with its `tokenId`, privileges or audience edited after
    /// signing: every vehicle-JWT service refuses each with its own 401.
    @Test(arguments: Forgery.allCases)
    func forgedVehicleJWT(_ forgery: Forgery) async throws {
        try await withServer { client, _ in
            let (session, jwt) = try await sharedSession(client, audience: forgery == .editedAudience ? ["my-app"] : nil)
            let vehicles = try #require(session.sandbox["vehicles"] as? [[String: Any]])
            let other = try #require(vehicles.compactMap { $0["dimoTokenId"] as? Int }.first { $0 != session.tokenId })
            if forgery != .editedAudience {
                for service in Self.vehicleJWTServices { try await expectAccepted(service, client, tokenId: session.tokenId, jwt: jwt) }
            }
            let forged = try await forge(forgery, client, session: session, jwt: jwt, other: other)
            for service in Self.vehicleJWTServices {
                let tokenId = forgery == .editedTokenId ? other : session.tokenId
                service.expectRefused(try await service.call(client, tokenId: tokenId, jwt: forged), forgery.rawValue)
            }
            if forgery == .editedAudience {
                // Unedited, a token for another audience is refused by Telemetry's audience check (§5.1).
                for service in Self.vehicleJWTServices where service.contentType == Self.jsonType {
                    service.expectRefused(try await service.call(client, tokenId: session.tokenId, jwt: jwt), "audience my-app")
                }
            }
        }
    }

    /// Beyond the matrix: a developer JWT of sandbox A made to speak for sandbox B's license (its
    /// `sub`, `aud` and `ethereum_address` copied from B's JWT), with A's signature kept, none, HS256
    /// keyed with the public key, or another RSA key. B's own JWT exchanges for B's shared vehicle;
    /// every forgery is jwtware's 401 at token exchange and vehicle triggers.
    @Test(arguments: [Forgery.editedAudience, .algNone, .hs256KeyedWithThePublicKey, .signedByAnotherRSAKey])
    func forgedDeveloperJWT(_ forgery: Forgery) async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let (other, _) = try await sharedSession(client)
            let (header, original, signature) = try JWT.segments(session.devJWT)
            let theirs = try JWT.segments(other.devJWT).claims
            var claims = original
            for key in ["sub", "aud", "ethereum_address"] { claims[key] = theirs[key] }
            let forged = forgery == .editedAudience
                ? try JWT.encode(header) + "." + JWT.encode(claims) + "." + signature
                : try await signed(forgery, client, header: header, claims: claims)
            for service in Self.developerJWTServices where service.name != "agents" {
                let good = try await service.call(client, tokenId: other.tokenId, jwt: other.devJWT)
                #expect(good.status.code < 300, "\(service.name) with B's JWT: \(good.text.prefix(300))")
                service.expectRefused(try await service.call(client, tokenId: other.tokenId, jwt: forged), forgery.rawValue)
            }
        }
    }

    // MARK: Row: a developer JWT where a vehicle JWT is needed

    /// Telemetry, Fetch, attestation and trips take only vehicle JWTs of the roles-rights issuer; a
    /// developer JWT of the same sandbox (whose license has the vehicle shared) is refused by each.
    /// (The brief lists attestation among the developer-JWT services; the reference §6 says it takes
    /// the vehicle JWT, so it is checked here.)
    @Test(arguments: vehicleJWTServices)
    func developerJWTWhereAVehicleJWTIsNeeded(_ service: Service) async throws {
        try await withServer { client, _ in
            let (session, jwt) = try await sharedSession(client)
            try await expectAccepted(service, client, tokenId: session.tokenId, jwt: jwt)
            service.expectRefused(try await service.call(client, tokenId: session.tokenId, jwt: session.devJWT), "developer JWT")
        }
    }

    // MARK: Row: a vehicle JWT where a developer JWT is needed

    /// Token exchange, vehicle triggers and the Agents API take only developer JWTs of the auth
    /// server; a vehicle JWT is refused by each (Identity needs no token at all).
    @Test(arguments: developerJWTServices)
    func vehicleJWTWhereADeveloperJWTIsNeeded(_ service: Service) async throws {
        try await withServer { client, _ in
            let (session, jwt) = try await sharedSession(client)
            let good = try await service.call(client, tokenId: session.tokenId, jwt: session.devJWT)
            #expect(good.status != service.status, "\(service.name) with the developer JWT: \(good.text.prefix(300))")
            service.expectRefused(try await service.call(client, tokenId: session.tokenId, jwt: jwt), "vehicle JWT")
        }
    }

    // MARK: Row: token exchange without an SACD

    enum MissingShare: String, CaseIterable, Sendable {
        /// The vehicle was never shared with the license.
        case neverShared
        /// Shared with privilege 1 only; 1 and 4 are asked.
        case fewerPrivileges
        /// Shared until an hour from now; asked two hours later.
        case lapsed
        /// Another sandbox's vehicle, shared with that sandbox's license.
        case otherSandboxesVehicle
    }

    /// Without an SACD granting every privilege asked, token-exchange answers 403
    /// `Address 0x… lacks permissions [1 4] for asset did:erc721:137:0x…:N.` (§3.1) and no token.
    @Test(arguments: MissingShare.allCases)
    func tokenExchangeWithoutAnSACD(_ missing: MissingShare) async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let license = try Self.license(session).clientId
            var tokenId = session.tokenId
            let privileges = [1, 4]
            switch missing {
            case .neverShared:
                break
            case .fewerPrivileges:
                let share = try await control(client, "/__fleetmock/sandboxes/\(session.id)/dimo/share", #"{"vehicles":[\#(tokenId)],"permissions":[1]}"#)
                try #require(share.status == .ok, "\(share.text)")
            case .lapsed:
                let clock = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/clock", method: .get)
                let now = try #require((clock.json["now"] as? String).flatMap(Timestamp.parse))
                let until = Timestamp.seconds(now.addingTimeInterval(3600))
                let share = try await control(client, "/__fleetmock/sandboxes/\(session.id)/dimo/share",
                                              #"{"vehicles":[\#(tokenId)],"permissions":[1,2,3,4,5,6],"expiresAt":"\#(until)"}"#)
                try #require(share.status == .ok, "\(share.text)")
                #expect(try await session.exchange(client, privileges: privileges).status == .ok, "inside the share's lifetime")
                let advanced = try await control(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"advance": "2h"}"#)
                try #require(advanced.status == .ok)
            case .otherSandboxesVehicle:
                let other = try await DIMOSession.start(client)
                let share = try await control(client, "/__fleetmock/sandboxes/\(other.id)/dimo/share", #"{"vehicles":[\#(other.tokenId)],"permissions":[1,2,3,4,5,6]}"#)
                try #require(share.status == .ok, "\(share.text)")
                tokenId = other.tokenId
            }
            let body = #"{"nftContractAddress":"\#(DIMOContracts.vehicle)","privileges":\#(privileges),"tokenId":\#(tokenId)}"#
            let denied = try await exchange(client, devJWT: session.devJWT, body)
            #expect(denied.status == .forbidden, "\(denied.text)")
            #expect(denied.headers[.contentType] == Self.jsonType)
            let did = "did:erc721:\(DIMOContracts.chainId):\(DIMOContracts.vehicle):\(tokenId)"
            #expect(denied.text == #"{"code":403,"message":"Address \#(license) lacks permissions [1 4] for asset \#(did)."}"#)
            // The new request form is refused alike.
            let asset = #"{"asset":"\#(did)","permissions":["privilege:GetNonLocationHistory","privilege:GetLocationHistory"]}"#
            let deniedAsset = try await exchange(client, devJWT: session.devJWT, asset)
            #expect(deniedAsset.status == .forbidden)
            #expect(deniedAsset.text == denied.text)
        }
    }

    // MARK: Row: web3 login with another key's signature

    enum OtherKey: String, CaseIterable, Sendable {
        /// A fresh key that signs nothing for anyone.
        case stranger
        /// The signer of another sandbox's license.
        case anotherLicensesSigner
    }

    /// A challenge for the license signed by a key that is neither the license nor its signer:
    /// 400 `{"status":400,"message":"Could not verify signature."}` (§2.3 step 2), no JWT.
    @Test(arguments: OtherKey.allCases)
    func web3LoginWithAnotherKeysSignature(_ other: OtherKey) async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let license = try Self.license(session)
            let (clientId, domain) = (license.clientId, license.domain)
            let key: [UInt8]
            switch other {
            case .stranger:
                var rng = SystemRandomNumberGenerator()
                key = Ethereum.randomPrivateKey(using: &rng)
            case .anotherLicensesSigner:
                key = try Self.license(try await DIMOSession.start(client)).key
            }
            let (state, challenge) = try await DIMOSession.challenge(client, clientId: clientId, domain: domain)
            let refused = try await DIMOSession.submit(client, clientId: clientId, domain: domain, state: state, challenge: challenge, key: key)
            #expect(refused.status == .badRequest)
            #expect(refused.headers[.contentType] == Self.jsonType)
            #expect(refused.text == #"{"status":400,"message":"Could not verify signature."}"#)
        }
    }

    /// A login for a stranger's own address succeeds at the auth server (dex signs whatever address
    /// proves itself), but that JWT speaks for no license: token exchange answers 403
    /// `not a dev license: 0x…` (§3.1) and vehicle triggers 403 `JWT is not from a developer license` (§7).
    @Test func web3LoginAsAnotherAddressIsNoLicense() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let license = try Self.license(session)
            let (clientId, domain) = (license.clientId, license.domain)
            var rng = SystemRandomNumberGenerator()
            let key = Ethereum.randomPrivateKey(using: &rng)
            let address = try Ethereum.address(privateKey: key)
            let generated = try await client.execute(uri: "/auth/web3/generate_challenge", method: .post,
                                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                                     body: form([("client_id", clientId), ("domain", domain), ("scope", "openid email"),
                                                                 ("response_type", "code"), ("address", address)]))
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(generated.body.readableBytesView)) as? [String: Any])
            let state = try #require(parsed["state"] as? String), challenge = try #require(parsed["challenge"] as? String)
            let login = try await DIMOSession.submit(client, clientId: clientId, domain: domain, state: state, challenge: challenge, key: key)
            #expect(login.status == .ok, "\(login.text)")
            let jwt = try #require(login.json["access_token"] as? String)

            let body = #"{"nftContractAddress":"\#(DIMOContracts.vehicle)","privileges":[1],"tokenId":\#(session.tokenId)}"#
            let exchanged = try await exchange(client, devJWT: jwt, body)
            #expect(exchanged.status == .forbidden)
            #expect(exchanged.text == #"{"code":403,"message":"not a dev license: \#(address)"}"#)
            let triggers = try await client.execute(uri: "/v1/webhooks", method: .get, headers: [.authorization: "Bearer \(jwt)"])
            #expect(triggers.status == .forbidden)
            #expect(triggers.json["message"] as? String == "JWT is not from a developer license")
            #expect(triggers.json["code"] as? Int == 403)
        }
    }

    // MARK: Row: a replayed challenge

    /// dex deletes the auth request once it is used: submitting the same signed challenge again is
    /// 400 `{"status":400,"message":"Requested resource does not exist."}` (§2.3 step 1), no second JWT.
    @Test func replayedChallenge() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let license = try Self.license(session)
            let (clientId, domain) = (license.clientId, license.domain)
            let key = license.key
            let (state, challenge) = try await DIMOSession.challenge(client, clientId: clientId, domain: domain)
            let first = try await DIMOSession.submit(client, clientId: clientId, domain: domain, state: state, challenge: challenge, key: key)
            #expect(first.status == .ok)
            for _ in 0..<2 {
                let replayed = try await DIMOSession.submit(client, clientId: clientId, domain: domain, state: state, challenge: challenge, key: key)
                #expect(replayed.status == .badRequest)
                #expect(replayed.headers[.contentType] == Self.jsonType)
                #expect(replayed.text == #"{"status":400,"message":"Requested resource does not exist."}"#)
            }
        }
    }
}
