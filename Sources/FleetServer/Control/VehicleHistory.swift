import FleetCore
import Foundation

/// A vehicle's recent past as the control API and the dashboard show it: its track and a few signals,
/// thinned to at most ``VehicleHistory/maxPoints`` points each.
struct VehicleHistory: Sendable {
    struct Fix: Sendable { var time: Date; var latitude: Double; var longitude: Double }
    struct Point: Sendable { var time: Date; var value: Double }

    static let maxPoints = 400
    static let defaultHours = 24

    var vin: String
    var from: Date
    var to: Date
    var track: [Fix]
    /// In the order asked for.
    var signals: [(name: String, points: [Point])]

    /// The signals shown when none are named: speed, odometer, and charge or fuel level.
    static func defaultSignals(for powertrain: Powertrain) -> [String] {
        var names = ["speed", "powertrainTransmissionTravelledDistance"]
        if powertrain.isPlugIn { names.append("powertrainTractionBatteryStateOfChargeCurrent") }
        if powertrain.hasFuelTank { names.append("powertrainFuelSystemRelativeLevel") }
        return names
    }

    static func load(fleet: Fleet, sandbox: String, vin: String, hours: Int, signals names: [String]?) async throws -> VehicleHistory {
        let snapshot = try await fleet.vehicle(in: sandbox, vin: vin)
        guard let vehicleId = snapshot.vehicle.id else { throw FleetError.notFound(kind: "vehicle", id: vin) }
        let to = try await fleet.clock(sandbox).now()
        let from = to.addingTimeInterval(-Double(hours) * 3600)
        let fixes = try await fleet.samples(vehicleId: vehicleId, name: "currentLocationCoordinates", from: from, to: to)
            .compactMap { sample in sample.latitude.flatMap { lat in sample.longitude.map { Fix(time: sample.timestamp, latitude: lat, longitude: $0) } } }
        var series: [(String, [Point])] = []
        for name in names ?? defaultSignals(for: snapshot.vehicle.powertrain) {
            let points = try await fleet.samples(vehicleId: vehicleId, name: name, from: from, to: to)
                .compactMap { sample in sample.valueNumber.map { Point(time: sample.timestamp, value: $0) } }
            series.append((name, thinned(points)))
        }
        return VehicleHistory(vin: snapshot.vehicle.vin, from: from, to: to, track: thinned(fixes), signals: series)
    }

    /// Every k-th element so that at most `maxPoints` remain, always keeping the last.
    static func thinned<T>(_ items: [T]) -> [T] {
        guard items.count > maxPoints else { return items }
        let step = Int((Double(items.count) / Double(maxPoints)).rounded(.up))
        var out = stride(from: 0, to: items.count, by: step).map { items[$0] }
        if let last = items.last, (items.count - 1) % step != 0 { out.append(last) }
        return out
    }

    var json: JSONValue {
        .object([
            ("vin", .string(vin)), ("from", .string(Timestamp.millis(from))), ("to", .string(Timestamp.millis(to))),
            ("track", .array(track.map { .object([("time", .string(Timestamp.millis($0.time))), ("latitude", .number($0.latitude)),
                                                  ("longitude", .number($0.longitude))]) })),
            ("signals", .object(signals.map { series in
                (series.name, .array(series.points.map { .object([("time", .string(Timestamp.millis($0.time))), ("value", .number($0.value))]) }))
            })),
        ])
    }
}

extension VehicleAccess {
    var json: JSONValue {
        .object([
            ("smartcar", .object([
                ("connection", smartcarConnection.map { connection in
                    .object([("scopes", .array(connection.scopes.map(JSONValue.string))), ("mode", .string(connection.mode.rawValue)),
                             ("connectedAt", .string(Timestamp.millis(connection.connectedAt)))])
                } ?? .null),
                ("tokens", .array(smartcarTokens.map { set in
                    .object([("accessTokenPrefix", .string(set.accessTokenPrefix)), ("user", .string(set.user)),
                             ("scopes", .array(set.scopes.map(JSONValue.string))), ("mode", .string(set.mode.rawValue)),
                             ("issuedAt", .string(Timestamp.millis(set.issuedAt))),
                             ("accessExpiresAt", .string(Timestamp.millis(set.accessExpiresAt))), ("accessExpired", .bool(set.accessExpired))])
                })),
            ])),
            ("dimo", .object([("grants", .array(dimoGrants.map { grant in
                .object([("grantee", .string(grant.grantee)), ("permissions", .string(grant.permissions)),
                         ("privileges", .array(DIMOPrivilege.ids(fromHex: grant.permissions).map { .integer(Int64($0)) })),
                         ("source", .string(grant.source)), ("createdAt", .string(Timestamp.millis(grant.createdAt))),
                         ("expiresAt", .string(Timestamp.millis(grant.expiresAt)))])
            }))])),
        ])
    }
}
