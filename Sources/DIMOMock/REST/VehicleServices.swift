import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Valuations and trips: vehicle-JWT services that check the legacy claims (token_id, contract_address, privilege_ids).
struct VehicleServices: Sendable {
    let fleet: Fleet
    let access: DIMOAccess
    let vehicleTokens: JWTIssuer

    static func codeError(_ status: Int, _ message: String) -> Response {
        Responses.json(.object([("code", .integer(Int64(status))), ("message", .string(message))]), status: .init(code: status))
    }

    /// shared/privilegetoken: the claims must be for this token id and contract and hold one of `anyOf`.
    func legacyClaims(_ request: Request, tokenId: String, anyOf: [Int], invalid: Response, failed: (String) -> Response) async throws -> Result<VehicleSnapshot, ResponseError> {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
              let unverified = TokenExchange.unverifiedClaims(String(header.dropFirst(7))),
              let claimId = unverified["token_id"]?.stringValue.flatMap({ Int64($0) }),
              let snapshot = try await access.vehicle(tokenId: claimId),
              let sandbox = try await fleet.sandboxRecord(snapshot.vehicle.sandboxId),
              let claims = try await vehicleTokens.verify(String(header.dropFirst(7)), now: sandbox.clock.now()) else {
            return .failure(ResponseError(invalid))
        }
        guard claims["token_id"]?.stringValue == tokenId else { return .failure(ResponseError(failed("Unauthorized! Wrong device token provided"))) }
        guard claims["contract_address"]?.stringValue?.lowercased() == DIMOContracts.vehicle.lowercased() else {
            return .failure(ResponseError(failed("Provided token is for the wrong contract: \(claims["contract_address"]?.stringValue ?? "")")))
        }
        let ids = Set(claims["privilege_ids"]?.arrayValue?.compactMap(\.intValue).map(Int.init) ?? [])
        guard anyOf.contains(where: ids.contains) else { return .failure(ResponseError(failed("Unauthorized! Token does not contain required privileges"))) }
        return .success(snapshot)
    }

    // MARK: Valuations

    func valuations(_ request: Request, tokenId: String, action: String, scope: RequestScope) async throws -> Response {
        let anyOf = action == "valuations" || action == "offers" ? [1] : [1, 5]
        let snapshot: VehicleSnapshot
        switch try await legacyClaims(request, tokenId: tokenId, anyOf: anyOf, invalid: Self.codeError(401, "Invalid privilege token."),
                                      failed: { Self.codeError(401, $0) }) {
        case .failure(let failure): return failure.response
        case .success(let value): snapshot = value
        }
        scope.sandboxId = snapshot.vehicle.sandboxId
        let sandbox = try await fleet.world(snapshot.vehicle.sandboxId).sandbox
        let now = sandbox.clock.now()
        switch (request.method, action) {
        case (.get, "valuations"):
            let value = Self.estimate(snapshot, now: now)
            return Responses.json(.object([("valuationSets", .array([.object([
                ("vendor", "drivly"), ("updated", .string(Timestamp.seconds(now))), ("mileage", .integer(Int64(snapshot.state.odometerKm * 0.621371))),
                ("zipCode", "94103"), ("tradeInSource", "drivly"), ("tradeIn", .integer(Int64(value * 0.85))),
                ("tradeInClean", .integer(Int64(value * 0.9))), ("tradeInAverage", .integer(Int64(value * 0.85))), ("tradeInRough", .integer(Int64(value * 0.78))),
                ("retailSource", "drivly"), ("retail", .integer(Int64(value))), ("retailClean", .integer(Int64(value * 1.05))),
                ("retailAverage", .integer(Int64(value))), ("retailRough", .integer(Int64(value * 0.92))), ("odometerUnit", "km"),
                ("odometer", .number((snapshot.state.odometerKm * 100).rounded() / 100)), ("odometerMeasurementType", "Real"),
                ("userDisplayPrice", .integer(Int64(value))), ("currency", "USD"),
            ])]))]))
        case (.get, "offers"):
            // Offers exist once an instant offer was requested.
            guard let requested = try await access.latestAttestation(vehicleId: snapshot.vehicle.id ?? 0, kind: "instant-offer") else {
                return Responses.json(.object([("offerSets", .array([]))]))
            }
            let value = Self.estimate(snapshot, now: requested.createdAt)
            return Responses.json(.object([("offerSets", .array([.object([
                ("source", "drivly"), ("updated", .string(Timestamp.seconds(requested.createdAt))), ("mileage", .integer(Int64(snapshot.state.odometerKm * 0.621371))),
                ("odometerMeasurementType", "Real"), ("zipCode", "94103"),
                ("offers", .array([
                    .object([("vendor", "carvana"), ("price", .integer(Int64(value * 0.88))), ("url", "https://www.carvana.com/sell-my-car"), ("grade", "B")]),
                    .object([("vendor", "vroom"), ("price", .integer(Int64(value * 0.86))), ("url", "https://www.vroom.com/sell"), ("grade", "B")]),
                ])),
            ])]))]))
        case (.post, "instant-offer"):
            if let last = try await access.latestAttestation(vehicleId: snapshot.vehicle.id ?? 0, kind: "instant-offer"),
               now.timeIntervalSince(last.createdAt) < 30 * 86400 {
                return Self.codeError(400, "already requested in last 30 days")
            }
            try await access.addAttestation(DIMOAttestationRecord(sandboxId: snapshot.vehicle.sandboxId, vehicleId: snapshot.vehicle.id ?? 0,
                                                                  kind: "instant-offer", payload: "{}", createdAt: now))
            return Responses.json(.object([("message", "instant offer request completed: done")]))
        case (.post, "valuation"), (.post, "valuations"):
            guard try await access.latestAttestation(vehicleId: snapshot.vehicle.id ?? 0, kind: "vin") != nil else {
                return Self.codeError(400, "no vinVC found for tokenId: \(tokenId)")
            }
            return Responses.json(.object([("message", "valuation request completed: done")]))
        default:
            // The group's JWT check has run; fiber then finds no route for this method.
            return Self.codeError(405, "Method Not Allowed")
        }
    }

