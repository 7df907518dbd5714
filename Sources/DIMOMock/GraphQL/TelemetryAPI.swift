import FleetCore
import FleetHTTP
import Foundation
import GraphQL
import Synchronization
import OrderedCollections

/// What a Telemetry request carries: the verified vehicle-JWT claims (nil without a token).
struct TelemetryContext: Sendable {
    let claims: JSONValue?
    let fleet: Fleet
    let access: DIMOAccess

    /// The vehicle JWT's permissions, read once (every guarded field of every bucket asks).
    let permissions: Set<String>

    init(claims: JSONValue?, fleet: Fleet, access: DIMOAccess) {
        self.claims = claims
        self.fleet = fleet
        self.access = access
        permissions = Set(claims?["permissions"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}

/// Telemetry's privilege enum → the permission strings of the vehicle JWT.
enum TelemetryPrivilege {
    static let permission: [String: String] = [
        "VEHICLE_NON_LOCATION_DATA": "privilege:GetNonLocationHistory",
        "VEHICLE_COMMANDS": "privilege:ExecuteCommands",
        "VEHICLE_CURRENT_LOCATION": "privilege:GetCurrentLocation",
        "VEHICLE_ALL_TIME_LOCATION": "privilege:GetLocationHistory",
        "VEHICLE_VIN_CREDENTIAL": "privilege:GetVINCredential",
        "VEHICLE_APPROXIMATE_LOCATION": "privilege:GetApproximateLocation",
        "VEHICLE_RAW_DATA": "privilege:GetRawData",
        "MANUFACTURER_DEVICE_LAST_SEEN": "privilege:ManufacturerDeviceLastSeen",
    ]
}

/// Resolvers and directive checks of the Telemetry API (the SDK-era schema and the current upstream additions).
enum TelemetryResolvers {
    static func context(_ any: any Sendable) throws -> TelemetryContext {
        guard let context = any as? TelemetryContext else { throw FieldError("internal: no context") }
        return context
    }

    /// The auth directives, with telemetry-api's exact messages (plain errors, no extensions).
    static let fieldGuard: FieldGuard = { _, directives, args, ctx in
        let context = try context(ctx)
        if directives["requiresVehicleToken"] != nil {
            guard let claims = context.claims else { throw FieldError("unauthorized: jwt missing") }
            let asset = claims["asset"]?.stringValue ?? ""
            let parts = asset.split(separator: ":").map(String.init)
            let contract = parts.count == 5 ? parts[3] : (claims["contract_address"]?.stringValue ?? "")
            if contract.lowercased() != DIMOContracts.vehicle.lowercased() {
                throw FieldError("unauthorized: contract in claim is \(Ethereum.checksumAddress(contract) ?? contract) instead of the required \(DIMOContracts.vehicle)")
            }
            let tokenId = parts.count == 5 ? parts[4] : (claims["token_id"]?.stringValue ?? "")
            if let wanted = args["tokenId"].intArg, String(wanted) != tokenId { throw FieldError("unauthorized: token id does not match") }
        }
        if let required = directives["requiresAllOfPrivileges"] {
            guard context.claims != nil else { throw FieldError("unauthorized: jwt missing") }
            let missing = required.compactMap { TelemetryPrivilege.permission[$0] }.filter { !context.permissions.contains($0) }
            if !missing.isEmpty { throw FieldError("unauthorized: missing required privilege(s) \(missing.joined(separator: ", "))") }
        }
        if let anyOf = directives["requiresOneOfPrivilege"] {
            guard context.claims != nil else { throw FieldError("unauthorized: jwt missing") }
            let names = anyOf.compactMap { TelemetryPrivilege.permission[$0] }
            if !names.contains(where: context.permissions.contains) {
                throw FieldError("unauthorized: requires at least one of the following privileges [\(names.joined(separator: " "))]")
            }
        }
        if directives["requiresManufacturerToken"] != nil {
            throw FieldError("unauthorized: token is not a manufacturer token")
        }
    }

    static func vehicle(_ args: Map, _ context: TelemetryContext) async throws -> VehicleSnapshot? {
        guard let tokenId = args["tokenId"].intArg else { return nil }
        return try await context.access.vehicle(tokenId: Int64(tokenId))
    }

    static func time(_ date: Date) -> String { Timestamp.seconds(date) }

    /// Snaps a coordinate to the centre of a ~4 km grid cell (upstream uses an H3 resolution-6 cell).
    static func approximate(_ degrees: Double) -> Double { ((degrees / 0.036).rounded(.down) + 0.5) * 0.036 }

    /// A `Location` snapped to the approximate grid (HDOP untouched).
    static func approximate(_ location: GQLObject) -> GQLObject {
        GQLObject("Location", ["latitude": approximate(location["latitude"] as? Double ?? 0),
                               "longitude": approximate(location["longitude"] as? Double ?? 0), "hdop": location["hdop"]])
    }

    /// The latest value of every signal the fleet derives for the car (as `signalsLatest` answers),
    /// with the approximate location signals, all stamped with the car's last update.
    static func latestValues(_ snapshot: VehicleSnapshot) -> [(name: String, value: TelemetrySignals.Value)] {
        var values = TelemetrySignals.derive(snapshot.vehicle, snapshot.state)
        let (lat, lon) = (snapshot.state.latitude, snapshot.state.longitude)
        values += [("currentLocationLatitude", .number(lat)), ("currentLocationLongitude", .number(lon)),
                   ("currentLocationApproximateLatitude", .number(approximate(lat))),
                   ("currentLocationApproximateLongitude", .number(approximate(lon))),
                   ("currentLocationApproximateCoordinates", .location(latitude: approximate(lat), longitude: approximate(lon)))]
        return values
    }

    static func location(_ lat: Double, _ lon: Double) -> GQLObject { GQLObject("Location", ["latitude": lat, "longitude": lon, "hdop": 1.0]) }

    /// The directives of every `SignalCollection` field, read once from the schema text (the executable
    /// schema's own field thunks must not be called again after it is built).
    static let collectionDirectives: [String: FieldDirectives] = {
        guard let base = try? buildSchema(source: TelemetrySchema.sdl),
              let type = base.getType(name: "SignalCollection") as? GraphQLObjectType,
              let fields = try? type.fields() else { return [:] }
        var out: [String: FieldDirectives] = [:]
        for (name, field) in fields { out[name] = ExecutableSchema.directives(of: field.astNode) }
        return out
    }()

    /// Whether the JWT may read `SignalCollection.<name>` (its directives, checked as the field guard does).
    static func permitted(_ name: String, context: TelemetryContext) async -> Bool {
        guard let directives = collectionDirectives[name] else { return false }
        do {
            try await fieldGuard("SignalCollection", directives, .dictionary([:]), context)
            return true
        } catch {
            return false
        }
    }

    /// `signalsSnapshot`: every latest signal the JWT may see, by name.
    static func snapshot(_ args: Map, _ context: TelemetryContext) async throws -> GQLObject? {
        try validateSource(args["filter"])
        guard let snapshot = try await vehicle(args, context) else { return nil }
        let stamp = time(snapshot.updatedAt)
        var signals: [GQLObject] = []
        for (name, value) in latestValues(snapshot).sorted(by: { $0.name < $1.name }) {
            guard await permitted(name, context: context) else { continue }
            var fields: [String: any Sendable] = ["name": name, "timestamp": stamp]
            switch value {
            case .number(let n): fields["valueNumber"] = n
            case .string(let text): fields["valueString"] = text
            case .location(let lat, let lon): fields["valueLocation"] = location(lat, lon)
            }
            signals.append(GQLObject("LatestSignal", fields))
        }
        return GQLObject("SignalsSnapshotResponse", ["lastSeen": stamp, "signals": signals])
    }

    static func validateSource(_ filter: Map) throws {
        guard let source = filter["source"].stringArg else { return }
        let known = ["autopi", "macaron", "ruptela", "smartcar", "tesla", "compass", "motorq"]
        if !known.contains(source.lowercased()), !source.hasPrefix("did:ethr:"), !(source.hasPrefix("0x") && source.count == 42) {
            throw FieldError("invalid argument: source '\(source)' is not a valid source", extensions: [("code", "BAD_REQUEST"), ("reason", "Internal Server Error")])
        }
    }

    /// `signals`: the non-empty buckets of the range, each a `SignalAggregations` whose fields `aggregate` answers.
    static func signalBuckets(_ args: Map, _ context: TelemetryContext) async throws -> [GQLObject]? {
        try validateSource(args["filter"])
        guard let intervalText = args["interval"].stringArg else { return nil }
        let interval = try GoDuration.parse(intervalText)
        guard interval >= 0.000001 else {
            throw FieldError("invalid argument: interval is not a positive integer", extensions: [("code", "BAD_REQUEST"), ("reason", "Internal Server Error")])
        }
        guard let fromText = args["from"].stringArg, let from = Timestamp.parse(fromText),
              let toText = args["to"].stringArg, let to = Timestamp.parse(toText) else { return nil }
        if from > to {
            throw FieldError("invalid argument: from timestamp is after to timestamp", extensions: [("code", "BAD_REQUEST"), ("reason", "Internal Server Error")])
        }
        guard let snapshot = try await vehicle(args, context), let vehicleId = snapshot.vehicle.id else { return nil }
        // Buckets aligned to `from`; only non-empty ones, ascending.
        let indices = try await context.fleet.sampleBuckets(vehicleId: vehicleId, from: from, to: to, interval: interval)
        let starts = indices.map { from.addingTimeInterval(Double($0) * interval) }
        if starts.isEmpty { return nil }
        // One read per signal for the whole range, shared by every bucket of this request.
        let cache = SampleCache(fleet: context.fleet, vehicleId: vehicleId, from: from, to: to)
        return starts.map { start in
            GQLObject("SignalAggregations", ["timestamp": time(start), "_vehicleId": vehicleId, "_from": start,
                                             "_to": min(start.addingTimeInterval(interval), to), "_cache": cache])
        }
    }

    /// One aggregation of one bucket (`field` is the signal's name, or `timestamp`).
    static func aggregate(_ bucket: GQLObject, field: String, args: Map, context: TelemetryContext) async throws -> (any Sendable)? {
        guard let vehicleId = bucket["_vehicleId"] as? Int64,
              let from = bucket["_from"] as? Date, let to = bucket["_to"] as? Date else { return nil }
        let name = field
        if name == "timestamp" { return bucket["timestamp"] }
        let sourceName: String
        switch name {
        case "currentLocationApproximateLatitude": sourceName = "currentLocationLatitude"
        case "currentLocationApproximateLongitude": sourceName = "currentLocationLongitude"
        case "currentLocationApproximateCoordinates": sourceName = "currentLocationCoordinates"
        default: sourceName = name
        }
        var samples: [TelemetrySample]
        if let cache = bucket["_cache"] as? SampleCache {
            samples = try await cache.samples(sourceName, from: from, to: to)
        } else {
            samples = try await context.fleet.samples(vehicleId: vehicleId, name: sourceName, from: from, to: to)
        }
        if let filter = Optional(args["filter"]), !filter.isAbsent, name != "currentLocationCoordinates" {
            samples = samples.filter { sample in sample.valueNumber.map { FloatFilter.matches($0, filter) } ?? false }
        }
        guard !samples.isEmpty, let agg = args["agg"].stringArg else { return nil }
        let result = Aggregation.apply(agg, to: samples, seed: UInt64(from.timeIntervalSince1970))
        if name.hasPrefix("currentLocationApproximate"), let value = result as? Double { return approximate(value) }
        if name == "currentLocationApproximateCoordinates", let location = result as? GQLObject { return approximate(location) }
        return result
    }

    /// `DataSummary.eventDataSummary`: per event name, how many and when first and last (by name).
    static func eventSummary(_ events: [VehicleEventRecord]) -> [GQLObject] {
        Dictionary(grouping: events, by: \.name).sorted { $0.key < $1.key }.compactMap { name, list in
            guard let first = list.map(\.timestamp).min(), let last = list.map(\.timestamp).max() else { return nil }
            return GQLObject("EventDataSummary", ["name": name, "numberOfEvents": String(list.count), "firstSeen": time(first), "lastSeen": time(last)])
        }
    }

    /// `AttestationFilter`'s time bounds: `before`, `after` and the exclusive pagination `cursor` (newest first).
    static func inTimeWindow(_ date: Date, _ filter: Map) -> Bool {
        func bound(_ key: String) -> Date? { filter[key].stringArg.flatMap(Timestamp.parse) }
        if let before = bound("before"), !(date < before) { return false }
        if let after = bound("after"), !(date > after) { return false }
        if let cursor = bound("cursor"), !(date < cursor) { return false }
        return true
    }

    static var all: [String: FieldResolver] {
        var r: [String: FieldResolver] = [:]

        r["Query.signalsLatest"] = { _, args, ctx, _ in
            let context = try context(ctx)
            try validateSource(args["filter"])
            guard let snapshot = try await vehicle(args, context) else { return nil }
            let stamp = time(snapshot.updatedAt)
            var fields: [String: any Sendable] = ["lastSeen": stamp]
            for (name, value) in latestValues(snapshot) {
                switch value {
                case .number(let n): fields[name] = GQLObject("SignalFloat", ["timestamp": stamp, "value": n])
                case .string(let text): fields[name] = GQLObject("SignalString", ["timestamp": stamp, "value": text])
                case .location(let lat, let lon): fields[name] = GQLObject("SignalLocation", ["timestamp": stamp, "value": location(lat, lon)])
                }
            }
            return GQLObject("SignalCollection", fields)
        }

        r["Query.signalsSnapshot"] = { _, args, ctx, _ in
            try await snapshot(args, try context(ctx))
        }

        r["Query.signals"] = { _, args, ctx, _ in try await signalBuckets(args, try context(ctx)) }

        r["SignalAggregations.*"] = { source, args, ctx, info in
            guard let bucket = source as? GQLObject else { return nil }
            return try await aggregate(bucket, field: info.fieldName, args: args, context: try context(ctx))
        }

        r["Query.availableSignals"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard let snapshot = try await vehicle(args, context), let id = snapshot.vehicle.id else { return nil }
            let names = try await context.fleet.availableSignals(vehicleId: id)
            return names.isEmpty ? nil : names
        }

        r["Query.dataSummary"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard let snapshot = try await vehicle(args, context), let id = snapshot.vehicle.id else { return nil }
            let summary = try await context.fleet.signalSummary(vehicleId: id)
            guard let first = summary.map(\.first).min(), let last = summary.map(\.last).max() else { return nil }
            let events = try await context.fleet.events(vehicleId: id, from: .distantPast, to: .distantFuture)
            return GQLObject("DataSummary", [
                "numberOfSignals": String(summary.reduce(0) { $0 + $1.count }),
                "availableSignals": summary.map(\.name),
                "firstSeen": time(first), "lastSeen": time(last),
                "signalDataSummary": summary.map {
                    GQLObject("SignalDataSummary", ["name": $0.name, "numberOfSignals": String($0.count), "firstSeen": time($0.first), "lastSeen": time($0.last)])
                },
                "eventDataSummary": eventSummary(events),
            ])
        }

        r["Query.vinVCLatest"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard let snapshot = try await vehicle(args, context), let id = snapshot.vehicle.id,
                  let record = try await context.access.latestAttestation(vehicleId: id, kind: "vin"),
                  let payload = JSONValue.parse(Data(record.payload.utf8)) else { return nil }
            let subject = payload["credentialSubject"]
            return GQLObject("VINVC", [
                "vehicleTokenId": Int(snapshot.vehicle.dimoTokenId),
                "vin": subject?["vehicleIdentificationNumber"]?.stringValue,
                "recordedBy": subject?["recordedBy"]?.stringValue,
                "recordedAt": subject?["recordedAt"]?.stringValue,
                "countryCode": subject?["countryCode"]?.stringValue,
                "vehicleContractAddress": subject?["vehicleContractAddress"]?.stringValue,
                "validFrom": payload["validFrom"]?.stringValue,
                "validTo": payload["validTo"]?.stringValue,
                "rawVC": record.payload,
            ])
        }
        r["Query.pomVCLatest"] = { _, _, _, _ in nil }
        r["Query.events"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard let fromText = args["from"].stringArg, let toText = args["to"].stringArg,
                  let from = Timestamp.parse(fromText), let to = Timestamp.parse(toText) else { return nil }
            if from > to {
                throw FieldError("invalid argument: from timestamp is after to timestamp", extensions: [("code", "BAD_REQUEST"), ("reason", "Internal Server Error")])
            }
            guard let snapshot = try await vehicle(args, context), let id = snapshot.vehicle.id else { return nil }
            var events = try await context.fleet.events(vehicleId: id, from: from, to: to)
            let (nameFilter, sourceFilter) = (args["filter"]["name"], args["filter"]["source"])
            events = events.filter { StringFilter.matches($0.name, nameFilter) }
            if !StringFilter.matches(Attestations.issuerAddress, sourceFilter) { events = [] }
            return events.map { event in
                GQLObject("Event", ["timestamp": time(event.timestamp), "name": event.name, "source": Attestations.issuerAddress,
                                    "durationNs": Int(event.durationNs), "metadata": event.metadata])
            }
        }
        r["Query.segments"] = { _, args, ctx, _ in try await TelemetrySegments.segments(args, try context(ctx)) }
        r["Query.dailyActivity"] = { _, args, ctx, _ in try await TelemetrySegments.dailyActivity(args, try context(ctx)) }
        r["Query.attestations"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard context.claims != nil else { throw FieldError("unauthorized: jwt missing") }
            guard let snapshot = try await vehicle(args, context), let id = snapshot.vehicle.id,
                  let record = try await context.access.latestAttestation(vehicleId: id, kind: "vin"),
                  inTimeWindow(record.createdAt, args["filter"]) else { return [GQLObject]() }
            return [GQLObject("Attestation", [
                "id": "vin-\(record.id ?? 0)", "vehicleTokenId": Int(snapshot.vehicle.dimoTokenId), "time": time(record.createdAt),
                "attestation": record.payload, "type": "dimo.verifiablecredential", "source": Attestations.issuerAddress,
                "dataVersion": "vin/v1.0", "producer": "did:erc721:\(DIMOContracts.chainId):\(DIMOContracts.vehicle):\(snapshot.vehicle.dimoTokenId)",
                "signature": "0x" + Hex.encode(Keccak256.hash(record.payload)), "tags": [String](),
            ])]
        }
        return r
    }
}

/// Go's `time.ParseDuration` (ns, us/µs, ms, s, m, h; no days).
enum GoDuration {
    static func parse(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { throw FieldError("failed parsing interval: time: invalid duration \"\(text)\"") }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { throw FieldError("failed parsing interval: time: invalid duration \"\(text)\"") }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isNumber || $0 == ".") }
            guard !unitText.isEmpty else { throw FieldError("failed parsing interval: time: missing unit in duration \"\(text)\"") }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                throw FieldError("failed parsing interval: time: unknown unit \"\(unitText)\" in duration \"\(text)\"")
            }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return sign * total
    }
}

