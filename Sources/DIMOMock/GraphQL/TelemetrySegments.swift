import FleetCore
import Foundation
import GraphQL

/// One detected segment: when it ran (no `end` while ongoing) and where it started and ended.
struct SegmentWindow: Sendable {
    var start: Date
    var end: Date?
    var startLocation: (latitude: Double, longitude: Double)?
    var endLocation: (latitude: Double, longitude: Double)?
    /// The SDK-era `durationSeconds` end: a trip's recorded end even while it runs.
    var recordedEnd: Date?
}

/// `segments` and `dailyActivity`: segments detected from the fleet's trips and events, with their
/// signal aggregations (from the stored samples) and event counts.
enum TelemetrySegments {
    static let maxRange: TimeInterval = 31 * 86400
    static let tripMechanisms: Set<String> = ["ignitionDetection", "frequencyAnalysis", "changePointDetection"]

    static func badRequest(_ message: String) -> FieldError {
        FieldError("invalid argument: \(message)", extensions: [("code", "BAD_REQUEST"), ("reason", "Internal Server Error")])
    }

    /// `from`/`to` of the arguments, checked as upstream does (ordered, at most 31 days apart).
    static func range(_ args: Map) throws -> (from: Date, to: Date)? {
        guard let fromText = args["from"].stringArg, let toText = args["to"].stringArg,
              let from = Timestamp.parse(fromText), let to = Timestamp.parse(toText) else { return nil }
        if from > to { throw badRequest("from timestamp is after to timestamp") }
        if to.timeIntervalSince(from) > maxRange { throw badRequest("time range exceeds 31 days") }
        return (from, to)
    }

    /// The signal requests always applied (the level signal's ends for refuel and recharge).
    static func defaultRequests(_ mechanism: String) -> [(name: String, agg: String)] {
        var out: [(name: String, agg: String)] = [("speed", "MAX"), ("speed", "AVG"),
                                                  ("powertrainTransmissionTravelledDistance", "FIRST"),
                                                  ("powertrainTransmissionTravelledDistance", "LAST")]
        if mechanism == "recharge" {
            out += [("powertrainTractionBatteryStateOfChargeCurrent", "FIRST"), ("powertrainTractionBatteryStateOfChargeCurrent", "LAST")]
        }
        if mechanism == "refuel" {
            out += [("powertrainFuelSystemRelativeLevel", "FIRST"), ("powertrainFuelSystemRelativeLevel", "LAST")]
        }
        return out
    }

    /// The default requests plus the caller's, duplicates (same name and agg) left out.
    static func requests(_ args: Map, mechanism: String) -> [(name: String, agg: String)] {
        var out = defaultRequests(mechanism)
        for request in args["signalRequests"].arrayArg ?? [] {
            guard let name = request["name"].stringArg, let agg = request["agg"].stringArg else { continue }
            if !out.contains(where: { $0.name == name && $0.agg == agg }) { out.append((name, agg)) }
        }
        return out
    }

    /// Segments overlapping `[from, to)` by `mechanism`, oldest first.
    static func windows(_ mechanism: String, vehicleId: Int64, from: Date, to: Date, now: Date, fleet: Fleet) async throws -> [SegmentWindow] {
        if tripMechanisms.contains(mechanism) {
            return try await fleet.trips(vehicleId: vehicleId, from: from, to: to).map { trip in
                SegmentWindow(start: trip.startTime, end: trip.endTime <= now ? trip.endTime : nil,
                              startLocation: (trip.startLatitude, trip.startLongitude),
                              endLocation: trip.endTime <= now ? (trip.endLatitude, trip.endLongitude) : nil, recordedEnd: trip.endTime)
            }
        }
        // Charging sessions and refuels are events; look back far enough to catch one begun before `from`.
        let events = try await fleet.events(vehicleId: vehicleId, from: from.addingTimeInterval(-2 * 86400), to: to)
        var out: [SegmentWindow] = []
        switch mechanism {
        case "recharge":
            var open: Date?
            for event in events {
                if event.name == "chargingStarted", open == nil { open = event.timestamp }
                if event.name == "chargingStopped" || event.name == "chargingCompleted", let start = open {
                    out.append(SegmentWindow(start: start, end: event.timestamp))
                    open = nil
                }
            }
            if let start = open, start <= now { out.append(SegmentWindow(start: start, end: nil)) }
        case "refuel":
            for event in events where event.name == "refuel" {
                let end = event.timestamp.addingTimeInterval(Double(event.durationNs) / 1e9)
                out.append(SegmentWindow(start: event.timestamp, end: end <= now ? end : nil))
            }
        default:
            // Idling needs engine RPM, which the fleet does not record: no idling segments.
            break
        }
        return out.filter { $0.start < to && ($0.end ?? now) > from }
    }

