import FleetCore
import FleetHTTP
import Foundation
import GraphQL
import OrderedCollections

/// What an Identity request carries: the sandbox a query without ids is about, and the store.
struct IdentityContext: Sendable {
    let sandboxId: String
    let access: DIMOAccess
    let now: Date
}

/// Identity API values built from the fleet (the shape of identity-api's `ToAPI` functions).
enum IdentityValues {
    static let vehicleContract = DIMOContracts.vehicle
    static let manufacturerContract = "0x3b07e2A2ABdd0A9B8F7878bdE6487c502164B9dd"
    static let licenseContract = "0x9A9D2E717bB005B240094ba761Ff074d392C7C85"
    static let syntheticContract = "0x4804e8D1661cd1a1e5dDdE1ff458A7f878c0aC6D"

    /// identity-api renders Time as RFC 3339 (no fractional seconds when whole).
    static func time(_ date: Date) -> String { Timestamp.seconds(date) }

    static let makes = ["BMW", "CHEVROLET", "FORD", "HYUNDAI", "KIA", "NISSAN", "RIVIAN", "TESLA", "TOYOTA", "VOLKSWAGEN"]

    static func manufacturerTokenId(_ make: String) -> Int {
        if let index = makes.firstIndex(of: make.uppercased()) { return 130 + index }
        return 200 + Int(Keccak256.hash(make.uppercased())[0])
    }

    /// A stable, made-up owner address for a manufacturer.
    static func derivedAddress(_ seed: String) -> String {
        Ethereum.checksumAddress(bytes: Array(Keccak256.hash(seed).suffix(20)))
    }

    static func manufacturer(_ make: String) -> GQLObject {
        let id = manufacturerTokenId(make)
        return GQLObject("Manufacturer", [
            "id": GlobalID.encode(prefix: "M", Int64(id)),
            "tokenId": id,
            "tokenDID": "did:erc721:\(DIMOContracts.chainId):\(manufacturerContract):\(id)",
            "name": MakeNames.display(make),
            "owner": derivedAddress("manufacturer:\(make.uppercased())"),
            "tableId": id,
            "mintedAt": "2022-06-15T12:00:00Z",
            "_make": make.uppercased(),
        ])
    }

    static func definitionId(_ vehicle: VehicleRecord) -> String {
        "\(MakeNames.slug(vehicle.make))_\(MakeNames.slug(vehicle.model))_\(vehicle.year)"
    }

    static let words = ["amber", "brisk", "cedar", "delta", "ember", "fable", "glade", "harbor", "ivory", "jolly", "kettle", "lumen",
                        "maple", "noble", "orbit", "pepper", "quartz", "river", "saffron", "timber", "umber", "velvet", "willow", "zephyr"]

    /// A three-word name derived from the token id (identity-api uses a mnemonic; this is fleetmock's own).
    static func name(_ tokenId: Int64) -> String {
        let digest = Keccak256.hash("vehicle-name:\(tokenId)")
        return (0..<3).map { words[Int(digest[$0]) % words.count] }.joined(separator: " ")
    }

    static func mintedAt(_ vehicle: VehicleRecord) -> Date {
        // Minted when the car joined DIMO: a deterministic day after its model year began.
        let base = Date(timeIntervalSince1970: Double(max(vehicle.year, 2022) - 1970) * 365.25 * 86400)
        return base.addingTimeInterval(Double(vehicle.dimoTokenId % 200) * 86400 + 43200)
    }

    static func vehicle(_ v: VehicleRecord, owner: OwnerRecord) -> GQLObject {
        let id = v.dimoTokenId
        return GQLObject("Vehicle", [
            "id": GlobalID.encode(prefix: "V", id),
            "tokenId": Int(id),
            "tokenDID": "did:erc721:\(DIMOContracts.chainId):\(vehicleContract):\(id)",
            "manufacturer": manufacturer(v.make),
            "owner": Ethereum.checksumAddress(owner.dimoAddress) ?? owner.dimoAddress,
            "mintedAt": time(mintedAt(v)),
            "definition": GQLObject("Definition", ["id": definitionId(v), "make": MakeNames.display(v.make), "model": v.model, "year": v.year]),
            "name": name(id),
            "imageURI": "https://assets.dimo.xyz/vehicle/\(id)/image",
            "image": "https://assets.dimo.xyz/vehicle/\(id)/image",
            "dataURI": "https://device-data-api.dimo.zone/v2/vehicles/\(id)",
            "_vehicleId": v.id ?? 0,
            "_sandboxId": v.sandboxId,
            "_owner": owner.dimoAddress,
        ])
    }