/// `StringValueFilter`: eq, neq, in, notIn, startsWith, or (an absent filter matches everything).
enum StringFilter {
    static func matches(_ value: String, _ filter: Map) -> Bool {
        if filter.isAbsent { return true }
        if let v = filter["eq"].stringArg, value != v { return false }
        if let v = filter["neq"].stringArg, value == v { return false }
        if let list = filter["in"].arrayArg, !list.compactMap(\.stringArg).contains(value) { return false }
        if let list = filter["notIn"].arrayArg, list.compactMap(\.stringArg).contains(value) { return false }
        if let prefix = filter["startsWith"].stringArg, !value.hasPrefix(prefix) { return false }
        if let alternatives = filter["or"].arrayArg, !alternatives.isEmpty, !alternatives.contains(where: { matches(value, $0) }) { return false }
        return true
    }
}

/// `SignalFloatFilter`: eq, neq, gt, lt, gte, lte, in, notIn, or.
enum FloatFilter {
    static func matches(_ value: Double, _ filter: Map) -> Bool {
        if let v = filter["eq"].doubleArg, value != v { return false }
        if let v = filter["neq"].doubleArg, value == v { return false }
        if let v = filter["gt"].doubleArg, !(value > v) { return false }
        if let v = filter["lt"].doubleArg, !(value < v) { return false }
        if let v = filter["gte"].doubleArg, !(value >= v) { return false }
        if let v = filter["lte"].doubleArg, !(value <= v) { return false }
        if let list = filter["in"].arrayArg, !list.compactMap(\.doubleArg).contains(value) { return false }
        if let list = filter["notIn"].arrayArg, list.compactMap(\.doubleArg).contains(value) { return false }
        if let alternatives = filter["or"].arrayArg, !alternatives.isEmpty, !alternatives.contains(where: { matches(value, $0) }) { return false }
        return true
    }
}