    /// Where the car was at `date`: the last location sample at or before it (within a day), else the first after.
    static func location(at date: Date, vehicleId: Int64, fleet: Fleet) async throws -> (latitude: Double, longitude: Double)? {
        let before = try await fleet.samples(vehicleId: vehicleId, name: "currentLocationCoordinates", from: date.addingTimeInterval(-86400), to: date.addingTimeInterval(1))
        if let sample = before.last, let lat = sample.latitude, let lon = sample.longitude { return (lat, lon) }
        let after = try await fleet.samples(vehicleId: vehicleId, name: "currentLocationCoordinates", from: date, to: date.addingTimeInterval(86400))
        if let sample = after.first, let lat = sample.latitude, let lon = sample.longitude { return (lat, lon) }
        return nil
    }

    static func signalLocation(_ date: Date, _ point: (latitude: Double, longitude: Double)) -> GQLObject {
        GQLObject("SignalLocation", ["timestamp": TelemetryResolvers.time(date),
                                     "value": GQLObject("Location", ["latitude": point.latitude, "longitude": point.longitude, "hdop": 1.0])])
    }

    /// Each request's aggregation over `[start, end)`; requests without numeric samples are left out.
    static func aggregations(_ requests: [(name: String, agg: String)], from start: Date, to end: Date, cache: SampleCache) async throws -> [GQLObject] {
        var out: [GQLObject] = []
        for request in requests {
            let samples = try await cache.samples(request.name, from: start, to: end).filter { $0.valueNumber != nil }
            guard let value = Aggregation.apply(request.agg, to: samples, seed: UInt64(max(0, start.timeIntervalSince1970))) as? Double else { continue }
            out.append(GQLObject("SignalAggregationValue", ["name": request.name, "agg": request.agg, "value": value]))
        }
        return out
    }

    /// The requested events' counts in `[start, end)`, or nil when none were requested.
    static func eventCounts(_ args: Map, _ events: [VehicleEventRecord], from start: Date, to end: Date) -> [GQLObject]? {
        guard let requested = args["eventRequests"].arrayArg?.compactMap({ $0["name"].stringArg }) else { return nil }
        var names: [String] = []
        for name in requested where !names.contains(name) { names.append(name) }
        return names.map { name in
            GQLObject("EventCount", ["name": name, "count": events.filter { $0.name == name && $0.timestamp >= start && $0.timestamp < end }.count])
        }
    }

    /// `Query.segments`.
    static func segments(_ args: Map, _ context: TelemetryContext) async throws -> [GQLObject]? {
        guard let (from, to) = try range(args), let mechanism = args["mechanism"].stringArg else { return [] }
        let limit = args["limit"].intArg ?? 100
        guard (1...200).contains(limit) else { throw badRequest("limit must be between 1 and 200") }
        guard let snapshot = try await TelemetryResolvers.vehicle(args, context), let id = snapshot.vehicle.id else { return nil }
        let now = try await context.fleet.clock(snapshot.vehicle.sandboxId).now()
        var found = try await windows(mechanism, vehicleId: id, from: from, to: to, now: now, fleet: context.fleet)
        if let afterText = args["after"].stringArg, let after = Timestamp.parse(afterText) { found = found.filter { $0.start > after } }
        found = Array(found.prefix(limit))
        guard let first = found.first else { return [] }
        let horizon = min(to, now)
        let cache = SampleCache(fleet: context.fleet, vehicleId: id, from: first.start, to: max(horizon, found.compactMap(\.end).max() ?? horizon))
        let events = try await context.fleet.events(vehicleId: id, from: first.start, to: max(horizon, found.compactMap(\.end).max() ?? horizon))
        let requests = requests(args, mechanism: mechanism)
        var out: [GQLObject] = []
        for window in found {
            var startPoint = window.startLocation
            if startPoint == nil { startPoint = try await location(at: window.start, vehicleId: id, fleet: context.fleet) }
            guard let startPoint else { continue }
            var endPoint = window.endLocation
            if let end = window.end, endPoint == nil { endPoint = try await location(at: end, vehicleId: id, fleet: context.fleet) }
            let until = window.end ?? horizon
            out.append(GQLObject("Segment", [
                "startTime": TelemetryResolvers.time(window.start), "endTime": window.end.map(TelemetryResolvers.time),
                "durationSeconds": Int((window.recordedEnd ?? window.end ?? now).timeIntervalSince(window.start)),
                "start": signalLocation(window.start, startPoint),
                "end": zip2(window.end, endPoint).map { signalLocation($0.0, $0.1) },
                "duration": Int((window.end ?? to).timeIntervalSince(window.start)),
                "isOngoing": window.end == nil, "startedBeforeRange": window.start < from,
                "signals": try await aggregations(requests, from: window.start, to: until, cache: cache),
                "eventCounts": eventCounts(args, events, from: window.start, to: until),
            ]))
        }
        return out
    }

