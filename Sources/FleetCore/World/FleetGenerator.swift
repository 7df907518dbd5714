import Foundation

/// Builds fleet documents: a generated world from a seed, or a copy of a fixture with fresh identities.
///
/// Physical facts (models, positions, charge levels) come from the seed, so the same seed gives the
/// same fleet; identities (ids, VINs, keys, addresses) come from `identities`, so that every sandbox's
/// credentials stay unique.
public struct FleetGenerator {
    struct Model {
        var make: String, model: String, wmi: String, years: ClosedRange<Int>, powertrain: Powertrain
        var batteryKWh: Double?, tankLiters: Double?, hasSunroof: Bool
        /// km per kWh for the electric part, km per litre for the fuel part.
        var kmPerKWh: Double, kmPerLiter: Double
    }

    static let catalogue: [Model] = [
        Model(make: "TESLA", model: "Model 3", wmi: "5YJ", years: 2019...2024, powertrain: .bev, batteryKWh: 75, tankLiters: nil, hasSunroof: false, kmPerKWh: 6.6, kmPerLiter: 0),
        Model(make: "TESLA", model: "Model Y", wmi: "7SA", years: 2021...2025, powertrain: .bev, batteryKWh: 78, tankLiters: nil, hasSunroof: false, kmPerKWh: 6.2, kmPerLiter: 0),
        Model(make: "CHEVROLET", model: "Bolt EV", wmi: "1G1", years: 2019...2023, powertrain: .bev, batteryKWh: 65, tankLiters: nil, hasSunroof: false, kmPerKWh: 6.3, kmPerLiter: 0),
        Model(make: "NISSAN", model: "LEAF", wmi: "1N4", years: 2018...2023, powertrain: .bev, batteryKWh: 40, tankLiters: nil, hasSunroof: false, kmPerKWh: 6.0, kmPerLiter: 0),
        Model(make: "HYUNDAI", model: "Ioniq 5", wmi: "KM8", years: 2022...2025, powertrain: .bev, batteryKWh: 77.4, tankLiters: nil, hasSunroof: true, kmPerKWh: 5.6, kmPerLiter: 0),
        Model(make: "VOLKSWAGEN", model: "ID.4", wmi: "1V2", years: 2021...2024, powertrain: .bev, batteryKWh: 82, tankLiters: nil, hasSunroof: true, kmPerKWh: 5.5, kmPerLiter: 0),
        Model(make: "TOYOTA", model: "RAV4 Prime", wmi: "JTM", years: 2021...2024, powertrain: .phev, batteryKWh: 18.1, tankLiters: 55, hasSunroof: true, kmPerKWh: 4.8, kmPerLiter: 16),
        Model(make: "FORD", model: "Escape PHEV", wmi: "1FM", years: 2020...2023, powertrain: .phev, batteryKWh: 14.4, tankLiters: 42, hasSunroof: true, kmPerKWh: 4.5, kmPerLiter: 17),
        Model(make: "BMW", model: "X5 xDrive45e", wmi: "5UX", years: 2019...2023, powertrain: .phev, batteryKWh: 24, tankLiters: 69, hasSunroof: true, kmPerKWh: 3.7, kmPerLiter: 11),
        Model(make: "TOYOTA", model: "Prius", wmi: "JTD", years: 2018...2024, powertrain: .hev, batteryKWh: nil, tankLiters: 43, hasSunroof: false, kmPerKWh: 0, kmPerLiter: 23),
        Model(make: "HYUNDAI", model: "Tucson Hybrid", wmi: "KM8", years: 2022...2025, powertrain: .hev, batteryKWh: nil, tankLiters: 52, hasSunroof: true, kmPerKWh: 0, kmPerLiter: 16),
        Model(make: "KIA", model: "Niro", wmi: "KND", years: 2018...2023, powertrain: .hev, batteryKWh: nil, tankLiters: 45, hasSunroof: false, kmPerKWh: 0, kmPerLiter: 21),
        Model(make: "FORD", model: "F-150", wmi: "1FT", years: 2018...2024, powertrain: .ice, batteryKWh: nil, tankLiters: 98, hasSunroof: true, kmPerKWh: 0, kmPerLiter: 8),
        Model(make: "CHEVROLET", model: "Silverado 1500", wmi: "1GC", years: 2019...2024, powertrain: .ice, batteryKWh: nil, tankLiters: 91, hasSunroof: false, kmPerKWh: 0, kmPerLiter: 7.5),
        Model(make: "BMW", model: "330i", wmi: "WBA", years: 2019...2024, powertrain: .ice, batteryKWh: nil, tankLiters: 59, hasSunroof: true, kmPerKWh: 0, kmPerLiter: 13),
        Model(make: "VOLKSWAGEN", model: "Golf", wmi: "WVW", years: 2018...2023, powertrain: .ice, batteryKWh: nil, tankLiters: 50, hasSunroof: true, kmPerKWh: 0, kmPerLiter: 15),
    ]