/// The aggregations of `signals`, over the stored samples of one bucket.
enum Aggregation {
    static func apply(_ agg: String, to samples: [TelemetrySample], seed: UInt64) -> (any Sendable)? {
        guard let first = samples.first, let last = samples.last else { return nil }
        var rng = SeededRandom(seed: seed)
        let pick = samples[Int.random(in: 0..<samples.count, using: &rng)]
        if first.latitude != nil {
            func location(_ lat: Double, _ lon: Double) -> GQLObject { GQLObject("Location", ["latitude": lat, "longitude": lon, "hdop": 1.0]) }
            switch agg {
            case "AVG":
                let lat = samples.compactMap(\.latitude).reduce(0, +) / Double(samples.count)
                let lon = samples.compactMap(\.longitude).reduce(0, +) / Double(samples.count)
                return location(lat, lon)
            case "FIRST": return location(first.latitude ?? 0, first.longitude ?? 0)
            case "LAST": return location(last.latitude ?? 0, last.longitude ?? 0)
            default: return location(pick.latitude ?? 0, pick.longitude ?? 0)
            }
        }
        if first.valueString != nil {
            let values = samples.compactMap(\.valueString)
            switch agg {
            case "FIRST": return values.first
            case "LAST": return values.last
            case "TOP":
                let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
                return counts.max { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }?.key
            case "UNIQUE":
                var seen: [String] = []
                for value in values where !seen.contains(value) { seen.append(value) }
                return seen.joined(separator: ",")
            default: return pick.valueString
            }
        }
        let values = samples.compactMap(\.valueNumber)
        guard !values.isEmpty else { return nil }
        switch agg {
        case "AVG": return values.reduce(0, +) / Double(values.count)
        case "MED":
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        case "MAX": return values.max()
        case "MIN": return values.min()
        case "FIRST": return first.valueNumber
        case "LAST": return last.valueNumber
        default: return pick.valueNumber
        }
    }
}

