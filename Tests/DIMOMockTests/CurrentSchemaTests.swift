import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The members of DIMO's current Identity and Telemetry schemas that the SDK era lacked
/// (`signalsSnapshot`, the new `segments` shape, `dailyActivity`, `eventDataSummary`, …), checked
/// against the fleet's store, and SDK-era queries still answering as before.
@Suite struct CurrentSchemaTests {
    /// A server, its services, a DIMO session sharing every vehicle, the clock moved on 36 h and
    /// frozen, and a vehicle JWT for the session's BEV with `privileges`.
    func withVehicle(privileges: [Int] = [1, 2, 3, 4, 5, 6],
                     _ body: @escaping @Sendable (any TestClientProtocol, FleetServices, DIMOSession, String, Date) async throws -> Void) async throws {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, storage: .memory, fixturesDirectory: repositoryFixtures,
                                                logLevel: .error, historyDays: 0)
        let services = try await FleetServices.start(configuration)
        try await buildApplication(configuration, services: services).test(.router) { client in
            let session = try await DIMOSession.start(client)
            let ids = (session.sandbox["vehicles"] as? [[String: Any]] ?? []).compactMap { $0["dimoTokenId"] as? Int }
            _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/dimo/share", #"{"vehicles":\#(ids),"permissions":[1,2,3,4,5,6]}"#)
            _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"advance": "36h"}"#)
            _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"freeze": true}"#)
            let exchanged = try await session.exchange(client, privileges: privileges)
            let jwt = try #require(exchanged.json["token"] as? String)
            let clock = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/clock", method: .get)
            let nowText = try #require(clock.json["now"] as? String)
            let now = try #require(Timestamp.parse(nowText))
            try await body(client, services, session, jwt, now)
        }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ json: String, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// Runs `query` with `variables` against Telemetry; the answer's `data`, with no errors expected.
    func telemetry(_ client: any TestClientProtocol, _ jwt: String, _ query: String, _ variables: [String: Any] = [:]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
        let answer = try await post(client, "/telemetry/query", String(decoding: body, as: UTF8.self), token: jwt)
        #expect(answer.json["errors"] == nil, "\(answer.text.prefix(600))")
        return try #require(answer.json["data"] as? [String: Any])
    }

    func vehicleId(_ services: FleetServices, _ session: DIMOSession) async throws -> Int64 {
        let vehicle = try #require(try await services.fleet.vehicles(in: session.id).first { $0.vehicle.vin == session.vin })
        return try #require(vehicle.vehicle.id)
    }

    static func seconds(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }

    @Test func signalsSnapshotListsWhatSignalsLatestAnswers() async throws {
        try await withVehicle { client, _, session, jwt, _ in
            let data = try await telemetry(client, jwt, """
                query($id: Int!) {
                  signalsSnapshot(tokenId: $id) { lastSeen signals { name timestamp valueNumber valueString valueLocation { latitude longitude } } }
                  signalsLatest(tokenId: $id) {
                    lastSeen speed { value } powertrainTransmissionTravelledDistance { value }
                    currentLocationCoordinates { value { latitude longitude } }
                    currentLocationApproximateCoordinates { value { latitude longitude } }
                  }
                }
                """, ["id": session.tokenId])
            let snapshot = try #require(data["signalsSnapshot"] as? [String: Any])
            let latest = try #require(data["signalsLatest"] as? [String: Any])
            #expect(snapshot["lastSeen"] as? String == latest["lastSeen"] as? String)
            let signals = try #require(snapshot["signals"] as? [[String: Any]])
            let byName = Dictionary(signals.compactMap { s in (s["name"] as? String).map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
            #expect(signals.compactMap { $0["name"] as? String } == byName.keys.sorted())
            for name in ["speed", "powertrainTransmissionTravelledDistance"] {
                let served = byName[name]?["valueNumber"] as? Double
                #expect(served != nil && served == (latest[name] as? [String: Any])?["value"] as? Double, "\(name)")
            }
            let vehicle = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/vehicles/\(session.vin)", method: .get)
            #expect(byName["powertrainTransmissionTravelledDistance"]?["valueNumber"] as? Double
                == (vehicle.json["state"] as? [String: Any])?["odometerKm"] as? Double)
            let location = (latest["currentLocationCoordinates"] as? [String: Any])?["value"] as? [String: Any]
            let approximate = (latest["currentLocationApproximateCoordinates"] as? [String: Any])?["value"] as? [String: Any]
            let lat = try #require(location?["latitude"] as? Double)
            #expect(byName["currentLocationCoordinates"]?["valueLocation"] as? [String: Any] != nil)
            let approximateLat = try #require(approximate?["latitude"] as? Double)
            #expect(abs(approximateLat - lat) <= 0.036 && approximateLat != lat)
        }
    }

    @Test func signalsSnapshotLeavesOutWhatTheTokenMayNotSee() async throws {
        try await withVehicle(privileges: [1]) { client, _, session, jwt, _ in
            let data = try await telemetry(client, jwt, "query($id: Int!) { signalsSnapshot(tokenId: $id) { signals { name } } }", ["id": session.tokenId])
            let names = ((data["signalsSnapshot"] as? [String: Any])?["signals"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("speed"))
            #expect(!names.contains { $0.hasPrefix("currentLocation") })
        }
    }

    @Test func segmentsCarryTripsLocationsSignalsAndEventCounts() async throws {
        try await withVehicle { client, services, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-36 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  segments(tokenId: $id, from: $from, to: $to, mechanism: ignitionDetection,
                           signalRequests: [{name: "powertrainTractionBatteryStateOfChargeCurrent", agg: MIN}, {name: "speed", agg: MAX}],
                           eventRequests: [{name: "ignitionOn"}]) {
                    startTime start { timestamp value { latitude longitude } } end { value { latitude longitude } }
                    duration isOngoing signals { name agg value } eventCounts { name count }
                  }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let segments = try #require(data["segments"] as? [[String: Any]])
            let id = try await vehicleId(services, session)
            let trips = try await services.fleet.trips(vehicleId: id, from: from, to: now)
            #expect(!trips.isEmpty && segments.count == trips.count)
            let events = try await services.fleet.events(vehicleId: id, from: from.addingTimeInterval(-86400), to: now)
            for (segment, trip) in zip(segments, trips) {
                let start = try #require(segment["start"] as? [String: Any])
                #expect(start["timestamp"] as? String == Timestamp.seconds(trip.startTime))
                #expect((start["value"] as? [String: Any])?["latitude"] as? Double == trip.startLatitude)
                let ongoing = trip.endTime > now
                #expect(segment["isOngoing"] as? Bool == ongoing)
                if !ongoing {
                    #expect(((segment["end"] as? [String: Any])?["value"] as? [String: Any])?["longitude"] as? Double == trip.endLongitude)
                    #expect(segment["duration"] as? Int == Int(trip.endTime.timeIntervalSince(trip.startTime)))
                }
                let until = ongoing ? now : trip.endTime
                let speeds = try await services.fleet.samples(vehicleId: id, name: "speed", from: trip.startTime, to: until).compactMap(\.valueNumber)
                let signals = try #require(segment["signals"] as? [[String: Any]])
                let maxSpeed = signals.filter { $0["name"] as? String == "speed" && $0["agg"] as? String == "MAX" }
                #expect(maxSpeed.count == 1, "the requested speed MAX is a default one: listed once")
                #expect(maxSpeed.first?["value"] as? Double == speeds.max())
                let soc = try await services.fleet.samples(vehicleId: id, name: "powertrainTractionBatteryStateOfChargeCurrent", from: trip.startTime, to: until)
                #expect(signals.first { $0["agg"] as? String == "MIN" }?["value"] as? Double == soc.compactMap(\.valueNumber).min())
                let ignitions = events.filter { $0.name == "ignitionOn" && $0.timestamp >= trip.startTime && $0.timestamp < until }.count
                #expect((segment["eventCounts"] as? [[String: Any]])?.first?["count"] as? Int == ignitions)
            }
        }
    }

    @Test func rechargeSegmentsAreChargingSessions() async throws {
        try await withVehicle { client, services, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-36 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  segments(tokenId: $id, from: $from, to: $to, mechanism: recharge) { start { timestamp } isOngoing }
                  idle: segments(tokenId: $id, from: $from, to: $to, mechanism: idling) { isOngoing }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let id = try await vehicleId(services, session)
            let starts = try await services.fleet.events(vehicleId: id, from: from.addingTimeInterval(-2 * 86400), to: now)
                .filter { $0.name == "chargingStarted" }.map { Timestamp.seconds($0.timestamp) }
            let segments = try #require(data["segments"] as? [[String: Any]])
            let inRange = try await services.fleet.events(vehicleId: id, from: from, to: now).filter { $0.name == "chargingStarted" }
            #expect(inRange.isEmpty || !segments.isEmpty)
            for segment in segments {
                #expect(starts.contains((segment["start"] as? [String: Any])?["timestamp"] as? String ?? ""))
            }
            #expect((data["idle"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func dailyActivityCountsEachDaysSegments() async throws {
        try await withVehicle { client, services, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-36 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  dailyActivity(tokenId: $id, from: $from, to: $to, mechanism: ignitionDetection) { segmentCount duration eventCounts { name } }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let days = try #require(data["dailyActivity"] as? [[String: Any]])
            #expect(days.count >= 2 && days.count <= 3)
            let trips = try await services.fleet.trips(vehicleId: try await vehicleId(services, session), from: from, to: now)
            let counted = days.compactMap { $0["segmentCount"] as? Int }.reduce(0, +)
            #expect(counted >= trips.count, "a trip over midnight counts on both days")
            #expect(days.allSatisfy { ($0["eventCounts"] as? [Any])?.isEmpty == true })
        }
    }

    @Test func bucketsAnswerApproximateCoordinatesAndNewSignals() async throws {
        try await withVehicle { client, _, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-24 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  signals(tokenId: $id, interval: "6h", from: $from, to: $to) {
                    currentLocationApproximateCoordinates(agg: LAST) { latitude longitude }
                    currentLocationApproximateLatitude(agg: LAST) currentLocationApproximateLongitude(agg: LAST)
                    obdThrottlePosition(agg: AVG)
                  }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let buckets = try #require(data["signals"] as? [[String: Any]])
            #expect(!buckets.isEmpty)
            for bucket in buckets {
                let point = bucket["currentLocationApproximateCoordinates"] as? [String: Any]
                #expect(point?["latitude"] as? Double == bucket["currentLocationApproximateLatitude"] as? Double)
                #expect(point?["longitude"] as? Double == bucket["currentLocationApproximateLongitude"] as? Double)
                #expect(bucket["obdThrottlePosition"] is NSNull, "the fleet records no throttle position")
            }
        }
    }

    @Test func dataSummaryListsEventsPerName() async throws {
        try await withVehicle { client, services, session, jwt, _ in
            let data = try await telemetry(client, jwt, """
                query($id: Int!) { dataSummary(tokenId: $id) { eventDataSummary { name numberOfEvents } signalDataSummary { name } } }
                """, ["id": session.tokenId])
            let summary = try #require((data["dataSummary"] as? [String: Any])?["eventDataSummary"] as? [[String: Any]])
            let events = try await services.fleet.events(vehicleId: try await vehicleId(services, session), from: .distantPast, to: .distantFuture)
            let expected = Dictionary(grouping: events, by: \.name).mapValues { String($0.count) }
            #expect(!summary.isEmpty)
            #expect(summary.count == expected.count)
            for entry in summary {
                #expect(entry["numberOfEvents"] as? String == expected[entry["name"] as? String ?? ""])
            }
        }
    }

    @Test func eventsFilterByNamePrefix() async throws {
        try await withVehicle { client, services, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-36 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  events(tokenId: $id, from: $from, to: $to, filter: {name: {startsWith: "charging"}}) { name }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let names = try #require(data["events"] as? [[String: Any]]).compactMap { $0["name"] as? String }
            let stored = try await services.fleet.events(vehicleId: try await vehicleId(services, session), from: from, to: now)
            #expect(names == stored.map(\.name).filter { $0.hasPrefix("charging") })
        }
    }

    @Test func attestationsCursorPagesBackInTime() async throws {
        try await withVehicle { client, _, session, jwt, _ in
            let data = try await telemetry(client, jwt, """
                query($id: Int!) {
                  old: attestations(tokenId: $id, filter: {cursor: "2000-01-01T00:00:00Z"}) { id }
                  all: attestations(tokenId: $id) { id }
                }
                """, ["id": session.tokenId])
            #expect((data["old"] as? [Any])?.isEmpty == true)
            #expect(data["all"] is [Any])
        }
    }

    /// The SDK-era `segments` selection answers as it did: the fleet's trips in the old fields.
    @Test func sdkEraSegmentsQueryAnswersTheSame() async throws {
        try await withVehicle { client, services, session, jwt, now in
            let from = Self.seconds(now.addingTimeInterval(-36 * 3600))
            let data = try await telemetry(client, jwt, """
                query($id: Int!, $from: Time!, $to: Time!) {
                  segments(tokenId: $id, from: $from, to: $to, mechanism: ignitionDetection, config: {minIdleSeconds: 300}) {
                    startTime endTime durationSeconds isOngoing startedBeforeRange
                  }
                }
                """, ["id": session.tokenId, "from": Timestamp.seconds(from), "to": Timestamp.seconds(now)])
            let segments = try #require(data["segments"] as? [[String: Any]])
            let trips = try await services.fleet.trips(vehicleId: try await vehicleId(services, session), from: from, to: now)
            #expect(segments.count == trips.count)
            for (segment, trip) in zip(segments, trips) {
                #expect(segment["startTime"] as? String == Timestamp.seconds(trip.startTime))
                #expect(segment["endTime"] as? String == (trip.endTime <= now ? Timestamp.seconds(trip.endTime) : nil))
                #expect(segment["durationSeconds"] as? Int == Int(trip.endTime.timeIntervalSince(trip.startTime)))
                #expect(segment["isOngoing"] as? Bool == (trip.endTime > now))
                #expect(segment["startedBeforeRange"] as? Bool == (trip.startTime < from))
            }
        }
    }

    @Test func identityConnectionFilterAndNotFoundStayAsBefore() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let headers: HTTPFields = [.contentType: "application/json", .fleetmockSandbox: session.id]
            let query = #"{"query":"{ all: vehicles(first: 10) { totalCount } paired: vehicles(first: 10, filterBy: {connection: \"0x5e31bbc786d7bed95216383787deaa5d5eb5a1c8\"}) { totalCount } }"}"#
            let answer = try await client.execute(uri: "/identity/query", method: .post, headers: headers, body: ByteBuffer(string: query))
            let data = try #require(answer.json["data"] as? [String: Any])
            #expect(((data["all"] as? [String: Any])?["totalCount"] as? Int ?? 0) > 0)
            #expect((data["paired"] as? [String: Any])?["totalCount"] as? Int == 0)
            let missing = try await client.execute(uri: "/identity/query", method: .post, headers: headers,
                                                   body: ByteBuffer(string: #"{"query":"{ vehicle(tokenId: 999999) { tokenId } }"}"#))
            #expect(missing.json["data"] is NSNull)
        }
    }
}