    static let cities: [FleetDocument.Place] = [
        .init(latitude: 37.7749, longitude: -122.4194, city: "San Francisco"),
        .init(latitude: 39.7392, longitude: -104.9903, city: "Denver"),
        .init(latitude: 52.5200, longitude: 13.4050, city: "Berlin"),
        .init(latitude: 47.6062, longitude: -122.3321, city: "Seattle"),
        .init(latitude: 42.3601, longitude: -71.0589, city: "Boston"),
        .init(latitude: 48.1351, longitude: 11.5820, city: "Munich"),
    ]

    static let firstNames = ["Avery", "Jordan", "Sam", "Riley", "Morgan", "Casey", "Jamie", "Quinn", "Taylor", "Drew"]
    static let lastNames = ["Nguyen", "Garcia", "Schmidt", "Okafor", "Larsen", "Patel", "Rossi", "Kim", "Silva", "Novak"]

    /// A generated fleet of `count` vehicles.
    public static func generate<R: RandomNumberGenerator>(seed: UInt64, count: Int, identities: inout R) -> FleetDocument {
        var rng = SeededRandom(seed: seed)
        let ownerCount = max(1, min(10, count / 4 + 1))
        var owners: [FleetDocument.OwnerSpec] = []
        for i in 0..<ownerCount {
            let first = firstNames[Int.random(in: 0..<firstNames.count, using: &rng)]
            let last = lastNames[Int.random(in: 0..<lastNames.count, using: &rng)]
            let city = cities[i % cities.count]
            owners.append(.init(
                email: "\(first.lowercased()).\(last.lowercased())\(i + 1)@example.com",
                name: "\(first) \(last)",
                smartcarUserId: "",
                dimoAddress: "",
                home: .init(latitude: city.latitude + rng.double(in: -0.03...0.03),
                            longitude: city.longitude + rng.double(in: -0.03...0.03), city: city.city)))
        }
        var vehicles: [FleetDocument.VehicleSpec] = []
        for i in 0..<count {
            // Cycle powertrains so every generated fleet of 4+ has all four.
            let powertrain = Powertrain.allCases[i % 4]
            let choices = catalogue.filter { $0.powertrain == powertrain }
            let model = choices[Int.random(in: 0..<choices.count, using: &rng)]
            let owner = owners[i % owners.count]
            let year = Int.random(in: model.years, using: &rng)
            vehicles.append(.init(
                vin: "", smartcarId: "", dimoTokenId: 0, owner: owner.email,
                make: model.make, model: model.model, year: year, powertrain: model.powertrain,
                batteryCapacityKWh: model.batteryKWh, fuelTankLiters: model.tankLiters,
                state: parkedState(model: model, year: year, home: owner.home, rng: &rng)))
            vehicles[i].vin = model.wmi
        }
        var doc = FleetDocument(
            name: "generated", seed: seed,
            smartcarApp: .init(clientId: "", clientSecret: "", managementToken: "",
                               redirectUris: ["http://localhost:8000/callback", "http://127.0.0.1:8000/callback", "https://example.com/callback"]),
            dimoLicense: .init(clientId: "", tokenId: 0, alias: "fleetmock-generated",
                               redirectUris: ["http://localhost:8000/callback", "http://127.0.0.1:8000/callback", "https://example.com/callback"],
                               signerPrivateKey: "", signerAddress: ""),
            owners: owners, vehicles: vehicles)
        assignIdentities(&doc, using: &identities)
        return doc
    }