    static func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    /// `Query.dailyActivity`: one record per calendar day (in `timezone`, UTC by default) of the range.
    static func dailyActivity(_ args: Map, _ context: TelemetryContext) async throws -> [GQLObject]? {
        guard let (from, to) = try range(args), let mechanism = args["mechanism"].stringArg else { return [] }
        guard tripMechanisms.contains(mechanism) else {
            throw badRequest("mechanism must be ignitionDetection, frequencyAnalysis, or changePointDetection")
        }
        var calendar = Calendar(identifier: .gregorian)
        if let name = args["timezone"].stringArg {
            guard let zone = TimeZone(identifier: name) else { throw badRequest("unknown timezone \(name)") }
            calendar.timeZone = zone
        } else {
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        }
        guard let snapshot = try await TelemetryResolvers.vehicle(args, context), let id = snapshot.vehicle.id else { return nil }
        let now = try await context.fleet.clock(snapshot.vehicle.sandboxId).now()
        let found = try await windows(mechanism, vehicleId: id, from: from, to: to, now: now, fleet: context.fleet)
        let cache = SampleCache(fleet: context.fleet, vehicleId: id, from: from, to: to)
        let events = try await context.fleet.events(vehicleId: id, from: from, to: to)
        let requests = requests(args, mechanism: mechanism)
        var out: [GQLObject] = []
        var dayStart = calendar.startOfDay(for: from)
        while dayStart < to {
            guard let next = calendar.date(byAdding: .day, value: 1, to: dayStart) else { break }
            let (start, end) = (max(dayStart, from), min(next, to))
            out.append(try await day(start: start, end: end, windows: found, now: now, args: args, requests: requests, events: events, cache: cache))
            dayStart = next
        }
        return out
    }

    /// One `DailyActivity` over `[start, end)`.
    static func day(start: Date, end: Date, windows: [SegmentWindow], now: Date, args: Map, requests: [(name: String, agg: String)],
                    events: [VehicleEventRecord], cache: SampleCache) async throws -> GQLObject {
        let inDay = windows.filter { $0.start < end && ($0.end ?? now) > start }
        let seconds = inDay.reduce(0.0) { $0 + max(0, min($1.end ?? now, end).timeIntervalSince(max($1.start, start))) }
        let locations = try await cache.samples("currentLocationCoordinates", from: start, to: end).filter { $0.latitude != nil && $0.longitude != nil }
        func point(_ sample: TelemetrySample?) -> GQLObject? {
            guard let sample, let lat = sample.latitude, let lon = sample.longitude else { return nil }
            return signalLocation(sample.timestamp, (lat, lon))
        }
        return GQLObject("DailyActivity", [
            "start": point(locations.first), "end": point(locations.last),
            "segmentCount": inDay.count, "duration": Int(seconds),
            "signals": try await aggregations(requests, from: start, to: end, cache: cache),
            "eventCounts": eventCounts(args, events, from: start, to: end) ?? [GQLObject](),
        ])
    }
}
