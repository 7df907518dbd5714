import Foundation

/// A problem with a fixture or a requested world, naming the file (if any) and the field.
public struct FixtureError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var field: String
    public var reason: String

    public init(file: String? = nil, field: String, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    public var description: String {
        "\(file.map { "\($0): " } ?? "")\(field.isEmpty ? "(document)" : field): \(reason)"
    }
}

/// Reads fleet documents from a fixtures directory: `<dir>/<name>/fleet.json`.
public struct FixtureLibrary: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// Names of the fixture sets present.
    public func names() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).appendingPathComponent("fleet.json").path)
        }.sorted()
    }

    /// Loads and validates one fixture set.
    public func load(_ name: String) throws(FixtureError) -> FleetDocument {
        guard name.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil, !name.hasPrefix(".") else {
            throw FixtureError(field: "fixtures", reason: "'\(name)' is not a fixture name")
        }
        let file = directory.appendingPathComponent(name).appendingPathComponent("fleet.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw FixtureError(field: "fixtures", reason: "no fixture set '\(name)' (looked for \(file.path))")
        }
        return try Self.decode(data, file: file.path)
    }

    /// Decodes and validates a fleet document, naming the field at fault.
    public static func decode(_ data: Data, file: String? = nil) throws(FixtureError) -> FleetDocument {
        let document: FleetDocument
        do {
            document = try JSONDecoder().decode(FleetDocument.self, from: data)
        } catch let error as DecodingError {
            throw FixtureError(file: file, field: error.fieldPath, reason: error.reason)
        } catch {
            throw FixtureError(file: file, field: "", reason: "\(error)")
        }
        do {
            try FleetValidation.validate(document)
        } catch var error {
            error.file = file
            throw error
        }
        return document
    }
}

extension DecodingError {
    /// The dotted path of the field a decoding error is about, e.g. `vehicles[2].state.odometerKm`.
    public var fieldPath: String {
        let path: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default: path = []
        }
        return Self.render(path)
    }

    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    /// A short human reason.
    public var reason: String {
        switch self {
        case .keyNotFound: return "is required"
        case .typeMismatch(let type, _): return "expected \(Self.describe(type))"
        case .valueNotFound(let type, _): return "expected \(Self.describe(type)), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "is not valid JSON" }
            return context.debugDescription
        @unknown default: return "is invalid"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a value of type \(name)"
        }
    }
}

/// The rules every fleet document obeys, whether it comes from a file, a generator or a PATCH.
public enum FleetValidation {
    public static func validate(_ doc: FleetDocument) throws(FixtureError) {
        func fail(_ field: String, _ reason: String) -> FixtureError { FixtureError(field: field, reason: reason) }

        if doc.smartcarApp.redirectUris.isEmpty { throw fail("smartcarApp.redirectUris", "needs at least one URI") }
        for (i, uri) in doc.smartcarApp.redirectUris.enumerated() where URL(string: uri)?.scheme == nil {
            throw fail("smartcarApp.redirectUris[\(i)]", "'\(uri)' is not an absolute URI")
        }
        guard let key = Hex.decode(doc.dimoLicense.signerPrivateKey), key.count == 32 else {
            throw fail("dimoLicense.signerPrivateKey", "must be 32 bytes of hex")
        }
        guard let derived = try? Ethereum.address(privateKey: key) else {
            throw fail("dimoLicense.signerPrivateKey", "is not a valid secp256k1 private key")
        }
        if derived.lowercased() != doc.dimoLicense.signerAddress.lowercased() {
            throw fail("dimoLicense.signerAddress", "is \(doc.dimoLicense.signerAddress) but the private key's address is \(derived)")
        }
        if Ethereum.checksumAddress(doc.dimoLicense.clientId) == nil {
            throw fail("dimoLicense.clientId", "must be a 20-byte hex address")
        }
        if doc.owners.isEmpty { throw fail("owners", "needs at least one owner") }
        var emails = Set<String>()
        for (i, owner) in doc.owners.enumerated() {
            if !owner.email.contains("@") { throw fail("owners[\(i)].email", "'\(owner.email)' is not an email address") }
            if !emails.insert(owner.email.lowercased()).inserted { throw fail("owners[\(i)].email", "duplicate email") }
            if Ethereum.checksumAddress(owner.dimoAddress) == nil {
                throw fail("owners[\(i)].dimoAddress", "must be a 20-byte hex address")
            }
            try validateCoordinate(owner.home.latitude, owner.home.longitude, field: "owners[\(i)].home")
        }
        var vins = Set<String>(), ids = Set<String>(), tokenIds = Set<Int64>()
        for (i, v) in doc.vehicles.enumerated() {
            let at = "vehicles[\(i)]"
            if !VIN.isValid(v.vin) {
                let expected = VIN.checkDigit(v.vin).map { ", check digit should be \($0)" } ?? ""
                throw fail("\(at).vin", "'\(v.vin)' is not a valid VIN\(expected)")
            }
            if !vins.insert(v.vin).inserted { throw fail("\(at).vin", "duplicate VIN") }
            if !ids.insert(v.smartcarId).inserted { throw fail("\(at).smartcarId", "duplicate id") }
            if v.dimoTokenId <= 0 { throw fail("\(at).dimoTokenId", "must be a positive integer") }
            if !tokenIds.insert(v.dimoTokenId).inserted { throw fail("\(at).dimoTokenId", "duplicate tokenId") }
            if !emails.contains(v.owner.lowercased()) { throw fail("\(at).owner", "no owner with email '\(v.owner)'") }
            if v.year < 1990 || v.year > 2030 { throw fail("\(at).year", "must be between 1990 and 2030") }
            if v.make.isEmpty || v.make != v.make.uppercased() { throw fail("\(at).make", "must be an upper-case make id such as TESLA") }
            if v.powertrain.isPlugIn, (v.batteryCapacityKWh ?? 0) <= 0 {
                throw fail("\(at).batteryCapacityKWh", "a \(v.powertrain.rawValue) needs a battery capacity")
            }
            if v.powertrain.hasFuelTank, (v.fuelTankLiters ?? 0) <= 0 {
                throw fail("\(at).fuelTankLiters", "a \(v.powertrain.rawValue) needs a fuel tank")
            }
            try validate(v.state, powertrain: v.powertrain, field: "\(at).state")
        }
    }