    static func sacd(_ record: DIMOSacdRecord) -> GQLObject {
        GQLObject("Sacd", [
            "grantee": Ethereum.checksumAddress(record.grantee) ?? record.grantee,
            "permissions": record.permissions,
            "source": record.source,
            "createdAt": time(record.createdAt),
            "expiresAt": time(record.expiresAt),
        ])
    }

    static func license(_ record: DIMOLicenseRecord, createdAt: Date) -> GQLObject {
        GQLObject("DeveloperLicense", [
            "tokenId": Int(record.tokenId),
            "tokenDID": "did:erc721:\(DIMOContracts.chainId):\(licenseContract):\(record.tokenId)",
            "owner": derivedAddress("license-owner:\(record.clientId.lowercased())"),
            "clientId": record.clientId,
            "alias": record.alias,
            "mintedAt": time(createdAt),
            "_signers": [GQLObject("Signer", ["address": record.signerAddress, "enabledAt": time(createdAt)])],
            "_redirects": record.redirectUris.map { GQLObject("RedirectURI", ["uri": $0, "enabledAt": time(createdAt)]) },
        ])
    }
}

/// Resolvers of the Identity API.
enum IdentityResolvers {
    static func context(_ any: any Sendable) throws -> IdentityContext {
        guard let context = any as? IdentityContext else { throw FieldError("internal: no context") }
        return context
    }

    static func address(_ map: Map, _ name: String) throws -> String? {
        guard let text = map.stringArg else { return nil }
        guard let checksummed = Ethereum.checksumAddress(text) else { throw FieldError("not a valid hex address") }
        return checksummed
    }