/// The samples of one `signals` request, read once per signal and sliced per bucket.
final class SampleCache: Sendable {
    let fleet: Fleet
    let vehicleId: Int64
    let from: Date
    let to: Date
    private let loaded = Mutex([String: Task<[TelemetrySample], any Error>]())

    init(fleet: Fleet, vehicleId: Int64, from: Date, to: Date) {
        self.fleet = fleet
        self.vehicleId = vehicleId
        self.from = from
        self.to = to
    }

    func samples(_ name: String, from start: Date, to end: Date) async throws -> [TelemetrySample] {
        // Buckets resolve concurrently: the first asks the database, the others wait for the same answer.
        let (fleet, vehicleId, from, to) = (self.fleet, self.vehicleId, self.from, self.to)
        let task = loaded.withLock { tasks in
            if let existing = tasks[name] { return existing }
            let created = Task { try await fleet.samples(vehicleId: vehicleId, name: name, from: from, to: to) }
            tasks[name] = created
            return created
        }
        let all = try await task.value
        // Sorted by time: binary-search the bucket's first sample.
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].timestamp < start { low = mid + 1 } else { high = mid }
        }
        var out: [TelemetrySample] = []
        var index = low
        while index < all.count, all[index].timestamp < end {
            out.append(all[index])
            index += 1
        }
        return out
    }
}
