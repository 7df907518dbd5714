import FleetCore
import Foundation

/// Wire shapes of the control API (`/__fleetmock`), shared by the server that encodes them and the
/// clients (the CLI and the contract harness) that decode them. Kept apart from the store's records.
public enum ControlDTO {
    public struct Health: Codable, Sendable {
        public var status = "ok"
        public var version: String

        public init(version: String) { self.version = version }
    }

    public struct SmartcarCredentials: Codable, Sendable {
        public var clientId: String
        public var clientSecret: String
        public var redirectUri: String
        public var redirectUris: [String]
        public var managementToken: String
        public var webhookId: String
    }

    public struct DIMOCredentials: Codable, Sendable {
        public var clientId: String
        public var domain: String
        public var redirectUris: [String]
        public var privateKey: String
        public var signerAddress: String
        public var licenseTokenId: Int64
        public var vehicleContract: String
    }

    public struct User: Codable, Sendable {
        public var email: String
        public var name: String
        public var smartcarUserId: String
        public var dimoAddress: String
    }

    public struct VehicleSummary: Codable, Sendable {
        public var vin: String
        public var smartcarId: String
        public var dimoTokenId: Int64
        public var make: String
        public var model: String
        public var year: Int
        public var powertrain: String
        public var owner: String
    }

    public struct Clock: Codable, Sendable {
        public var now: Date
        public var frozen: Bool
        public var scale: Double
        /// Virtual minus real time, in seconds.
        public var offsetSeconds: Double

        public init(_ clock: VirtualClock, real: Date = Date()) {
            now = clock.now(real: real)
            frozen = clock.isFrozen
            scale = clock.scale
            offsetSeconds = ((now.timeIntervalSince(real)) * 1000).rounded() / 1000
        }
    }

    public struct Settings: Codable, Sendable {
        public var rateLimits: Bool
        public var appRequestsPerMinute: Int
        public var appBurst: Int
        public var vehicleRequestsPerMinute: Int
        public var journalSize: Int
        public var retentionDays: Int

        public init(_ settings: SandboxSettings) {
            rateLimits = settings.rateLimits
            appRequestsPerMinute = settings.appRequestsPerMinute
            appBurst = settings.appBurst
            vehicleRequestsPerMinute = settings.vehicleRequestsPerMinute
            journalSize = settings.journalSize
            retentionDays = settings.retentionDays
        }
    }

    /// A sandbox with the credentials a client needs (the DESIGN.md shape plus a few extras).
    public struct Sandbox: Codable, Sendable {
        public var id: String
        public var fixtures: String?
        public var seed: Int64
        public var createdAt: Date
        public var smartcar: SmartcarCredentials
        public var dimo: DIMOCredentials
        public var users: [User]
        public var vehicles: [VehicleSummary]
        public var settings: Settings
        public var clock: Clock

        /// The sandbox's wire shape; `webhookId` is the Smartcar webhook its app registered.
        public init(_ world: SandboxWorld, webhookId: String) {
            id = world.sandbox.id
            fixtures = world.sandbox.fixtures
            seed = world.sandbox.seed
            createdAt = world.sandbox.createdAt
            smartcar = SmartcarCredentials(
                clientId: world.smartcarApp.clientId, clientSecret: world.smartcarApp.clientSecret,
                redirectUri: world.smartcarApp.redirectUris.first ?? "", redirectUris: world.smartcarApp.redirectUris,
                managementToken: world.smartcarApp.managementToken, webhookId: webhookId)
            dimo = DIMOCredentials(
                clientId: world.dimoLicense.clientId, domain: world.dimoLicense.redirectUris.first ?? "",
                redirectUris: world.dimoLicense.redirectUris, privateKey: world.dimoLicense.signerPrivateKey,
                signerAddress: world.dimoLicense.signerAddress, licenseTokenId: world.dimoLicense.tokenId,
                vehicleContract: DIMOContracts.vehicle)
            let emailById = Dictionary(uniqueKeysWithValues: world.owners.compactMap { o in o.id.map { ($0, o.email) } })
            users = world.owners.map { User(email: $0.email, name: $0.name, smartcarUserId: $0.smartcarUserId, dimoAddress: $0.dimoAddress) }
            vehicles = world.vehicles.map {
                VehicleSummary(vin: $0.vin, smartcarId: $0.smartcarId, dimoTokenId: $0.dimoTokenId, make: $0.make, model: $0.model,
                               year: $0.year, powertrain: $0.powertrain.rawValue, owner: emailById[$0.ownerId] ?? "")
            }
            settings = Settings(world.sandbox.settings)
            clock = Clock(world.sandbox.clock)
        }
    }

