import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

// The Compatibility API's test mode (`mode=test&test_mode_compatibility_level=…`, reference §4.3/§4.4)
// and the live answers upstream's SDK e2e suites assert for real VINs.

private let levelsMessage = "Field must be one of: [compatible,phev,incompatible,fuel,dinosaur,bev]"
private let audiVin = "WAUAFAFL1GN014882"
private let teslaVin = "5YJXCDE22HF068739"
private let gmTestVin = "0SCGMCT0386A85356"

private func compatibility(_ client: any TestClientProtocol, _ sandbox: SandboxInfo, version: String = "2.0",
                           _ pairs: [(String, String)]) async throws -> TestResponse {
    try await client.request(.get, "/v\(version)/compatibility?" + formEncode(pairs), headers: basic(sandbox.clientId, sandbox.clientSecret))
}

/// `capable` by permission, and every capability's `reason` consistent with it.
private func capableByPermission(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Bool] {
    var out: [String: Bool] = [:]
    for capability in response.json["capabilities"] as? [[String: Any]] ?? [] {
        #expect(Set(capability.keys) == ["capable", "endpoint", "permission", "reason"], sourceLocation: sourceLocation)
        let capable = capability["capable"] as? Bool ?? false
        if capable {
            #expect(capability["reason"] is NSNull, "\(capability)", sourceLocation: sourceLocation)
        } else {
            #expect(capability["reason"] as? String == "VEHICLE_NOT_CAPABLE", "\(capability)", sourceLocation: sourceLocation)
        }
        out[capability["permission"] as? String ?? ""] = capable
    }
    return out
}