    static func parkedState<R: RandomNumberGenerator>(model: Model, year: Int, home: FleetDocument.Place, rng: inout R) -> VehicleState {
        let age = max(0.3, Double(2026 - year) + rng.double(in: 0...0.9))
        let soc: Double? = model.powertrain.isPlugIn ? (rng.double(in: 0.35...0.9) * 100).rounded() / 100 : nil
        let fuel: Double? = model.powertrain.hasFuelTank ? (rng.double(in: 0.2...0.95) * 100).rounded() / 100 : nil
        var range = 0.0
        if let soc, let kwh = model.batteryKWh { range += soc * kwh * model.kmPerKWh }
        if let fuel, let tank = model.tankLiters { range += fuel * tank * model.kmPerLiter }
        let base = model.model.contains("F-150") || model.model.contains("Silverado") ? 240.0 : 250.0
        let tires = (0..<4).map { _ in (base + rng.double(in: -6...4)).rounded() }
        return VehicleState(
            odometerKm: (age * rng.double(in: 9_000...19_000) * 10).rounded() / 10,
            latitude: home.latitude + rng.double(in: -0.02...0.02),
            longitude: home.longitude + rng.double(in: -0.02...0.02),
            heading: Double(Int.random(in: 0..<360, using: &rng)),
            stateOfCharge: soc, fuelFraction: fuel, rangeKm: (range * 10).rounded() / 10,
            isPluggedIn: false, chargeState: .notCharging,
            chargeLimit: model.powertrain.isPlugIn ? [0.8, 0.9, 1.0][Int.random(in: 0..<3, using: &rng)] : 1.0,
            isLocked: true,
            doors: Corners(all: .closed), windows: Corners(all: .closed),
            sunroof: model.hasSunroof ? .closed : nil, hood: .closed, trunk: .closed,
            chargingPort: model.powertrain.isPlugIn ? .closed : nil,
            tirePressureKPa: Corners(frontLeft: tires[0], frontRight: tires[1], backLeft: tires[2], backRight: tires[3]),
            oilLife: model.powertrain.hasEngine ? (rng.double(in: 0.15...0.95) * 100).rounded() / 100 : nil,
            ignitionOn: false, speedKph: 0,
            lowVoltageBatteryV: (rng.double(in: 12.3...12.8) * 100).rounded() / 100,
            cabinTempC: (rng.double(in: 12...24) * 10).rounded() / 10,
            outsideTempC: (rng.double(in: 5...22) * 10).rounded() / 10)
    }

    /// Replaces every identity in `doc` (ids, secrets, VIN serials, keys, addresses) with fresh ones.
    /// VINs keep their manufacturer prefix and model year; DIMO token ids are assigned later by the store.
    public static func assignIdentities<R: RandomNumberGenerator>(_ doc: inout FleetDocument, using rng: inout R) {
        doc.smartcarApp.clientId = Identifiers.uuid(using: &rng)
        doc.smartcarApp.clientSecret = Identifiers.uuid(using: &rng)
        doc.smartcarApp.managementToken = Identifiers.uuid(using: &rng)
        let signer = Ethereum.randomPrivateKey(using: &rng)
        doc.dimoLicense.signerPrivateKey = "0x" + Hex.encode(signer)
        doc.dimoLicense.signerAddress = (try? Ethereum.address(privateKey: signer)) ?? ""
        doc.dimoLicense.clientId = randomAddress(using: &rng)
        for i in doc.owners.indices {
            doc.owners[i].smartcarUserId = Identifiers.uuid(using: &rng)
            doc.owners[i].dimoAddress = randomAddress(using: &rng)
        }
        for i in doc.vehicles.indices {
            let wmi = String(doc.vehicles[i].vin.prefix(3))
            doc.vehicles[i].vin = VIN.generate(wmi: wmi.count == 3 ? wmi : "1FM", year: doc.vehicles[i].year, using: &rng)
            doc.vehicles[i].smartcarId = Identifiers.uuid(using: &rng)
        }
    }

    /// The address of a fresh random key.
    public static func randomAddress<R: RandomNumberGenerator>(using rng: inout R) -> String {
        let key = Ethereum.randomPrivateKey(using: &rng)
        return (try? Ethereum.address(privateKey: key)) ?? Ethereum.checksumAddress(bytes: Array(key.prefix(20)))
    }
}

extension FleetGenerator {
    /// A public view of the model catalogue (for compatibility answers).
    public struct CatalogueModel: Sendable {
        public var make: String
        public var model: String
        public var years: ClosedRange<Int>
        public var powertrain: Powertrain
        public var wmi: String
    }

    public static var catalogueModels: [CatalogueModel] {
        catalogue.map { CatalogueModel(make: $0.make, model: $0.model, years: $0.years, powertrain: $0.powertrain, wmi: $0.wmi) }
    }

    /// The powertrain of the first catalogue model per WMI, keyed by WMI.
    public static var catalogueMakes: [String: Powertrain] {
        var out: [String: Powertrain] = [:]
        for model in catalogue where out[model.wmi] == nil { out[model.wmi] = model.powertrain }
        return out
    }

    /// The WMI (first three characters) of a VIN.
    public static func wmiMake(_ vin: String) -> String { String(vin.uppercased().prefix(3)) }
}
