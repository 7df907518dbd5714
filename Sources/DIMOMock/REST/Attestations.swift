import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The attestation API: VIN credentials (that `vinVCLatest` then returns) and the other statements.
struct Attestations: Sendable {
    let fleet: Fleet
    let access: DIMOAccess
    let vehicleTokens: JWTIssuer

    /// The address that signs fleetmock's credentials.
    static let issuerAddress = IdentityValues.derivedAddress("fleetmock-attestation-issuer")

    /// server-garage's error body: `{"message","code"}`.
    static func error(_ status: Int, _ message: String) -> Response {
        Responses.json(.object([("message", .string(message)), ("code", .integer(Int64(status)))]), status: .init(code: status))
    }

    /// Checks the vehicle JWT as gofiber jwtware and the permission middleware do.
    static func vehicleClaims(_ request: Request, tokenId: String, permissions: [String], tokens: JWTIssuer, access: DIMOAccess) async throws -> Result<JSONValue, ResponseError> {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            return .failure(ResponseError(TokenExchange.jwtError(missing: true)))
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let unverified = TokenExchange.unverifiedClaims(token), let tokenIdClaim = unverified["token_id"]?.stringValue,
              let claimVehicle = Int64(tokenIdClaim), let snapshot = try await access.vehicle(tokenId: claimVehicle),
              let sandbox = try await access.fleet.sandboxRecord(snapshot.vehicle.sandboxId),
              let claims = try await tokens.verify(token, now: sandbox.clock.now()) else {
            return .failure(ResponseError(TokenExchange.jwtError(missing: false)))
        }
        guard Int64(tokenId) != nil else { return .failure(ResponseError(error(400, "invalid token_id format"))) }
        let asset = claims["asset"]?.stringValue ?? ""
        let parts = asset.split(separator: ":").map(String.init)
        guard parts.count == 5, parts[1] == "erc721" else { return .failure(ResponseError(error(401, "Unauthorized! invalid asset"))) }
        guard parts[3].lowercased() == DIMOContracts.vehicle.lowercased() else {
            return .failure(ResponseError(error(401, "Provided token is for the wrong contract: \(parts[3])")))
        }
        guard parts[4] == tokenId else { return .failure(ResponseError(error(401, "Unauthorized! mismatch token Id provided"))) }
        let granted = Set(claims["permissions"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        guard permissions.allSatisfy(granted.contains) else {
            return .failure(ResponseError(error(401, "Unauthorized! Token does not contain required privileges")))
        }
        return .success(claims)
    }

    func handle(_ request: Request, kind: String, tokenId: String, body: Data, scope: RequestScope) async throws -> Response {
        let required: [String]
        switch kind {
        case "vin": required = ["privilege:GetVINCredential"]
        case "odometer-statement": required = ["privilege:GetNonLocationHistory"]
        case "vehicle-health": required = ["privilege:GetNonLocationHistory", "privilege:GetLocationHistory"]
        case "vehicle-position": required = ["privilege:GetLocationHistory"]
        default: return Self.error(404, "Cannot POST \(request.uri.path)")
        }
        switch try await Self.vehicleClaims(request, tokenId: tokenId, permissions: required, tokens: vehicleTokens, access: access) {
        case .failure(let failure): return failure.response
        case .success: break
        }
        guard let id = Int64(tokenId), let snapshot = try await access.vehicle(tokenId: id), let vehicleId = snapshot.vehicle.id else {
            return Self.error(400, "invalid token_id format")
        }
        scope.sandboxId = snapshot.vehicle.sandboxId
        let sandbox = try await fleet.world(snapshot.vehicle.sandboxId).sandbox
        let now = sandbox.clock.now()
        if kind == "vehicle-health" {
            let json = JSONValue.parse(body)
            guard let startText = json?["startTime"]?.stringValue, let endText = json?["endTime"]?.stringValue,
                  let start = Timestamp.parse(startText), let end = Timestamp.parse(endText), start < end else {
                return Self.error(400, "invalid time range")
            }
            if end.timeIntervalSince(start) > 30 * 86400 { return Self.error(400, "time range cannot exceed 30 days") }
        }
        if kind == "vin" {
            let credential = JSONValue.object([
                ("@context", .array(["https://www.w3.org/ns/credentials/v2", "https://attestation-api.dimo.zone/v1/vc/context"])),
                ("id", .string("urn:uuid:\(Identifiers.uuidFromSeed("vin:\(id):\(now.timeIntervalSince1970)"))")),
                ("type", .array(["VerifiableCredential", "Vehicle"])),
                ("issuer", .string("did:ethr:\(DIMOContracts.chainId):\(Self.issuerAddress)")),
                ("validFrom", .string(Timestamp.seconds(now))),
                ("validTo", .string(Timestamp.seconds(now.addingTimeInterval(7 * 86400)))),
                ("credentialSubject", .object([
                    ("id", .string("did:erc721:\(DIMOContracts.chainId):\(DIMOContracts.vehicle):\(id)")),
                    ("vehicleTokenId", .integer(id)),
                    ("vehicleContractAddress", .string(DIMOContracts.vehicle)),
                    ("vehicleIdentificationNumber", .string(snapshot.vehicle.vin)),
                    ("recordedBy", .string("did:ethr:\(DIMOContracts.chainId):\(IdentityValues.derivedAddress("fleetmock-connection"))")),
                    ("recordedAt", .string(Timestamp.seconds(snapshot.updatedAt))),
                    ("countryCode", "USA"),
                ])),
            ])
            try await access.addAttestation(DIMOAttestationRecord(sandboxId: snapshot.vehicle.sandboxId, vehicleId: vehicleId, kind: "vin",
                                                                  payload: credential.text, createdAt: now))
            return Responses.json(.object([
                ("vcUrl", "https://telemetry-api.dimo.zone/query"),
                ("vcQuery", .string("query {vinVCLatest(tokenId: \(id)) {rawVC}}")),
                ("message", "VC generated successfully. Retrieve using the provided GQL URL and query parameter."),
            ]))
        }
        try await access.addAttestation(DIMOAttestationRecord(sandboxId: snapshot.vehicle.sandboxId, vehicleId: vehicleId, kind: kind,
                                                              payload: JSONValue.object([("odometerKm", .number(snapshot.state.odometerKm))]).text, createdAt: now))
        return Responses.json(.object([("message", "VC generated successfully, retrieve using the provided telemetry-api.")]))
    }
}

extension Identifiers {
    /// A UUID-shaped id derived from a seed string.
    static func uuidFromSeed(_ seed: String) -> String {
        let hex = Array(Hex.encode(Keccak256.hash(seed).prefix(16)))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }
}
