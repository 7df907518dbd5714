import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The same physical fleet behind both vendors, and DIMO's aggregations computed from the stored
/// samples: checked against the store itself and through both HTTP surfaces.
@Suite struct OneTruthTests {
    func withServices(_ body: @escaping @Sendable (any TestClientProtocol, FleetServices) async throws -> Void) async throws {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, storage: .memory, fixturesDirectory: repositoryFixtures,
                                                logLevel: .error, historyDays: 0)
        let services = try await FleetServices.start(configuration)
        try await buildApplication(configuration, services: services).test(.router) { client in try await body(client, services) }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ json: String, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// A DIMO session whose vehicles are all shared with every privilege, its clock moved on by
    /// `advance` (the cars drive and charge meanwhile), and a vehicle JWT for its BEV issued after that.
    func vehicleJWT(_ client: any TestClientProtocol, advance: String) async throws -> (DIMOSession, String) {
        let session = try await DIMOSession.start(client)
        let ids = (session.sandbox["vehicles"] as? [[String: Any]] ?? []).compactMap { $0["dimoTokenId"] as? Int }
        _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/dimo/share", #"{"vehicles":\#(ids),"permissions":[1,2,3,4,5,6]}"#)
        _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"advance": "\#(advance)"}"#)
        _ = try await post(client, "/__fleetmock/sandboxes/\(session.id)/clock", #"{"freeze": true}"#)
        let exchanged = try await session.exchange(client, privileges: [1, 2, 3, 4, 5, 6])
        return (session, try #require(exchanged.json["token"] as? String))
    }

    @Test func everyAggregationEqualsABruteForceOverTheSamples() async throws {
        try await withServices { client, services in
            let (session, jwt) = try await vehicleJWT(client, advance: "36h")
            let clock = try await client.execute(uri: "/__fleetmock/sandboxes/\(session.id)/clock", method: .get)
            let nowText = try #require(clock.json["now"] as? String)
            let now = try #require(Timestamp.parse(nowText))
            // Whole seconds, as the query spells it.
            let from = Date(timeIntervalSince1970: now.addingTimeInterval(-36 * 3600).timeIntervalSince1970.rounded(.down))
            let interval = 3 * 3600.0
            let aggregations = ["MAX", "MIN", "AVG", "MED", "FIRST", "LAST"]
            let signals = ["speed", "powertrainTransmissionTravelledDistance", "powertrainTractionBatteryStateOfChargeCurrent"]
            let fields = signals.flatMap { signal in aggregations.map { "\(signal)_\($0): \(signal)(agg: \($0))" } }.joined(separator: " ")
            let query = "{ signals(tokenId: \(session.tokenId), from: \\\"\(Timestamp.seconds(from))\\\", to: \\\"\(Timestamp.seconds(now))\\\", interval: \\\"3h\\\") { timestamp \(fields) } }"
            let answer = try await post(client, "/telemetry/query", #"{"query": "\#(query)"}"#, token: jwt)
            #expect(answer.json["errors"] == nil, "\(answer.text.prefix(400))")
            let buckets = try #require((answer.json["data"] as? [String: Any])?["signals"] as? [[String: Any]])
            #expect(buckets.count >= 4)

            let vehicle = try #require(try await services.fleet.vehicles(in: session.id).first { $0.vehicle.vin == session.vin })
            let vehicleId = try #require(vehicle.vehicle.id)
            for signal in signals {
                let samples = try await services.fleet.samples(vehicleId: vehicleId, name: signal, from: from, to: now)
                for bucket in buckets {
                    let stamp = try #require(bucket["timestamp"] as? String)
                    let start = try #require(Timestamp.parse(stamp))
                    let values = samples.filter { $0.timestamp >= start && $0.timestamp < start.addingTimeInterval(interval) }.compactMap(\.valueNumber)
                    for agg in aggregations {
                        let served = bucket["\(signal)_\(agg)"] as? Double
                        guard !values.isEmpty else {
                            #expect(served == nil, "\(signal) \(agg) at \(start): no samples, yet \(String(describing: served))")
                            continue
                        }
                        let sorted = values.sorted()
                        let expected: Double
                        switch agg {
                        case "MAX": expected = sorted.last ?? 0
                        case "MIN": expected = sorted.first ?? 0
                        case "AVG": expected = values.reduce(0, +) / Double(values.count)
                        case "MED": expected = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                        case "FIRST": expected = values.first ?? 0
                        default: expected = values.last ?? 0
                        }
                        #expect(abs((served ?? .nan) - expected) <= 1e-9 * max(1, abs(expected)), "\(signal) \(agg) at \(start): \(String(describing: served)) vs \(expected)")
                    }
                }
            }
        }
    }

    @Test func smartcarAndDIMOAgreeAfterADayOfDrivingAndCharging() async throws {
        try await withServices { client, _ in
            let (session, jwt) = try await vehicleJWT(client, advance: "26h")

            // Smartcar: the owner approves in Connect (headless), the app exchanges the code.
            let vehicles = try #require(session.sandbox["vehicles"] as? [[String: Any]])
            let bev = try #require(vehicles.first { $0["vin"] as? String == session.vin })
            let owner = try #require(bev["owner"] as? String)
            let smartcar = try #require(session.sandbox["smartcar"] as? [String: Any])
            let connect = try await post(client, "/__fleetmock/sandboxes/\(session.id)/smartcar/connect",
                                         #"{"email": "\#(owner)", "scope": ["read_odometer", "read_battery", "read_location", "read_charge"], "vehicles": ["\#(session.vin)"]}"#)
            let code = try #require(connect.json["code"] as? String)
            let clientId = try #require(smartcar["clientId"] as? String), secret = try #require(smartcar["clientSecret"] as? String)
            let basic = Data("\(clientId):\(secret)".utf8).base64EncodedString()
            let redirect = try #require(smartcar["redirectUri"] as? String)
            let token = try await client.execute(uri: "/oauth/token", method: .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Basic \(basic)"],
                                                 body: form([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect)]))
            let access = try #require(token.json["access_token"] as? String, "\(token.text)")
            let smartcarId = try #require(bev["smartcarId"] as? String)
            func read(_ path: String) async throws -> [String: Any] {
                let response = try await client.execute(uri: "/v2.0/vehicles/\(smartcarId)/\(path)", method: .get,
                                                        headers: [.authorization: "Bearer \(access)"])
                #expect(response.status == .ok, "\(path): \(response.text)")
                return response.json
            }
            let odometer = try await read("odometer"), battery = try await read("battery")
            let location = try await read("location"), charge = try await read("charge")

            let query = "{ signalsLatest(tokenId: \(session.tokenId)) { powertrainTransmissionTravelledDistance { value } powertrainTractionBatteryStateOfChargeCurrent { value } currentLocationCoordinates { value { latitude longitude } } powertrainTractionBatteryChargingIsCharging { value } } }"
            let latest = try await post(client, "/telemetry/query", #"{"query": "\#(query)"}"#, token: jwt)
            let signals = try #require((latest.json["data"] as? [String: Any])?["signalsLatest"] as? [String: Any], "\(latest.text)")
            func value(_ name: String) -> Any? { (signals[name] as? [String: Any])?["value"] }

            let km = try #require(value("powertrainTransmissionTravelledDistance") as? Double)
            let distance = try #require(odometer["distance"] as? Double)
            // Smartcar renders with fewer decimals than DIMO: compare at Smartcar's precision.
            #expect(abs(distance - km) < 0.01, "\(distance) km vs \(km) km")
            let soc = try #require(value("powertrainTractionBatteryStateOfChargeCurrent") as? Double)
            let percent = try #require(battery["percentRemaining"] as? Double)
            #expect(abs(percent - soc / 100) < 1e-4, "\(percent) vs \(soc) %")
            let coordinates = try #require(value("currentLocationCoordinates") as? [String: Any])
            let latitude = try #require(location["latitude"] as? Double), longitude = try #require(location["longitude"] as? Double)
            #expect(abs(latitude - (coordinates["latitude"] as? Double ?? .nan)) < 1e-6)
            #expect(abs(longitude - (coordinates["longitude"] as? Double ?? .nan)) < 1e-6)
            let isCharging = (value("powertrainTractionBatteryChargingIsCharging") as? Double ?? 0) > 0.5
            #expect((charge["state"] as? String == "CHARGING") == isCharging)
        }
    }
}