    static var all: [String: FieldResolver] {
        var r: [String: FieldResolver] = [:]

        r["Query.vehicle"] = { _, args, ctx, _ in
            let context = try context(ctx)
            let tokenId: Int64
            if let id = args["tokenId"].intArg {
                if !args["tokenDID"].isAbsent { throw FieldError("exactly one of tokenId or tokenDID must be provided") }
                tokenId = Int64(id)
            } else if let did = args["tokenDID"].stringArg {
                let parts = did.split(separator: ":")
                guard parts.count == 5, parts[0] == "did", parts[1] == "erc721", let id = Int64(parts[4]),
                      parts[3].lowercased() == IdentityValues.vehicleContract.lowercased() else {
                    throw FieldError.notFound("No vehicle with DID \"\(did)\".")
                }
                tokenId = id
            } else {
                throw FieldError("exactly one of tokenId or tokenDID must be provided")
            }
            guard let snapshot = try await context.access.vehicle(tokenId: tokenId) else {
                throw FieldError.notFound("No vehicle with token id \(tokenId).")
            }
            return IdentityValues.vehicle(snapshot.vehicle, owner: snapshot.owner)
        }

        r["Query.vehicles"] = { _, args, ctx, _ in
            let context = try context(ctx)
            var list = try await context.access.registrations(sandboxId: context.sandboxId)
            let filter = args["filterBy"]
            if !filter.isAbsent {
                if let owner = try address(filter["owner"], "owner") {
                    list = list.filter { $0.owner.dimoAddress.lowercased() == owner.lowercased() }
                }
                if let make = filter["make"].stringArg { list = list.filter { $0.vehicle.make.lowercased() == make.lowercased() } }
                if let model = filter["model"].stringArg { list = list.filter { $0.vehicle.model.lowercased() == model.lowercased() } }
                if let year = filter["year"].intArg { list = list.filter { $0.vehicle.year == year } }
                if let id = filter["manufacturerTokenId"].intArg { list = list.filter { IdentityValues.manufacturerTokenId($0.vehicle.make) == id } }
                if let dd = filter["deviceDefinitionId"].stringArg { list = list.filter { IdentityValues.definitionId($0.vehicle) == dd } }
                // Paired through a connection's synthetic device: the fleet has none, so no vehicle matches.
                if try address(filter["connection"], "connection") != nil { list = [] }
                if let privileged = try address(filter["privileged"], "privileged") {
                    var kept: [VehicleRegistration] = []
                    for snapshot in list {
                        if snapshot.owner.dimoAddress.lowercased() == privileged.lowercased() { kept.append(snapshot); continue }
                        let sacds = try await context.access.sacds(vehicleId: snapshot.vehicle.id ?? 0, at: context.now)
                        if sacds.contains(where: { $0.grantee.lowercased() == privileged.lowercased() }) { kept.append(snapshot) }
                    }
                    list = kept
                }
            }
            let items = list.map { Pagination.Item(cursor: Pagination.tokenCursor($0.vehicle.dimoTokenId), node: IdentityValues.vehicle($0.vehicle, owner: $0.owner)) }
            return try Pagination.connection(items, args: args, typeName: "VehicleConnection")
        }

        r["Vehicle.sacds"] = { source, args, ctx, _ in
            let context = try context(ctx)
            guard let vehicle = source as? GQLObject, let vehicleId = vehicle["_vehicleId"] as? Int64 else { return nil }
            let sacds = try await context.access.sacds(vehicleId: vehicleId, at: context.now)
            let items = sacds.map { record in
                Pagination.Item(cursor: Data("\(Int64(record.createdAt.timeIntervalSince1970)):\(record.grantee)".utf8).base64EncodedString(),
                                node: IdentityValues.sacd(record))
            }
            return try Pagination.connection(items, args: args, typeName: "SacdConnection", requireLimit: false)
        }

        r["Vehicle.sacd"] = { source, args, ctx, _ in
            let context = try context(ctx)
            guard let vehicle = source as? GQLObject, let vehicleId = vehicle["_vehicleId"] as? Int64 else { return nil }
            guard let grantee = try address(args["grantee"], "grantee") else { return nil }
            let sacds = try await context.access.sacds(vehicleId: vehicleId, at: context.now)
            return sacds.first { $0.grantee.lowercased() == grantee.lowercased() }.map(IdentityValues.sacd)
        }

        r["Vehicle.privileges"] = { source, args, ctx, _ in
            let context = try context(ctx)
            guard let vehicle = source as? GQLObject, let vehicleId = vehicle["_vehicleId"] as? Int64 else { return nil }
            // Legacy privileges: each SACD's privilege ids, as identity-api lists them.
            var nodes: [Pagination.Item] = []
            for record in try await context.access.sacds(vehicleId: vehicleId, at: context.now) {
                for id in DIMOPrivilege.ids(fromHex: record.permissions) {
                    if let user = args["filterBy"]["user"].stringArg, user.lowercased() != record.grantee.lowercased() { continue }
                    if let wanted = args["filterBy"]["privilegeId"].intArg, wanted != id { continue }
                    let node = GQLObject("Privilege", ["id": id, "user": Ethereum.checksumAddress(record.grantee) ?? record.grantee,
                                                       "setAt": IdentityValues.time(record.createdAt), "expiresAt": IdentityValues.time(record.expiresAt)])
                    nodes.append(Pagination.Item(cursor: Data("\(id):\(record.grantee)".utf8).base64EncodedString(), node: node))
                }
            }
            return try Pagination.connection(nodes, args: args, typeName: "PrivilegesConnection", requireLimit: false)
        }

        r["Vehicle.earnings"] = { _, _, _, _ in
            GQLObject("VehicleEarnings", ["totalTokens": "0.00", "_empty": true])
        }
        r["VehicleEarnings.history"] = { _, args, _, _ in
            try Pagination.connection([], args: args, typeName: "EarningsConnection", requireLimit: false)
        }

        r["Query.developerLicense"] = { _, args, ctx, _ in
            let context = try context(ctx)
            let by = args["by"]
            let found: (DIMOLicenseRecord, SandboxRecord)?
            let notFound: String
            if let clientId = try address(by["clientId"], "clientId") {
                found = try await context.access.license(clientId: clientId)
                notFound = "No developer license with client id \(clientId)."
            } else if let alias = by["alias"].stringArg {
                found = try await context.access.license(alias: alias)
                notFound = "No developer license with alias \"\(alias)\"."
            } else if let tokenId = by["tokenId"].intArg {
                found = try await context.access.license(tokenId: Int64(tokenId))
                notFound = "No developer license with token id \(tokenId)."
            } else if let did = by["tokenDID"].stringArg, let id = did.split(separator: ":").last.flatMap({ Int64($0) }) {
                found = try await context.access.license(tokenId: id)
                notFound = "No developer license with DID \"\(did)\"."
            } else {
                throw FieldError("must specify exactly one of clientId, alias, tokenId or tokenDID")
            }
            guard let (license, sandbox) = found else { throw FieldError.notFound(notFound) }
            return IdentityValues.license(license, createdAt: sandbox.createdAt)
        }

        r["Query.developerLicenses"] = { _, args, ctx, _ in
            let context = try context(ctx)
            var licenses: [(DIMOLicenseRecord, SandboxRecord)] = []
            if let pair = try await context.access.licenseAndSandbox(sandboxId: context.sandboxId) { licenses.append(pair) }
            if let signer = try address(args["filterBy"]["signer"], "signer") {
                licenses = licenses.filter { $0.0.signerAddress.lowercased() == signer.lowercased() }
            }
            if let owner = try address(args["filterBy"]["owner"], "owner") {
                licenses = licenses.filter { IdentityValues.derivedAddress("license-owner:\($0.0.clientId.lowercased())").lowercased() == owner.lowercased() }
            }
            let items = licenses.map { Pagination.Item(cursor: Pagination.tokenCursor($0.0.tokenId), node: IdentityValues.license($0.0, createdAt: $0.1.createdAt)) }
            return try Pagination.connection(items, args: args, typeName: "DeveloperLicenseConnection")
        }

        r["DeveloperLicense.signers"] = { source, args, _, _ in
            let list = (source as? GQLObject)?["_signers"] as? [GQLObject] ?? []
            return try Pagination.connection(list.map { Pagination.Item(cursor: Data(($0["address"] as? String ?? "").utf8).base64EncodedString(), node: $0) },
                                             args: args, typeName: "SignerConnection", requireLimit: false)
        }
        r["DeveloperLicense.redirectURIs"] = { source, args, _, _ in
            let list = (source as? GQLObject)?["_redirects"] as? [GQLObject] ?? []
            return try Pagination.connection(list.map { Pagination.Item(cursor: Data(($0["uri"] as? String ?? "").utf8).base64EncodedString(), node: $0) },
                                             args: args, typeName: "RedirectURIConnection", requireLimit: false)
        }

        r["Query.manufacturer"] = { _, args, _, _ in
            let by = args["by"]
            if let name = by["name"].stringArg ?? by["slug"].stringArg {
                guard let make = IdentityValues.makes.first(where: { $0.lowercased() == name.lowercased() }) else {
                    throw FieldError.notFound("No manufacturer with name \"\(name)\".")
                }
                return IdentityValues.manufacturer(make)
            }
            let tokenId = by["tokenId"].intArg ?? by["tokenDID"].stringArg.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } }
            guard let tokenId, let make = IdentityValues.makes.first(where: { IdentityValues.manufacturerTokenId($0) == tokenId }) else {
                throw FieldError.notFound("No manufacturer with token id \(by["tokenId"].intArg.map(String.init) ?? "?").")
            }
            return IdentityValues.manufacturer(make)
        }
        r["Query.manufacturers"] = { _, _, _, _ in
            let items = IdentityValues.makes.map { Pagination.Item(cursor: Pagination.tokenCursor(Int64(IdentityValues.manufacturerTokenId($0))), node: IdentityValues.manufacturer($0)) }
            return try Pagination.connection(items, args: .dictionary([:]), typeName: "ManufacturerConnection", requireLimit: false)
        }
        r["Manufacturer.aftermarketDevices"] = { _, args, _, _ in
            try Pagination.connection([], args: args, typeName: "AftermarketDeviceConnection", requireLimit: false)
        }
        r["Manufacturer.deviceDefinitions"] = { source, args, ctx, _ in
            let context = try context(ctx)
            let make = (source as? GQLObject)?["_make"] as? String ?? ""
            let list = try await context.access.registrations(sandboxId: context.sandboxId).filter { $0.vehicle.make == make }
            var seen = Set<String>()
            var items: [Pagination.Item] = []
            for registration in list {
                let id = IdentityValues.definitionId(registration.vehicle)
                if !seen.insert(id).inserted { continue }
                items.append(Pagination.Item(cursor: Data(id.utf8).base64EncodedString(), node: deviceDefinition(registration.vehicle)))
            }
            return try Pagination.connection(items, args: args, typeName: "DeviceDefinitionConnection", requireLimit: false)
        }

        r["Query.deviceDefinition"] = { _, args, ctx, _ in
            let context = try context(ctx)
            let id = args["by"]["id"].stringArg ?? ""
            let list = try await context.access.registrations(sandboxId: context.sandboxId)
            guard let registration = list.first(where: { IdentityValues.definitionId($0.vehicle) == id }) else {
                throw FieldError.notFound("No device definition with id \"\(id)\".")
            }
            return deviceDefinition(registration.vehicle)
        }

        r["Query.aftermarketDevice"] = { _, _, _, _ in throw FieldError("sql: no rows in result set") }
        r["Query.aftermarketDevices"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "AftermarketDeviceConnection") }
        r["Query.syntheticDevice"] = { _, args, _, _ in
            throw FieldError.notFound("No synthetic device with token id \(args["by"]["tokenId"].intArg.map(String.init) ?? "?").")
        }
        r["Query.syntheticDevices"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "SyntheticDeviceConnection") }
        r["Query.dcn"] = { _, _, _, _ in throw FieldError.notFound("No DCN with that node or name.") }
        r["Query.dcns"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "DCNConnection") }
        r["Query.stakes"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "StakeConnection") }
        r["Query.templates"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "TemplateConnection") }
        r["Query.template"] = { _, _, _, _ in throw FieldError.notFound("No template with that token id.") }
        r["Query.connections"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "ConnectionConnection") }
        r["Query.connection"] = { _, _, _, _ in throw FieldError.notFound("No connection with that name.") }
        r["Query.rewards"] = { _, _, _, _ in nil }
        r["Query.account"] = { _, args, _, _ in
            guard let address = try address(args["by"]["address"], "address") else { throw FieldError("must specify address") }
            return GQLObject("Account", ["address": address])
        }
        r["Connection.sacds"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "SacdConnection", requireLimit: false) }
        r["Account.sacds"] = { _, args, _, _ in try Pagination.connection([], args: args, typeName: "SacdConnection", requireLimit: false) }

        r["Query.node"] = { _, args, ctx, _ in
            let context = try context(ctx)
            guard let id = args["id"].stringArg, let (prefix, tokenId) = GlobalID.decode(id) else { return nil }
            switch prefix {
            case "V": return try await context.access.vehicle(tokenId: tokenId).map { IdentityValues.vehicle($0.vehicle, owner: $0.owner) }
            case "M": return IdentityValues.makes.first { IdentityValues.manufacturerTokenId($0) == Int(tokenId) }.map(IdentityValues.manufacturer)
            default: return nil
            }
        }
        return r
    }

    static func deviceDefinition(_ v: VehicleRecord) -> GQLObject {
        return GQLObject("DeviceDefinition", [
            "deviceDefinitionId": IdentityValues.definitionId(v),
            "manufacturer": IdentityValues.manufacturer(v.make),
            "model": v.model,
            "year": v.year,
            "deviceType": "vehicle",
            "imageURI": "https://assets.dimo.xyz/device-definitions/\(IdentityValues.definitionId(v))/image",
            "attributes": [
                GQLObject("DeviceDefinitionAttribute", ["name": "powertrain_type", "value": v.powertrain.rawValue]),
                GQLObject("DeviceDefinitionAttribute", ["name": "fuel_type", "value": v.powertrain == .bev ? "Electric" : "Gasoline"]),
            ],
        ])
    }
}