    /// Physical plausibility of a state for a powertrain.
    public static func validate(_ s: VehicleState, powertrain: Powertrain, field: String) throws(FixtureError) {
        func fail(_ name: String, _ reason: String) -> FixtureError { FixtureError(field: "\(field).\(name)", reason: reason) }
        if !(s.odometerKm >= 0 && s.odometerKm < 5_000_000) { throw fail("odometerKm", "must be between 0 and 5000000") }
        try validateCoordinate(s.latitude, s.longitude, field: field)
        if !(s.heading >= 0 && s.heading < 360) { throw fail("heading", "must be in [0, 360)") }
        if powertrain.isPlugIn {
            guard let soc = s.stateOfCharge, soc >= 0, soc <= 1 else { throw fail("stateOfCharge", "must be a fraction in [0, 1] for a \(powertrain.rawValue)") }
        } else if s.stateOfCharge != nil, powertrain == .ice {
            throw fail("stateOfCharge", "must be null for an ICE vehicle")
        }
        if powertrain.hasFuelTank {
            guard let fuel = s.fuelFraction, fuel >= 0, fuel <= 1 else { throw fail("fuelFraction", "must be a fraction in [0, 1] for a \(powertrain.rawValue)") }
        } else if s.fuelFraction != nil {
            throw fail("fuelFraction", "must be null for a BEV")
        }
        if !(s.rangeKm >= 0 && s.rangeKm < 3000) { throw fail("rangeKm", "must be between 0 and 3000") }
        if !(s.chargeLimit >= 0.5 && s.chargeLimit <= 1) { throw fail("chargeLimit", "must be between 0.5 and 1") }
        if !powertrain.isPlugIn, s.isPluggedIn { throw fail("isPluggedIn", "a \(powertrain.rawValue) cannot be plugged in") }
        if s.chargeState == .charging, !s.isPluggedIn { throw fail("chargeState", "CHARGING requires isPluggedIn") }
        if !powertrain.isPlugIn, s.chargeState != .notCharging { throw fail("chargeState", "must be NOT_CHARGING for a \(powertrain.rawValue)") }
        for (name, value) in s.tirePressureKPa.ordered where !(value >= 0 && value <= 1000) {
            throw fail("tirePressureKPa.\(name)", "must be between 0 and 1000")
        }
        if let oil = s.oilLife, !(oil >= 0 && oil <= 1) { throw fail("oilLife", "must be a fraction in [0, 1]") }
        if !(s.speedKph >= 0 && s.speedKph <= 400) { throw fail("speedKph", "must be between 0 and 400") }
        if !s.ignitionOn, s.speedKph > 0 { throw fail("speedKph", "must be 0 while the ignition is off") }
        if !(s.lowVoltageBatteryV >= 0 && s.lowVoltageBatteryV <= 30) { throw fail("lowVoltageBatteryV", "must be between 0 and 30") }
        if !(s.cabinTempC > -80 && s.cabinTempC < 100) { throw fail("cabinTempC", "must be between -80 and 100") }
        if !(s.outsideTempC > -80 && s.outsideTempC < 70) { throw fail("outsideTempC", "must be between -80 and 70") }
        for (index, code) in (s.troubleCodes ?? []).enumerated() {
            if !TroubleCode.isValid(code.code) { throw fail("troubleCodes[\(index)].code", "must be an OBD-II code such as P0420") }
            if Timestamp.parse(code.since) == nil { throw fail("troubleCodes[\(index)].since", "must be an RFC 3339 timestamp") }
        }
    }

    static func validateCoordinate(_ lat: Double, _ lon: Double, field: String) throws(FixtureError) {
        if !(lat >= -90 && lat <= 90) { throw FixtureError(field: "\(field).latitude", reason: "must be between -90 and 90") }
        if !(lon >= -180 && lon <= 180) { throw FixtureError(field: "\(field).longitude", reason: "must be between -180 and 180") }
    }
}
