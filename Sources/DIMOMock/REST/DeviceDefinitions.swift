import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The device-definitions API: decode a VIN, search definitions, read one. Errors are RFC 7807 problem details.
struct DeviceDefinitions: Sendable {
    let access: DIMOAccess
    let developerTokens: JWTIssuer

    static func problem(_ status: Int, _ detail: String) -> Response {
        let type = status == 500 ? "https://tools.ietf.org/html/rfc7231#section-6.6.1" : status == 404 ? "https://tools.ietf.org/html/rfc7231#section-6.5.4" : "https://tools.ietf.org/html/rfc7231#section-6.5.1"
        return Responses.json(.object([("type", .string(type)), ("title", "An error occurred while processing your request."),
                                       ("status", .integer(Int64(status))), ("detail", .string(detail))]), status: .init(code: status))
    }

    struct Definition: Sendable, Hashable {
        var make: String
        var model: String
        var year: Int
        var powertrain: Powertrain

        var id: String { "\(MakeNames.slug(make))_\(MakeNames.slug(model))_\(year)" }

        var json: JSONValue {
            .object([("id", .string(id)), ("legacy_ksuid", .string(String(Hex.encode(Keccak256.hash(id).prefix(13))))),
                     ("name", .string("\(year) \(MakeNames.display(make)) \(model)")), ("make", .string(MakeNames.display(make))),
                     ("model", .string(model)), ("year", .integer(Int64(year))),
                     ("imageUrl", .string("https://assets.dimo.xyz/device-definitions/\(id)/image"))])
        }
    }

    /// Every definition fleetmock knows: the generator's catalogue over its model years, and the fleet's own cars.
    func definitions(sandboxId: String?) async throws -> [Definition] {
        var all = Set<Definition>()
        for model in FleetGenerator.catalogueModels {
            for year in model.years { all.insert(Definition(make: model.make, model: model.model, year: year, powertrain: model.powertrain)) }
        }
        if let sandboxId {
            for registration in try await access.registrations(sandboxId: sandboxId) {
                let v = registration.vehicle
                all.insert(Definition(make: v.make, model: v.model, year: v.year, powertrain: v.powertrain))
            }
        }
        return all.sorted { ($0.make, $0.model, $0.year) < ($1.make, $1.model, $1.year) }
    }

    func decodeVIN(_ request: Request, body: Data, scope: RequestScope) async throws -> Response {
        let sandbox: SandboxRecord
        switch try await TokenExchange.developer(request, access: access, tokens: developerTokens) {
        case .failure(let failure): return failure.response
        case .success(let value): sandbox = value.1
        }
        scope.sandboxId = sandbox.id
        guard let json = JSONValue.parse(body), let vin = json["vin"]?.stringValue?.uppercased() else {
            return Self.problem(400, "invalid request body")
        }
        if let registration = try await access.registrations(sandboxId: sandbox.id).first(where: { $0.vehicle.vin == vin }) {
            let v = registration.vehicle
            return Responses.json(.object([("deviceDefinitionId", .string(Definition(make: v.make, model: v.model, year: v.year, powertrain: v.powertrain).id)),
                                           ("newTransactionHash", "")]))
        }
        let chars = Array(vin)
        guard vin.count == 17, let model = FleetGenerator.catalogueModels.first(where: { vin.hasPrefix($0.wmi) }),
              let year = (1980...2039).first(where: { VIN.yearCode($0) == chars[9] && model.years.contains($0) }) ?? model.years.upperBound as Int? else {
            return Self.problem(500, "Couldn't decode VIN.")
        }
        return Responses.json(.object([("deviceDefinitionId", .string(Definition(make: model.make, model: model.model, year: year, powertrain: model.powertrain).id)),
                                       ("newTransactionHash", "")]))
    }

    func search(_ request: Request, sandboxId: String?) async throws -> Response {
        let query = request.queryItems
        var page = 1, pageSize = 20
        if let text = query["page"], !text.isEmpty {
            guard let value = Int(text), value >= 1 else { return Self.problem(400, "page must be a positive integer") }
            page = value
        }
        if let text = query["pageSize"], !text.isEmpty {
            guard let value = Int(text), (1...100).contains(value) else { return Self.problem(400, "pageSize must be between 1 and 100") }
            pageSize = value
        }
        var list = try await definitions(sandboxId: sandboxId)
        if let text = query["query"]?.lowercased(), !text.isEmpty {
            let words = text.split(separator: " ").map(String.init)
            list = list.filter { d in
                let haystack = "\(d.year) \(d.make) \(d.model)".lowercased()
                return words.allSatisfy { haystack.contains($0) }
            }
        }
        if let make = query["makeSlug"], !make.isEmpty { list = list.filter { MakeNames.slug($0.make) == make.lowercased() } }
        if let model = query["modelSlug"], !model.isEmpty { list = list.filter { MakeNames.slug($0.model) == model.lowercased() } }
        if let yearText = query["year"], let year = Int(yearText) { list = list.filter { $0.year == year } }
        func facet(_ key: (Definition) -> String) -> JSONValue {
            var counts: [(String, Int)] = []
            for d in list {
                let name = key(d)
                if let i = counts.firstIndex(where: { $0.0 == name }) { counts[i].1 += 1 } else { counts.append((name, 1)) }
            }
            return .array(counts.map { .object([("name", .string($0.0)), ("count", .integer(Int64($0.1)))]) })
        }
        let total = list.count
        let slice = list.dropFirst((page - 1) * pageSize).prefix(pageSize)
        return Responses.json(.object([
            ("deviceDefinitions", .array(slice.map(\.json))),
            ("facets", .object([("makes", facet { MakeNames.display($0.make) }), ("models", facet { $0.model }), ("years", facet { String($0.year) })])),
            ("pagination", .object([("page", .integer(Int64(page))), ("pageSize", .integer(Int64(pageSize))),
                                    ("totalItems", .integer(Int64(total))), ("totalPages", .integer(Int64((total + pageSize - 1) / pageSize)))])),
        ]))
    }

    func get(id: String, sandboxId: String?) async throws -> Response {
        guard id.split(separator: "_").count == 3 else {
            return Responses.json(.object([("type", "https://tools.ietf.org/html/rfc7231#section-6.5.1"), ("title", "invalid id format"),
                                           ("status", 400), ("detail", "id must be mmy style eg. ford_escape_2025")]), status: .badRequest)
        }
        guard let d = try await definitions(sandboxId: sandboxId).first(where: { $0.id == id }) else {
            return Self.problem(404, "device definition not found: \(id)")
        }
        return Responses.json(.object([
            ("id", .string(d.id)), ("deviceDefinitionId", .string(d.id)), ("legacyId", .string(String(Hex.encode(Keccak256.hash(d.id).prefix(13))))),
            ("name", .string("\(d.year) \(MakeNames.display(d.make)) \(d.model)")),
            ("make", .object([("name", .string(MakeNames.display(d.make))), ("nameSlug", .string(MakeNames.slug(d.make)))])),
            ("model", .string(d.model)), ("year", .integer(Int64(d.year))), ("deviceType", "vehicle"),
            ("imageUrl", .string("https://assets.dimo.xyz/device-definitions/\(d.id)/image")),
            ("deviceAttributes", .array([.object([("name", "powertrain_type"), ("value", .string(d.powertrain.rawValue))])])),
        ]))
    }
}
