import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// `POST /v1/tokens/exchange`: a developer JWT plus a vehicle and privileges in, a 10-minute vehicle JWT out.
struct TokenExchange: Sendable {
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let vehicleTokens: JWTIssuer

    static let lifetime: Int64 = 600

    /// token-exchange's JSON error: `{"code","message"}`.
    static func error(_ status: Int, _ message: String) -> Response {
        Responses.json(.object([("code", .integer(Int64(status))), ("message", .string(message))]), status: .init(code: status))
    }

    /// gofiber jwtware's plain-text errors.
    static func jwtError(missing: Bool) -> Response {
        missing ? Responses.text("missing or malformed JWT", status: .badRequest) : Responses.text("Invalid or expired JWT", status: .unauthorized)
    }

    /// The developer license a request's bearer developer JWT speaks for, or the error response.
    static func developer(_ request: Request, access: DIMOAccess, tokens: JWTIssuer) async throws -> Result<(DIMOLicenseRecord, SandboxRecord, JSONValue), ResponseError> {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            return .failure(ResponseError(jwtError(missing: true)))
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        // Expiry is judged on the sandbox clock of the license, so decode first to find it.
        guard let claimsUnverified = unverifiedClaims(token), let aud = claimsUnverified["aud"]?.stringValue,
              let (_, audSandbox) = try await access.license(clientId: aud),
              let claims = try await tokens.verify(token, now: audSandbox.clock.now()) else {
            return .failure(ResponseError(jwtError(missing: false)))
        }
        guard let subject = claims["sub"]?.stringValue, let user = WebAuth.address(fromSubject: subject) else {
            return .failure(ResponseError(error(400, "failed to decode subject")))
        }
        guard Ethereum.checksumAddress(user) != nil else { return .failure(ResponseError(error(400, "user id is not valid hex address"))) }
        guard let (license, sandbox) = try await access.license(clientId: user) else {
            return .failure(ResponseError(error(403, "not a dev license: \(user)")))
        }
        guard claims["ethereum_address"]?.stringValue != nil else {
            return .failure(ResponseError(error(401, "No Ethereum address claim found.")))
        }
        return .success((license, sandbox, claims))
    }

    static func unverifiedClaims(_ token: String) -> JSONValue? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(String(parts[1])) else { return nil }
        return JSONValue.parse(data)
    }

    func handle(_ request: Request, body: Data, scope: RequestScope) async throws -> Response {
        let license: DIMOLicenseRecord, sandbox: SandboxRecord
        switch try await Self.developer(request, access: access, tokens: developerTokens) {
        case .failure(let failure): return failure.response
        case .success(let value): (license, sandbox, _) = value
        }
        scope.sandboxId = sandbox.id
        guard let json = JSONValue.parse(body), json.objectValue != nil else { return Self.error(400, "Couldn't parse request body.") }

        // The asset: `asset` (a DID) wins over nftContractAddress + tokenId.
        let contract: String
        let tokenId: Int64
        if let asset = json["asset"]?.stringValue {
            let parts = asset.split(separator: ":").map(String.init)
            guard parts.count == 5, parts[0] == "did", parts[1] == "erc721", let chain = Int64(parts[2]), chain == DIMOContracts.chainId,
                  let checksummed = Ethereum.checksumAddress(parts[3]), let id = Int64(parts[4]) else {
                return Self.error(400, "Invalid asset DID \"\(asset)\": invalid format")
            }
            contract = checksummed
            tokenId = id
        } else {
            let raw = json["nftContractAddress"]?.stringValue ?? ""
            guard let checksummed = Ethereum.checksumAddress(raw) else { return Self.error(400, "Invalid NFT contract address \"\(raw)\".") }
            guard let id = json["tokenId"]?.intValue else { return Self.error(400, "Couldn't parse request body.") }
            contract = checksummed
            tokenId = id
        }
        // Privileges: `permissions` (names) win over `privileges` (ids).
        var ids: [Int] = []
        if let names = json["permissions"]?.arrayValue {
            for name in names {
                guard let text = name.stringValue, let id = DIMOPrivilege.names.first(where: { $0.value == text })?.key else {
                    return Self.error(400, "unknown permissions [\(name.stringValue ?? name.text)]")
                }
                ids.append(id)
            }
        } else if let list = json["privileges"]?.arrayValue {
            let numbers = list.compactMap(\.intValue).map(Int.init)
            guard numbers.count == list.count else { return Self.error(400, "Couldn't parse request body.") }
            let unknown = numbers.filter { DIMOPrivilege.names[$0] == nil }
            if !unknown.isEmpty { return Self.error(400, "unknown privileges [\(unknown.map(String.init).joined(separator: " "))]") }
            ids = numbers
        }
        let cloudEvents = json["cloudEvents"]?["events"]?.arrayValue ?? []
        if ids.isEmpty, cloudEvents.isEmpty { return Self.error(400, "Please provide at least one privilege or cloudevent") }

        let did = "did:erc721:\(DIMOContracts.chainId):\(contract):\(tokenId)"
        let denied = Self.error(403, "Address \(license.clientId) lacks permissions [\(ids.map(String.init).joined(separator: " "))] for asset \(did).")
        guard contract.lowercased() == DIMOContracts.vehicle.lowercased(),
              let snapshot = try await access.vehicle(tokenId: tokenId), snapshot.vehicle.sandboxId == sandbox.id,
              let vehicleId = snapshot.vehicle.id else { return denied }
        let now = sandbox.clock.now()
        if snapshot.owner.dimoAddress.lowercased() != license.clientId.lowercased() {
            let grants = try await access.sacds(vehicleId: vehicleId, at: now).filter { $0.grantee.lowercased() == license.clientId.lowercased() }
            let granted = Set(grants.flatMap { DIMOPrivilege.ids(fromHex: $0.permissions) })
            guard Set(ids).isSubset(of: granted), !grants.isEmpty else { return denied }
        }
        let iat = Int64(now.timeIntervalSince1970)
        let audience = json["audience"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let events: [JSONValue] = cloudEvents.map { event in
            .object([("eventType", .string(event["eventType"]?.stringValue ?? "*")), ("source", .string(event["source"]?.stringValue ?? "*")),
                     ("ids", event["ids"] ?? .array(["*"])), ("tags", event["tags"] ?? .array(["*"]))])
        }
        let claims = JSONValue.object([
            ("asset", .string(did)),
            ("aud", .array((audience.isEmpty ? ["dimo.zone"] : audience).map { .string($0) })),
            ("cloud_events", .object([("events", .array(events))])),
            ("contract_address", .string(contract.lowercased())),
            ("exp", .integer(iat + Self.lifetime)),
            ("iat", .integer(iat)),
            ("iss", .string(JWTIssuer.vehicleIssuer)),
            ("permissions", .array(ids.compactMap { DIMOPrivilege.names[$0] }.map { .string($0) })),
            ("privilege_ids", .array(ids.map { .integer(Int64($0)) })),
            ("sub", .string(license.clientId)),
            ("token_id", .string(String(tokenId))),
        ])
        return Responses.json(.object([("token", .string(try await vehicleTokens.sign(claims)))]))
    }
}

/// A ready error response carried through a `Result`.
struct ResponseError: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
