import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Two sandboxes with the same seed and the same start, advanced the same way, answer the same bytes.
@Suite struct DeterminismTests {
    static let body = #"{"seed": 4242, "vehicles": 6, "historyDays": 3, "clock": {"now": "2026-05-04T06:30:00Z", "frozen": true}}"#

    /// Everything a client can read of a sandbox's vehicles, minus the identities that are unique per sandbox.
    func readings(_ client: any TestClientProtocol, advances: [String]) async throws -> [String] {
        let created = try await client.request(.post, "/__fleetmock/sandboxes", json: Self.body)
        try #require(created.status == .created, "\(created.text)")
        let sandbox = try SandboxInfo(json: created.json)
        var out: [String] = []
        let vehicle = try #require(sandbox.vehicles.first)
        for advance in advances {
            try await client.advanceClock(sandbox, by: advance)
            // Access tokens live 2 h of sandbox time: a fresh one after each jump.
            let token = try await connect(client, sandbox: sandbox, scopes: ["read_odometer", "read_location", "read_battery", "read_charge",
                                                                             "read_fuel", "read_tires", "read_security", "read_vehicle_info"],
                                          email: vehicle.owner, vins: [vehicle.vin])
            for path in ["odometer", "location", "tires/pressure", "security", "charge", "battery", "fuel"] {
                let response = try await client.request(.get, "/v2.0/vehicles/\(vehicle.smartcarId)/\(path)", headers: bearer(token))
                #expect(response.status == .ok || path == "fuel" || path == "charge" || path == "battery", "\(path): \(response.text)")
                // Error bodies carry a request id of their own; everything else must match.
                var json = response.json
                json["requestId"] = nil
                out.append("\(path) \(response.status.code) \(response.headers[HTTPField.Name("SC-Data-Age")!] ?? "-") " +
                           String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
            }
            // The control API's view of every car, without its identifiers.
            let list = try await client.request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles")
            let vehicles = try #require(list.json["vehicles"] as? [[String: Any]])
            for entry in vehicles {
                let state = try #require(entry["state"])
                out.append(String(decoding: try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        return out
    }

    @Test func sameSeedSameStartSameAnswers() async throws {
        try await withServer { client, _ in
            let advances = ["90m", "7h", "1d", "36h"]
            let first = try await readings(client, advances: advances)
            let second = try await readings(client, advances: advances)
            #expect(first.count == second.count && first.count > 40)
            for (a, b) in zip(first, second) { #expect(a == b) }
            // The fleet did something meanwhile: the odometer moved.
            let odometers = first.filter { $0.hasPrefix("odometer ") }
            #expect(Set(odometers).count > 1, "\(odometers)")
        }
    }
}