@Suite struct CompatibilityLevelTests {
    /// Each level's answer on v2.0: the permissions a car of that kind has (any VIN).
    @Test(arguments: [
        ("compatible", ["read_odometer": true, "read_fuel": true, "read_battery": true, "read_engine_oil": true]),
        ("phev", ["read_odometer": true, "read_fuel": true, "read_battery": true, "read_engine_oil": true]),
        ("fuel", ["read_odometer": true, "read_fuel": true, "read_battery": false, "read_engine_oil": true]),
        ("bev", ["read_odometer": true, "read_fuel": false, "read_battery": true, "read_engine_oil": false]),
    ])
    func compatibleLevels(_ level: String, _ expected: [String: Bool]) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let response = try await compatibility(client, sandbox, [("vin", "0SCANYTHING000001"), ("scope", "read_odometer read_fuel read_battery read_engine_oil"),
                                                                    ("country", "US"), ("mode", "test"), ("test_mode_compatibility_level", level)])
            #expect(response.status == .ok, "\(response.text)")
            expectSmartcarJSONHeaders(response)
            #expect(response.json["compatible"] as? Bool == true)
            #expect(response.json["reason"] is NSNull)
            #expect(capableByPermission(response) == expected, "\(level): \(response.text)")
            expectKeyOrder(response.text, ["compatible", "reason", "capabilities"])
        }
    }

    @Test(arguments: ["incompatible", "dinosaur"])
    func incompatibleLevels(_ level: String) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let response = try await compatibility(client, sandbox, [("vin", teslaVin), ("scope", "read_odometer"), ("mode", "test"),
                                                                    ("test_mode_compatibility_level", level)])
            #expect(response.status == .ok)
            #expect(response.json["compatible"] as? Bool == false)
            #expect(response.json["reason"] as? String == "VEHICLE_NOT_COMPATIBLE")
            #expect((response.json["capabilities"] as? [Any])?.isEmpty == true)
            let v1 = try await compatibility(client, sandbox, version: "1.0", [("vin", teslaVin), ("scope", "read_odometer"), ("mode", "test"),
                                                                               ("test_mode_compatibility_level", level)])
            #expect(v1.status == .ok)
            #expect(Set(v1.json.keys) == ["compatible"])
            #expect(v1.json["compatible"] as? Bool == false)
        }
    }

    /// `mode=test` without a level, or with one not in the list: 400 VALIDATION naming the field.
    @Test(arguments: [nil, "pizza", ""] as [String?])
    func missingOrUnknownLevelIsValidation(_ level: String?) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            var pairs = [("vin", audiVin), ("scope", "read_vehicle_info"), ("country", "US"), ("mode", "test")]
            if let level { pairs.append(("test_mode_compatibility_level", level)) }
            let response = try await compatibility(client, sandbox, pairs)
            expectV2Error(response, status: 400, type: "VALIDATION", code: nil, description: Smartcar.validationDescription)
            let detail = try #require(response.json["detail"] as? [[String: Any]], "detail: \(response.text)")
            #expect(detail.count == 1)
            #expect(detail.first?["field"] as? String == "test_mode_compatibility_level")
            #expect(detail.first?["message"] as? String == levelsMessage)

            let v1 = try await compatibility(client, sandbox, version: "1.0", pairs)
            expectV1Error(v1, status: 400, error: "validation_error", code: nil)
        }
    }

    /// v1.0 test mode answers `compatible` alone.
    @Test func v1TestModeCompatible() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            for level in ["compatible", "phev", "fuel", "bev"] {
                let response = try await compatibility(client, sandbox, version: "1.0", [("vin", audiVin), ("scope", "read_odometer"),
                                                                                         ("mode", "test"), ("test_mode_compatibility_level", level)])
                #expect(response.status == .ok)
                #expect(response.text == #"{"compatible":true}"#, "\(level): \(response.text)")
            }
        }
    }

    /// A real VIN with `test_mode_compatibility_level=compatible` is compatible (with `mode=test`, as the
    /// SDKs send it, or with the level alone).
    @Test func realVinWithLevelCompatible() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let truck = try sandbox.vehicle(model: "F-150")
            for vin in [audiVin, truck.vin] {
                for pairs in [[("mode", "test"), ("test_mode_compatibility_level", "compatible")], [("test_mode_compatibility_level", "compatible")]] {
                    let response = try await compatibility(client, sandbox, [("vin", vin), ("scope", "read_vehicle_info read_battery")] + pairs)
                    #expect(response.status == .ok)
                    #expect(response.json["compatible"] as? Bool == true, "\(vin): \(response.text)")
                    #expect(capableByPermission(response) == ["read_vehicle_info": true, "read_battery": true])
                }
            }
        }
    }

    /// The Python SDK's `test_get_compatibility_v2`: odometer capable, fuel not, in request order.
    @Test func gmTestVinOdometerButNotFuel() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let response = try await compatibility(client, sandbox, [("vin", gmTestVin), ("scope", "read_odometer read_fuel"), ("country", "US")])
            #expect(response.status == .ok)
            #expect(response.json["compatible"] as? Bool == true)
            #expect(response.json["reason"] is NSNull)
            let capabilities = try #require(response.json["capabilities"] as? [[String: Any]])
            try #require(capabilities.count == 2)
            #expect(capabilities[0]["permission"] as? String == "read_odometer")
            #expect(capabilities[0]["endpoint"] as? String == "/odometer")
            #expect(capabilities[0]["capable"] as? Bool == true)
            #expect(capabilities[0]["reason"] is NSNull)
            #expect(capabilities[1]["permission"] as? String == "read_fuel")
            #expect(capabilities[1]["endpoint"] as? String == "/fuel")
            #expect(capabilities[1]["capable"] as? Bool == false)
            #expect(capabilities[1]["reason"] as? String == "VEHICLE_NOT_CAPABLE")
        }
    }

    /// The node e2e pair: the Tesla capable of both, the Audi compatible but capable of neither (v2.0);
    /// on v1.0 the Tesla is compatible and the Audi is not.
    @Test func teslaAndAudiExamples() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let scope = ("scope", "read_odometer read_location")
            let tesla = try await compatibility(client, sandbox, [("vin", teslaVin), scope])
            #expect(tesla.json["compatible"] as? Bool == true)
            #expect(capableByPermission(tesla) == ["read_odometer": true, "read_location": true])
            let audi = try await compatibility(client, sandbox, [("vin", audiVin), scope])
            #expect(audi.json["compatible"] as? Bool == true)
            #expect(audi.json["reason"] is NSNull)
            #expect(capableByPermission(audi) == ["read_odometer": false, "read_location": false])

            let teslaV1 = try await compatibility(client, sandbox, version: "1.0", [("vin", teslaVin), scope])
            #expect(teslaV1.text == #"{"compatible":true}"#)
            let audiV1 = try await compatibility(client, sandbox, version: "1.0", [("vin", audiVin), scope])
            #expect(audiV1.text == #"{"compatible":false}"#)
        }
    }

    /// Outside test mode, other 0SC VINs are not compatible, as the docs say.
    @Test func otherTestVinsAreNotCompatible() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let response = try await compatibility(client, sandbox, [("vin", "0SCLR0002E8896323"), ("scope", "read_odometer")])
            #expect(response.json["compatible"] as? Bool == false)
            #expect(response.json["reason"] as? String == "VEHICLE_NOT_COMPATIBLE")
        }
    }
}
