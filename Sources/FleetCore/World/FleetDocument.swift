import Foundation

/// A whole sandbox world as data: the format of `fixtures/<name>/fleet.json`, and of the seed a
/// sandbox keeps so that a reset restores it exactly.
public struct FleetDocument: Codable, Sendable, Equatable {
    public var name: String
    public var seed: UInt64
    public var smartcarApp: SmartcarAppSpec
    public var dimoLicense: DIMOLicenseSpec
    public var owners: [OwnerSpec]
    public var vehicles: [VehicleSpec]

    public struct SmartcarAppSpec: Codable, Sendable, Equatable {
        public var clientId: String
        public var clientSecret: String
        public var managementToken: String
        public var redirectUris: [String]
    }

    public struct DIMOLicenseSpec: Codable, Sendable, Equatable {
        public var clientId: String
        public var tokenId: Int64
        public var alias: String
        public var redirectUris: [String]
        public var signerPrivateKey: String
        public var signerAddress: String
    }

    public struct Place: Codable, Sendable, Equatable {
        public var latitude: Double
        public var longitude: Double
        public var city: String
    }

    public struct OwnerSpec: Codable, Sendable, Equatable {
        public var email: String
        public var name: String
        public var smartcarUserId: String
        public var dimoAddress: String
        public var home: Place
    }

    public struct VehicleSpec: Codable, Sendable, Equatable {
        public var vin: String
        public var smartcarId: String
        public var dimoTokenId: Int64
        public var owner: String
        public var make: String
        public var model: String
        public var year: Int
        public var powertrain: Powertrain
        public var batteryCapacityKWh: Double?
        public var fuelTankLiters: Double?
        public var state: VehicleState
    }
}
