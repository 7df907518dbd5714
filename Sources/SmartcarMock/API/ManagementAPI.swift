import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// `/v2.0/management/connections` (Basic `default:<management token>`) and `/vX.Y/compatibility`
/// (Basic client credentials).
struct ManagementAPI: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess

    static func basic(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    func connections(_ request: Request, scope: RequestScope, requestId: String) async throws -> Response {
        guard let (user, token) = Self.basic(request), user == "default", let (_, sandbox) = try await access.app(managementToken: token) else {
            throw SmartcarAPIError.authentication
        }
        scope.sandboxId = sandbox.id
        let query = request.queryItems
        let userId = query["user_id"].flatMap { $0.isEmpty ? nil : $0 }
        let vehicleId = query["vehicle_id"].flatMap { $0.isEmpty ? nil : $0 }
        var headers = HTTPFields()
        headers[.scRequestId] = requestId

        if request.method == .delete {
            guard userId != nil || vehicleId != nil else {
                throw SmartcarAPIError.validation("Either \"user_id\" or \"vehicle_id\" is required", field: "user_id")
            }
            let deleted = try await access.deleteConnections(sandboxId: sandbox.id, userId: userId, vehicleId: vehicleId)
            return Responses.json(.object([("connections", .array(deleted.map {
                .object([("userId", .string($0.userId)), ("vehicleId", .string($0.vehicleId))])
            }))]), headers: headers)
        }
        guard request.method == .get else { throw SmartcarAPIError.of("RESOURCE_NOT_FOUND", "PATH") }
        var limit = 10
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw SmartcarAPIError.validation("\"limit\" must be an integer between 1 and 100", field: "limit")
            }
            limit = value
        }
        var all = try await access.connections(sandboxId: sandbox.id)
        if let userId { all = all.filter { $0.userId == userId } }
        if let vehicleId { all = all.filter { $0.vehicleId == vehicleId } }
        if let mode = query["mode"], !mode.isEmpty {
            guard ["live", "test", "simulated"].contains(mode) else {
                throw SmartcarAPIError.validation("\"mode\" must be one of [live, simulated, test]", field: "mode")
            }
            all = all.filter { $0.mode.rawValue == mode }
        }
        var offset = 0
        if let cursor = query["cursor"], !cursor.isEmpty {
            guard let decoded = Data(base64Encoded: cursor).map({ String(decoding: $0, as: UTF8.self) }),
                  decoded.hasPrefix("offset:"), let value = Int(decoded.dropFirst(7)), value >= 0 else {
                throw SmartcarAPIError.validation("\"cursor\" is invalid", field: "cursor")
            }
            offset = value
        }
        let page = all.dropFirst(offset).prefix(limit)
        let next = offset + page.count < all.count ? JSONValue.string(Data("offset:\(offset + page.count)".utf8).base64EncodedString()) : .null
        return Responses.json(.object([
            ("connections", .array(page.map {
                .object([("connectedAt", .string(Timestamp.millis($0.connectedAt))), ("vehicleId", .string($0.vehicleId)),
                         ("userId", .string($0.userId)), ("mode", .string($0.mode.rawValue))])
            })),
            ("paging", .object([("cursor", next), ("count", .integer(Int64(page.count)))])),
        ]), headers: headers)
    }

    // MARK: Compatibility

    /// What each permission needs of a powertrain.
    static func capable(_ permission: String, _ powertrain: Powertrain) -> Bool {
        switch permission {
        case "read_battery", "read_charge", "control_charge": return powertrain.isPlugIn
        case "read_fuel": return powertrain.hasFuelTank
        case "read_engine_oil": return powertrain.hasEngine
        default: return true
        }
    }

    static let endpointOfPermission: [String: String] = [
        "read_vehicle_info": "/", "read_vin": "/vin", "read_odometer": "/odometer", "read_location": "/location",
        "read_battery": "/battery", "read_charge": "/charge", "control_charge": "/charge", "read_fuel": "/fuel",
        "read_tires": "/tires/pressure", "read_engine_oil": "/engine/oil", "read_security": "/security",
        "control_security": "/security", "control_navigation": "/navigation/destination",
        "read_service_history": "/service/history", "read_diagnostics": "/diagnostics/system_status",
    ]

    func compatibility(_ request: Request, segments: [String], version: SmartcarAPIVersion, scope: RequestScope, requestId: String) async throws -> Response {
        guard let (clientId, secret) = Self.basic(request), let (app, sandbox) = try await access.app(clientId: clientId), app.clientSecret == secret else {
            throw SmartcarAPIError.authentication
        }
        scope.sandboxId = sandbox.id
        var headers = HTTPFields()
        headers[.scRequestId] = requestId
        let query = request.queryItems
        if segments == ["compatibility", "matrix"] {
            return Responses.json(Self.matrix(query: query), headers: headers)
        }
        guard let vin = query["vin"], !vin.isEmpty else { throw SmartcarAPIError.validation("\"vin\" is required", field: "vin") }
        guard let scopeText = query["scope"], !scopeText.isEmpty else { throw SmartcarAPIError.validation("\"scope\" is required", field: "scope") }
        let permissions = scopeText.split(separator: " ").map(String.init)
        for permission in permissions where !SmartcarScope.isKnown(permission) {
            throw SmartcarAPIError.validation("Invalid permission: \(permission)", field: "scope")
        }
        let answer: CompatibilityAnswer
        // The SDKs send `mode=test` with every level; a level alone is read as test mode too.
        let level = query["test_mode_compatibility_level"].flatMap { $0.isEmpty ? nil : $0 }
        if query["mode"] == "test" || (query["mode"] == nil && level != nil) {
            answer = try Self.testModeAnswer(level: level)
        } else {
            guard vin.count == 17 else { throw SmartcarAPIError.validation("\"vin\" must be 17 characters", field: "vin") }
            answer = try await liveAnswer(vin: vin.uppercased(), sandboxId: sandbox.id)
        }
        return Responses.json(version == .v1 ? answer.v1Body : answer.v2Body(permissions), headers: headers)
    }

    /// What the compatibility API says about one vehicle: not compatible (with the reason), or
    /// compatible with the capabilities of a powertrain, or compatible but capable of nothing.
    enum CompatibilityAnswer: Equatable {
        case incompatible(reason: String)
        case powertrain(Powertrain)
        case noCapabilities

        /// v1.0 answers only `compatible`; a car capable of nothing was not compatible there (the
        /// v1-era e2e suites assert false for the Audi that v2.0 calls compatible).
        var v1Body: JSONValue {
            switch self {
            case .incompatible, .noCapabilities: return .object([("compatible", false)])
            case .powertrain: return .object([("compatible", true)])
            }
        }

        /// v2.0: `compatible`, `reason` and one capability per requested permission, in request order
        /// (empty when not compatible).
        func v2Body(_ permissions: [String]) -> JSONValue {
            if case .incompatible(let reason) = self {
                return .object([("compatible", false), ("reason", .string(reason)), ("capabilities", .array([]))])
            }
            let capabilities: [JSONValue] = permissions.map { permission in
                var capable = false
                if case .powertrain(let powertrain) = self { capable = ManagementAPI.capable(permission, powertrain) }
                return .object([("capable", .bool(capable)), ("endpoint", .string(ManagementAPI.endpointOfPermission[permission] ?? "/")),
                                ("permission", .string(permission)), ("reason", capable ? .null : "VEHICLE_NOT_CAPABLE")])
            }
            return .object([("compatible", true), ("reason", .null), ("capabilities", .array(capabilities))])
        }
    }

    /// The levels `test_mode_compatibility_level` takes, in the order upstream's message lists them.
    static let testModeLevels = ["compatible", "phev", "incompatible", "fuel", "dinosaur", "bev"]

    /// A test-mode (`mode=test`) answer, from `test_mode_compatibility_level` alone: any VIN.
    /// `compatible` and `phev` can do everything, `fuel` what a gasoline car can, `bev` what a
    /// battery-electric one can; `incompatible` and `dinosaur` (a car too old to be connected) are not
    /// compatible. The error's `detail` names the field as a plain string, as the Python SDK's own
    /// e2e test expects (its Joi-style validation errors use a one-element array instead).
    static func testModeAnswer(level: String?) throws -> CompatibilityAnswer {
        switch level {
        case "compatible", "phev": return .powertrain(.phev)
        case "fuel": return .powertrain(.ice)
        case "bev": return .powertrain(.bev)
        case "incompatible", "dinosaur": return .incompatible(reason: "VEHICLE_NOT_COMPATIBLE")
        default:
            let message = "Field must be one of: [\(testModeLevels.joined(separator: ","))]"
            throw SmartcarAPIError.of("VALIDATION", nil, detail: .array([
                .object([("field", "test_mode_compatibility_level"), ("message", .string(message))]),
            ]))
        }
    }

    /// VINs upstream's SDK e2e suites query against the live service, with the answers they assert.
    /// The docs say 0SC test VINs do not work with the Compatibility API, but the Python SDK's
    /// `test_get_compatibility_v2` gets an answer for `0SCGMCT0386A85356` (odometer capable, fuel not):
    /// the SDK's test wins. The Audi is compatible but capable of nothing on v2.0 (node e2e) and not
    /// compatible on v1.0 (the v1-era node and ruby e2e).
    static let documentedVINs: [String: CompatibilityAnswer] = [
        "0SCGMCT0386A85356": .powertrain(.bev),
        "5YJXCDE22HF068739": .powertrain(.bev),
        "WAUAFAFL1GN014882": .noCapabilities,
    ]

    /// A live answer: the sandbox's own vehicle by its powertrain, a documented VIN, or the catalogue
    /// model of the VIN's manufacturer code; anything else is not compatible.
    func liveAnswer(vin: String, sandboxId: String) async throws -> CompatibilityAnswer {
        if let vehicle = try await fleet.vehicleRecord(in: sandboxId, vin: vin) { return .powertrain(vehicle.powertrain) }
        if let documented = Self.documentedVINs[vin] { return documented }
        if let powertrain = FleetGenerator.catalogueMakes[FleetGenerator.wmiMake(vin)] { return .powertrain(powertrain) }
        return .incompatible(reason: "VEHICLE_NOT_COMPATIBLE")
    }

    static func matrix(query: [String: String]) -> JSONValue {
        let makes = query["make"].map { Set($0.uppercased().split(separator: " ").map(String.init)) }
        let type = query["type"]?.uppercased()
        let requested = query["scope"].map { $0.split(separator: " ").map(String.init) }
        var byMake: [(String, [JSONValue])] = []
        for model in FleetGenerator.catalogueModels {
            if let makes, !makes.contains(model.make) { continue }
            if let type, !type.isEmpty, model.powertrain.rawValue != type { continue }
            let permissions = (requested ?? Array(endpointOfPermission.keys).sorted()).filter { capable($0, model.powertrain) }
            let endpoints = permissions.compactMap { endpointOfPermission[$0] }
            let entry: JSONValue = .object([
                ("model", .string(model.model)), ("startYear", .integer(Int64(model.years.lowerBound))),
                ("endYear", .integer(Int64(model.years.upperBound))), ("type", .string(model.powertrain.rawValue)),
                ("endpoints", .array(Array(Set(endpoints)).sorted().map { .string($0) })),
                ("permissions", .array(permissions.map { .string($0) })),
            ])
            if let index = byMake.firstIndex(where: { $0.0 == model.make }) {
                byMake[index].1.append(entry)
            } else {
                byMake.append((model.make, [entry]))
            }
        }
        return .object(byMake.map { ($0.0, .array($0.1)) })
    }
}
