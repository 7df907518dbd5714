@testable import DIMOMock
import FleetCore
import FleetServer
import FleetTestSupport
import Foundation
import GraphQL
import Hummingbird
import HummingbirdTesting
import Testing

/// The `signals` fast path must answer byte for byte what the general executor answers, and step aside
/// whenever it cannot.
@Suite struct SignalsFastPathTests {
    @Test func answersExactlyAsTheExecutorOrStepsAside() async throws {
        let truth = OneTruthTests()
        try await truth.withServices { client, services in
            let (session, jwt) = try await truth.vehicleJWT(client, advance: "3d")
            let surface = services.dimo
            let claims = try #require(try await surface.verifiedVehicleClaims(jwt))
            let context = TelemetryContext(claims: claims, fleet: services.fleet, access: surface.access)
            let schema = try await surface.graphQL.value.telemetry.schema
            let fast = try SignalsFastPath(sdl: TelemetrySchema.sdl)
            let clock = try await services.fleet.clock(session.id).now()
            let to = Timestamp.seconds(clock), from = Timestamp.seconds(clock.addingTimeInterval(-3 * 86400))
            let range = #"from: "\#(from)", to: "\#(to)""#
            let t = session.tokenId
            let cases: [(query: String, variables: [String: Map], fast: Bool?)] = [
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range)) { timestamp speed(agg: AVG) powertrainTransmissionTravelledDistance(agg: MAX) powertrainTractionBatteryStateOfChargeCurrent(agg: LAST) } }", [:], true),
                ("{ s: signals(tokenId: \(t), interval: \"6h\", \(range)) { at: timestamp fast: speed(agg: MAX) slow: speed(agg: MIN) med: speed(agg: MED) kind: powertrainType(agg: LAST) codes: obdDTCList(agg: TOP) lat: currentLocationLatitude(agg: FIRST) } }", [:], true),
                ("query Q($id: Int!, $agg: FloatAggregation!, $i: String!) { signals(tokenId: $id, interval: $i, \(range)) { timestamp exteriorAirTemperature(agg: $agg) } }",
                 ["id": .number(Number(t)), "agg": .string("RAND"), "i": .string("90m")], true),
                ("{ signals(tokenId: \(t), interval: \"1h\", from: \"2001-01-01T00:00:00Z\", to: \"2001-01-02T00:00:00Z\") { timestamp speed(agg: AVG) } }", [:], true),
                ("{ signals(tokenId: \(t), interval: \"1h\", from: \"\(to)\", to: \"\(from)\") { timestamp speed(agg: AVG) } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"0s\", \(range)) { timestamp } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range), filter: {source: \"autopi\"}) { timestamp } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range)) { timestamp speed(agg: AVG, filter: {gt: 10}) } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range)) { currentLocationCoordinates(agg: LAST) { latitude } } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range)) { __typename timestamp } }", [:], false),
                ("{ signals(tokenId: \(t), interval: \"1h\", \(range)) { timestamp currentLocationApproximateLatitude(agg: AVG) } }", [:], nil),
                ("{ signals(tokenId: \(t + 999), interval: \"1h\", \(range)) { timestamp } }", [:], false),
            ]
            for item in cases {
                let document = try parse(source: Source(body: item.query, name: "test"))
                #expect(validate(schema: schema, ast: document, rules: specifiedRules).isEmpty, "\(item.query)")
                let request = GraphQLEndpoint.Request(query: item.query, variables: item.variables, operationName: nil)
                let general = GraphQLEndpoint.render(try await GraphQL.execute(schema: schema, documentAST: document, rootValue: (), context: context,
                                                                               variableValues: item.variables, operationName: nil))
                let answered = await fast.answer(document, request: request, context: context)
                if let expected = item.fast { #expect((answered != nil) == expected, "fast path taken: \(answered != nil) for \(item.query)") }
                if let answered {
                    #expect(String(decoding: answered.encoded(), as: UTF8.self) == String(decoding: general.encoded(), as: UTF8.self), "\(item.query)")
                }
            }
        }
    }
}

/// The GraphQL schemas are built when DIMO is first used, not at start: a Smartcar-only server
/// never holds them.
@Suite struct LazySchemaTests {
    @Test func dimosFirstRequestStartsTheSchemaBuild() async throws {
        try await withServer { client, services in
            #expect(try await client.request(.get, "/__fleetmock/health").status == .ok)
            #expect(try await client.request(.get, "/v2.0/vehicles").status == .unauthorized)
            #expect(!services.dimo.schemas.isStarted)
            #expect(try await client.request(.get, "/keys").status == .ok)
            #expect(services.dimo.schemas.isStarted)
            let answer = try await client.request(.post, "/identity/query", json: #"{"query": "{ vehicles(first: 1) { totalCount } }"}"#)
            #expect(answer.status == .ok && (answer.json["data"] as? [String: Any])?["vehicles"] != nil)
        }
    }
}

/// What a DIMO handler throws is answered in the addressed service's own shape, never fleetmock's envelope.
@Suite struct DIMOErrorShapeTests {
    /// Gathers a response body.
    final class Collector: ResponseBodyWriter, @unchecked Sendable {
        var buffer = ByteBuffer()
        func write(_ buffer: ByteBuffer) async throws { var incoming = buffer; self.buffer.writeBuffer(&incoming) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    func body(_ response: Response) async throws -> [String: Any] {
        let collector = Collector()
        try await response.body.write(collector)
        return try #require(try JSONSerialization.jsonObject(with: Data(collector.buffer.readableBytesView)) as? [String: Any])
    }

    @Test func eachServiceKeepsItsShape() async throws {
        let fiber = DIMORoutes.error(500, "Internal error", service: .trips)
        #expect(fiber.status == .internalServerError)
        let fiberBody = try await body(fiber)
        #expect(fiberBody["code"] as? Int == 500 && fiberBody["message"] as? String == "Internal error")
        let graphQL = DIMORoutes.error(500, "Internal error", service: .telemetry)
        let graphQLBody = try await body(graphQL)
        #expect((graphQLBody["errors"] as? [[String: Any]])?.first?["message"] as? String == "Internal error")
        let agents = DIMORoutes.error(404, "agent x not found", service: .conversations)
        let agentsBody = try await body(agents)
        #expect(agents.status == .notFound && agentsBody["error"] as? String == "agent x not found")
    }
}
