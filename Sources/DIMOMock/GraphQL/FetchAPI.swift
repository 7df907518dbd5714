import FleetCore
import FleetHTTP
import Foundation
import GraphQL

/// The Fetch API: a vehicle's CloudEvents (status snapshots at each trip's end and now, and its
/// attestations), for the vehicle JWT's own asset.
enum FetchResolvers {
    struct Event: Sendable {
        var type: String
        var time: Date
        var id: String
        var dataversion: String
        var data: JSONValue
    }

    static func events(_ snapshot: VehicleSnapshot, context: TelemetryContext) async throws -> [Event] {
        guard let vehicleId = snapshot.vehicle.id else { return [] }
        var out: [Event] = []
        let now = try await context.fleet.clock(snapshot.vehicle.sandboxId).now()
        let trips = try await context.fleet.trips(vehicleId: vehicleId, until: now, limit: 50, offset: 0).trips
        for trip in trips {
            out.append(Event(type: "dimo.status", time: trip.endTime, id: "st-\(trip.id)", dataversion: "default/v1.0", data: .object([
                ("signals", .array([
                    .object([("name", "currentLocationCoordinates"), ("timestamp", .string(Timestamp.seconds(trip.endTime))),
                             ("value", .object([("latitude", .number(trip.endLatitude)), ("longitude", .number(trip.endLongitude))]))]),
                    .object([("name", "isIgnitionOn"), ("timestamp", .string(Timestamp.seconds(trip.endTime))), ("value", 0)]),
                ])),
            ])))
        }
        let signals: [JSONValue] = TelemetrySignals.derive(snapshot.vehicle, snapshot.state).map { name, value in
            let rendered: JSONValue
            switch value {
            case .number(let n): rendered = .number(n)
            case .string(let s): rendered = .string(s)
            case .location(let lat, let lon): rendered = .object([("latitude", .number(lat)), ("longitude", .number(lon))])
            }
            return .object([("name", .string(name)), ("timestamp", .string(Timestamp.seconds(snapshot.updatedAt))), ("value", rendered)])
        }
        out.append(Event(type: "dimo.status", time: snapshot.updatedAt, id: "st-now-\(Int64(snapshot.updatedAt.timeIntervalSince1970))",
                         dataversion: "default/v1.0", data: .object([("signals", .array(signals))])))
        if let vin = try await context.access.latestAttestation(vehicleId: vehicleId, kind: "vin"), let payload = JSONValue.parse(Data(vin.payload.utf8)) {
            out.append(Event(type: "dimo.attestation", time: vin.createdAt, id: "att-\(vin.id ?? 0)", dataversion: "vin/v1.0", data: payload))
        }
        return out.sorted { $0.time > $1.time }
    }

    static func header(_ event: Event, did: String) -> GQLObject {
        GQLObject("CloudEventHeader", [
            "specversion": "1.0", "type": event.type, "source": Attestations.issuerAddress, "subject": did, "id": event.id,
            "time": Timestamp.seconds(event.time), "datacontenttype": "application/json", "dataversion": event.dataversion,
            "producer": did, "signature": "0x" + Hex.encode(Keccak256.hash(event.id)), "tags": [String](),
        ])
    }

    /// The events of `did` that the token may read, filtered.
    static func select(_ args: Map, _ ctx: any Sendable) async throws -> (String, [Event]) {
        guard let context = ctx as? TelemetryContext else { throw FieldError("internal: no context") }
        guard let claims = context.claims else { throw FieldError("unauthorized: no token claims") }
        let permissions = context.permissions
        guard permissions.contains("privilege:GetRawData")
                || (permissions.contains("privilege:GetNonLocationHistory") && permissions.contains("privilege:GetLocationHistory")) else {
            throw FieldError("unauthorized: token does not have required permission for this operation")
        }
        let did = args["did"].stringArg ?? ""
        guard did.lowercased() == claims["asset"]?.stringValue?.lowercased() else {
            throw FieldError("unauthorized: token does not have access to this subject")
        }
        guard let tokenId = did.split(separator: ":").last.flatMap({ Int64($0) }),
              let snapshot = try await context.access.vehicle(tokenId: tokenId) else { return (did, []) }
        var list = try await events(snapshot, context: context)
        let filter = args["filter"]
        if let id = filter["id"].stringArg { list = list.filter { $0.id == id } }
        var types: [String] = filter["types"].arrayArg?.compactMap(\.stringArg) ?? []
        if let type = filter["type"].stringArg { types.append(type) }
        if !types.isEmpty { list = list.filter { types.contains($0.type) } }
        if let version = filter["dataversion"].stringArg { list = list.filter { $0.dataversion == version } }
        if let before = filter["before"].stringArg.flatMap(Timestamp.parse) { list = list.filter { $0.time < before } }
        if let after = filter["after"].stringArg.flatMap(Timestamp.parse) { list = list.filter { $0.time > after } }
        return (did, list)
    }

    static var all: [String: FieldResolver] {
        var r: [String: FieldResolver] = [:]
        @Sendable func index(_ event: Event, _ did: String) -> GQLObject {
            GQLObject("CloudEventIndex", ["header": header(event, did: did), "indexKey": "\(did)/\(Timestamp.seconds(event.time))/\(event.type)/\(event.id)"])
        }
        @Sendable func full(_ event: Event, _ did: String) -> GQLObject {
            GQLObject("CloudEvent", ["header": header(event, did: did), "data": Map(json: event.data)])
        }
        @Sendable func limit(_ args: Map) -> Int { max(0, min(1000, args["limit"].intArg ?? 10)) }
        r["Query.latestIndex"] = { _, args, ctx, _ in
            let (did, list) = try await select(args, ctx)
            return list.first.map { index($0, did) }
        }
        r["Query.indexes"] = { _, args, ctx, _ in
            let (did, list) = try await select(args, ctx)
            return list.prefix(limit(args)).map { index($0, did) }
        }
        r["Query.latestCloudEvent"] = { _, args, ctx, _ in
            let (did, list) = try await select(args, ctx)
            return list.first.map { full($0, did) }
        }
        r["Query.cloudEvents"] = { _, args, ctx, _ in
            let (did, list) = try await select(args, ctx)
            return list.prefix(limit(args)).map { full($0, did) }
        }
        r["Query.availableCloudEventTypes"] = { _, args, ctx, _ in
            let (_, list) = try await select(args, ctx)
            var byType: [String: [Event]] = [:]
            for event in list { byType[event.type, default: []].append(event) }
            return byType.keys.sorted().map { type in
                let times = byType[type]?.map(\.time) ?? []
                return GQLObject("CloudEventTypeSummary", ["type": type, "count": times.count,
                                                           "firstSeen": Timestamp.seconds(times.min() ?? Date()),
                                                           "lastSeen": Timestamp.seconds(times.max() ?? Date())])
            }
        }
        return r
    }
}
