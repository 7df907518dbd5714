import FleetCore
import Foundation
import SmartcarMock

/// Wire shapes of the control API (`/__fleetmock`). Kept apart from the store's records.
enum ControlDTO {
    struct Health: Encodable {
        var status = "ok"
        var version: String
    }

    struct SmartcarCredentials: Encodable {
        var clientId: String
        var clientSecret: String
        var redirectUri: String
        var redirectUris: [String]
        var managementToken: String
        var webhookId: String
    }

    struct DIMOCredentials: Encodable {
        var clientId: String
        var domain: String
        var redirectUris: [String]
        var privateKey: String
        var signerAddress: String
        var licenseTokenId: Int64
        var vehicleContract: String
    }

    struct User: Encodable {
        var email: String
        var name: String
        var smartcarUserId: String
        var dimoAddress: String
    }

    struct VehicleSummary: Encodable {
        var vin: String
        var smartcarId: String
        var dimoTokenId: Int64
        var make: String
        var model: String
        var year: Int
        var powertrain: String
        var owner: String
    }

    struct Clock: Encodable {
        var now: Date
        var frozen: Bool
        var scale: Double
        /// Virtual minus real time, in seconds.
        var offsetSeconds: Double

        init(_ clock: VirtualClock, real: Date = Date()) {
            now = clock.now(real: real)
            frozen = clock.isFrozen
            scale = clock.scale
            offsetSeconds = ((now.timeIntervalSince(real)) * 1000).rounded() / 1000
        }
    }

    struct Settings: Encodable {
        var rateLimits: Bool
        var appRequestsPerMinute: Int
        var appBurst: Int
        var vehicleRequestsPerMinute: Int
        var journalSize: Int
        var retentionDays: Int

        init(_ settings: SandboxSettings) {
            rateLimits = settings.rateLimits
            appRequestsPerMinute = settings.appRequestsPerMinute
            appBurst = settings.appBurst
            vehicleRequestsPerMinute = settings.vehicleRequestsPerMinute
            journalSize = settings.journalSize
            retentionDays = settings.retentionDays
        }
    }

    /// A sandbox with the credentials a client needs (the DESIGN.md shape plus a few extras).
    struct Sandbox: Encodable {
        var id: String
        var fixtures: String?
        var seed: Int64
        var createdAt: Date
        var smartcar: SmartcarCredentials
        var dimo: DIMOCredentials
        var users: [User]
        var vehicles: [VehicleSummary]
        var settings: Settings
        var clock: Clock

        init(_ world: SandboxWorld) {
            id = world.sandbox.id
            fixtures = world.sandbox.fixtures
            seed = world.sandbox.seed
            createdAt = world.sandbox.createdAt
            smartcar = SmartcarCredentials(
                clientId: world.smartcarApp.clientId, clientSecret: world.smartcarApp.clientSecret,
                redirectUri: world.smartcarApp.redirectUris.first ?? "", redirectUris: world.smartcarApp.redirectUris,
                managementToken: world.smartcarApp.managementToken, webhookId: SmartcarWebhooks.webhookId(for: world.smartcarApp))
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

    struct SandboxList: Encodable {
        struct Item: Encodable {
            var id: String
            var fixtures: String?
            var seed: Int64
            var createdAt: Date
        }
        var sandboxes: [Item]
    }

    /// A vehicle and its physical state, metric units.
    struct Vehicle: Encodable {
        var vin: String
        var smartcarId: String
        var dimoTokenId: Int64
        var make: String
        var model: String
        var year: Int
        var powertrain: String
        var owner: String
        var batteryCapacityKWh: Double?
        var fuelTankLiters: Double?
        var state: State

        struct State: Encodable {
            var physical: VehicleState
            var updatedAt: Date

            func encode(to encoder: any Encoder) throws {
                try physical.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(updatedAt, forKey: .updatedAt)
            }

            enum Keys: String, CodingKey { case updatedAt }
        }

        init(_ snapshot: VehicleSnapshot) {
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

    struct VehicleList: Encodable {
        var vehicles: [Vehicle]
    }

    struct JournalList: Encodable {
        var entries: [JournalEntry]
    }
}