    /// A simple depreciation model: list price by make and powertrain, 12 %/year, 0.08 $/km.
    static func estimate(_ snapshot: VehicleSnapshot, now: Date) -> Double {
        let v = snapshot.vehicle
        var base = v.powertrain == .bev ? 48_000.0 : v.powertrain == .phev ? 42_000 : 34_000
        if ["BMW", "RIVIAN", "TESLA"].contains(v.make) { base *= 1.25 }
        let years = max(0, Double(Calendar(identifier: .gregorian).component(.year, from: now) - v.year))
        let value = base * pow(0.88, years) - snapshot.state.odometerKm * 0.05
        return max(1500, (value / 50).rounded() * 50)
    }

    // MARK: Trips

    func trips(_ request: Request, tokenId: String, scope: RequestScope) async throws -> Response {
        guard Int64(tokenId) != nil else { return Responses.text("Couldn't parse vehicle token id.", status: .badRequest) }
        let snapshot: VehicleSnapshot
        switch try await legacyClaims(request, tokenId: tokenId, anyOf: [4], invalid: Responses.text("Invalid or expired JWT", status: .unauthorized),
                                      failed: { Responses.text($0, status: .unauthorized) }) {
        case .failure(let failure): return failure.response
        case .success(let value): snapshot = value
        }
        scope.sandboxId = snapshot.vehicle.sandboxId
        let page = Int(request.queryItems["page"] ?? "1") ?? 1
        guard page >= 1 else { return Responses.text("Couldn't parse page.", status: .badRequest) }
        let now = try await fleet.clock(snapshot.vehicle.sandboxId).now()
        let (trips, total) = try await fleet.trips(vehicleId: snapshot.vehicle.id ?? 0, until: now, limit: 100, offset: (page - 1) * 100)
        func end(_ time: Date, _ lat: Double, _ lon: Double) -> JSONValue {
            .object([("time", .string(Timestamp.seconds(time))), ("location", .object([("latitude", .number(lat)), ("longitude", .number(lon))]))])
        }
        return Responses.json(.object([
            ("trips", .array(trips.map { trip in
                .object([("id", .string(trip.id)), ("start", end(trip.startTime, trip.startLatitude, trip.startLongitude)),
                         ("end", end(trip.endTime, trip.endLatitude, trip.endLongitude)), ("droppedData", false)])
            })),
            ("totalPages", .integer(Int64((total + 99) / 100))),
            ("currentPage", .integer(Int64(page))),
        ]))
    }
}