    public struct SandboxList: Codable, Sendable {
        public struct Item: Codable, Sendable {
            public var id: String
            public var fixtures: String?
            public var seed: Int64
            public var createdAt: Date

            public init(id: String, fixtures: String?, seed: Int64, createdAt: Date) {
                self.id = id
                self.fixtures = fixtures
                self.seed = seed
                self.createdAt = createdAt
            }
        }
        public var sandboxes: [Item]

        public init(sandboxes: [Item]) { self.sandboxes = sandboxes }
    }

    /// A vehicle and its physical state, metric units.
    public struct Vehicle: Codable, Sendable {
        public var vin: String
        public var smartcarId: String
        public var dimoTokenId: Int64
        public var make: String
        public var model: String
        public var year: Int
        public var powertrain: String
        public var owner: String
        public var batteryCapacityKWh: Double?
        public var fuelTankLiters: Double?
        public var state: State

        public struct State: Codable, Sendable {
            public var physical: VehicleState
            public var updatedAt: Date

            public init(physical: VehicleState, updatedAt: Date) {
                self.physical = physical
                self.updatedAt = updatedAt
            }

            /// The physical state's fields and `updatedAt`, side by side in one object.
            public init(from decoder: any Decoder) throws {
                physical = try VehicleState(from: decoder)
                updatedAt = try decoder.container(keyedBy: Keys.self).decode(Date.self, forKey: .updatedAt)
            }

            public func encode(to encoder: any Encoder) throws {
                try physical.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(updatedAt, forKey: .updatedAt)
            }

            enum Keys: String, CodingKey { case updatedAt }
        }

        public init(_ snapshot: VehicleSnapshot) {
            let v = snapshot.vehicle
            vin = v.vin
            smartcarId = v.smartcarId
            dimoTokenId = v.dimoTokenId
            make = v.make
            model = v.model
            year = v.year
            powertrain = v.powertrain.rawValue
            owner = snapshot.owner.email
            batteryCapacityKWh = v.batteryCapacityKWh
            fuelTankLiters = v.fuelTankLiters
            state = State(physical: snapshot.state, updatedAt: snapshot.updatedAt)
        }
    }

    public struct VehicleList: Codable, Sendable {
        public var vehicles: [Vehicle]

        public init(vehicles: [Vehicle]) { self.vehicles = vehicles }
    }

    public struct JournalList: Codable, Sendable {
        public var entries: [JournalEntry]

        public init(entries: [JournalEntry]) { self.entries = entries }
    }

    /// A change to a sandbox's clock (`POST …/clock`): the body is an object with exactly one of these keys.
    public enum ClockChange: Encodable, Sendable {
        /// A duration such as `90s`, `15m`, `1h30m` or `3d`.
        case advance(String)
        case set(Date)
        case freeze(Bool)
        /// Virtual seconds per real second.
        case scale(Double)
        /// Back to the wall clock.
        case realTime

        private enum Keys: String, CodingKey { case advance, set, freeze, scale, realTime }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .advance(let duration): try container.encode(duration, forKey: .advance)
            case .set(let date): try container.encode(date, forKey: .set)
            case .freeze(let frozen): try container.encode(frozen, forKey: .freeze)
            case .scale(let scale): try container.encode(scale, forKey: .scale)
            case .realTime: try container.encode(true, forKey: .realTime)
            }
        }
    }
}
