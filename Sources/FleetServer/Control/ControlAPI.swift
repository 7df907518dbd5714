import FleetControl
import FleetCore
import FleetHTTP
import Foundation
import DIMOMock
import Hummingbird
import SmartcarMock

/// The control API under `/__fleetmock`: health, sandboxes, clock, vehicles, journal, headless Connect.
struct ControlAPI {
    let services: FleetServices
    let smartcarConnect: ConnectFlow
    let dimo: DIMORoutes
    let catalog: FaultCatalog

    var fleet: Fleet { services.fleet }

    func register(on router: Router<FleetRequestContext>) {
        let api = router.group("__fleetmock")
        api.get("health") { _, _ in Responses.json(encoding: ControlDTO.Health(version: fleetmockVersion)) }

        api.get("catalog") { _, _ in
            Responses.json(.object([("entries", .array(catalog.entries.map { entry in
                .object([("id", .string(entry.id)), ("vendor", .string(entry.vendor)), ("service", .string(entry.service)),
                         ("status", .integer(Int64(entry.status))), ("summary", .string(entry.summary))])
            }))]))
        }

        api.get("sandboxes") { _, _ in
            let records = try await fleet.sandboxes()
            return Responses.json(encoding: ControlDTO.SandboxList(sandboxes: records.map {
                .init(id: $0.id, fixtures: $0.fixtures, seed: $0.seed, createdAt: $0.createdAt)
            }))
        }
        api.post("sandboxes") { request, _ in try await createSandbox(request) }

        let sandbox = api.group("sandboxes/:sandbox")
        sandbox.get { _, context in
            let id = try sandboxId(context)
            return Responses.json(encoding: ControlDTO.Sandbox(try await fleet.world(id)))
        }
        sandbox.delete { _, context in
            let id = try sandboxId(context)
            try await services.deleteSandbox(id)
            return Response(status: .noContent)
        }
        sandbox.post("reset") { _, context in
            let id = try sandboxId(context)
            let world = try await fleet.resetSandbox(id)
            services.journal.clear(sandbox: id)
            services.faults.clear(sandbox: id)
            services.webhookLog.clear(sandbox: id)
            return Responses.json(encoding: ControlDTO.Sandbox(world))
        }
        sandbox.patch { request, context in try await patchSandbox(request, id: try sandboxId(context)) }

        sandbox.get("clock") { _, context in
            Responses.json(encoding: ControlDTO.Clock(try await fleet.clock(try sandboxId(context))))
        }
        sandbox.post("clock") { request, context in try await changeClock(request, id: try sandboxId(context)) }

        sandbox.post("smartcar/connect") { request, context in try await smartcarConnect(request, id: try sandboxId(context)) }

        sandbox.post("dimo/share") { request, context in try await dimoShare(request, id: try sandboxId(context)) }

        registerWebhooks(on: sandbox)
        registerInspection(on: sandbox)

        registerJournal(on: sandbox)
        registerFaults(on: sandbox)
        registerVehicles(on: sandbox)
    }

    /// `GET …/journal`: recent requests, newest first, without their exchanges.
    private func registerJournal(on sandbox: RouterGroup<FleetRequestContext>) {
        sandbox.get("journal") { request, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)  // 404 for an unknown sandbox
            let query = request.queryItems
            var limit = 100
            if let text = query["limit"] {
                guard let value = Int(text), (1...100_000).contains(value) else { throw ControlError.invalid("limit", "must be an integer from 1 to 100000") }
                limit = value
            }
            var status: Int?
            if let text = query["status"] {
                guard let value = Int(text), (100...599).contains(value) else { throw ControlError.invalid("status", "must be an HTTP status code") }
                status = value
            }
            let entries = services.journal.entries(sandbox: id, limit: limit, status: status, pathContains: query["path"],
                                                   vendor: query["vendor"])
            // The list leaves the headers and bodies out: `GET …/journal/{sequence}` has them.
            return Responses.json(encoding: ControlDTO.JournalList(entries: entries.map { entry in
                var summary = entry
                summary.exchange = nil
                return summary
            }))
        }
    }

    /// The sandbox's fault rules: list, add, clear, remove one.
    private func registerFaults(on sandbox: RouterGroup<FleetRequestContext>) {
        sandbox.get("faults") { _, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)
            return Responses.json(.object([("faults", .array(services.faults.rules(sandbox: id).map(FaultRules.render)))]))
        }
        sandbox.post("faults") { request, context in
            let id = try sandboxId(context)
            let now = try await fleet.clock(id).now()
            let rule = try FaultRules.parse(try await jsonBody(request), catalog: catalog, now: now, source: "api")
            services.faults.add(rule, sandbox: id)
            return Responses.json(FaultRules.render(rule), status: .created)
        }
        sandbox.delete("faults") { _, context in
            let id = try sandboxId(context)
            _ = try await fleet.clock(id)
            services.faults.clear(sandbox: id)
            return Response(status: .noContent)
        }
        sandbox.delete("faults/:fault") { _, context in
            let id = try sandboxId(context)
            let faultId = try context.parameters.require("fault")
            guard services.faults.remove(id: faultId, sandbox: id) else {
                throw ControlError(status: .notFound, code: "fault_not_found", message: "no fault '\(faultId)' in sandbox \(id)")
            }
            return Response(status: .noContent)
        }
    }

    /// Vehicles: their physical state, a state patch, and explicit plans.
    private func registerVehicles(on sandbox: RouterGroup<FleetRequestContext>) {
        sandbox.get("vehicles") { _, context in
            let list = try await fleet.vehicles(in: try sandboxId(context))
            return Responses.json(encoding: ControlDTO.VehicleList(vehicles: list.map(ControlDTO.Vehicle.init)))
        }
        sandbox.get("vehicles/:vin") { _, context in
            let snapshot = try await fleet.vehicle(in: try sandboxId(context), vin: try context.parameters.require("vin"))
            return Responses.json(encoding: ControlDTO.Vehicle(snapshot))
        }
        // Explicit plans: the car follows these steps instead of its routine.
        for method in [HTTPRequest.Method.put, .post] {
            sandbox.on("vehicles/:vin/plan", method: method) { request, context in
                let id = try sandboxId(context)
                let vin = try context.parameters.require("vin")
                let plan = try await fleet.setPlan(in: id, vin: vin, try PlanDTO.request(try await jsonBody(request)))
                let snapshot = try await fleet.vehicle(in: id, vin: vin)
                return Responses.json(PlanDTO.render(plan, vin: snapshot.vehicle.vin, now: try await fleet.clock(id).now()))
            }
        }
        sandbox.get("vehicles/:vin/plan") { _, context in
            let id = try sandboxId(context)
            let vin = try context.parameters.require("vin")
            guard let plan = try await fleet.plan(in: id, vin: vin) else {
                throw ControlError(status: .notFound, code: "plan_not_found", message: "vehicle '\(vin)' follows its routine (it has no plan)")
            }
            let snapshot = try await fleet.vehicle(in: id, vin: vin)
            return Responses.json(PlanDTO.render(plan, vin: snapshot.vehicle.vin, now: try await fleet.clock(id).now()))
        }
        sandbox.delete("vehicles/:vin/plan") { _, context in
            let id = try sandboxId(context)
            let vin = try context.parameters.require("vin")
            guard try await fleet.removePlan(in: id, vin: vin) else {
                throw ControlError(status: .notFound, code: "plan_not_found", message: "vehicle '\(vin)' follows its routine (it has no plan)")
            }
            return Response(status: .noContent)
        }
        sandbox.patch("vehicles/:vin") { request, context in
            let body = try await jsonBody(request)
            guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
            // `{"state": {...}}`, or the partial state itself at the top level.
            let patch: JSONValue
            if object.count == 1, object[0].0 == "state" {
                guard object[0].1.objectValue != nil else { throw ControlError.invalid("state", "must be an object") }
                patch = object[0].1
            } else {
                patch = body
            }
            let snapshot = try await fleet.patchVehicleState(in: try sandboxId(context), vin: try context.parameters.require("vin"), patch: patch.encoded())
            return Responses.json(encoding: ControlDTO.Vehicle(snapshot))
        }
    }

    /// `POST …/smartcar/connect`: as if the user approved in Connect.
    private func smartcarConnect(_ request: Request, id: String) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var email: String?
        var scopes: [String] = []
        var vins: [String]?
        var mode: String?, make: String?, redirectUri: String?, state: String?
        for (key, value) in object {
            switch key {
            case "email":
                guard let text = value.stringValue, text.contains("@") else { throw ControlError.invalid("email", "must be an email address") }
                email = text
            case "scope":
                guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw ControlError.invalid("scope", "must be an array of permission names")
                }
                scopes = items.compactMap(\.stringValue)
            case "vehicles":
                guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                    throw ControlError.invalid("vehicles", "must be an array of VINs")
                }
                vins = items.compactMap(\.stringValue)
            case "mode", "make", "redirectUri", "state":
                guard let text = value.stringValue else { throw ControlError.invalid(key, "must be a string") }
                switch key {
                case "mode": mode = text
                case "make": make = text
                case "redirectUri": redirectUri = text
                default: state = text
                }
            default:
                throw ControlError.invalid(key, "unknown field")
            }
        }
        guard let email else { throw ControlError.invalid("email", "is required") }
        if scopes.isEmpty { throw ControlError.invalid("scope", "needs at least one permission") }
        let result = try await smartcarConnect.headless(sandboxId: id, email: email, scopes: scopes, vins: vins, mode: mode,
                                                        make: make, redirectUri: redirectUri, state: state)
        return Responses.json(.object([("code", .string(result.code)), ("redirect", .string(result.redirect))]))
    }

    /// `POST …/dimo/share`: the owners share vehicles with the sandbox's developer license (SACD).
    private func dimoShare(_ request: Request, id: String) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var tokenIds: [Int64]?
        var privileges: [Int]?
        var expiresAt: Date?
        for (key, value) in object {
            switch key {
            case "vehicles":
                guard let items = value.arrayValue, items.allSatisfy({ $0.intValue != nil }) else {
                    throw ControlError.invalid("vehicles", "must be an array of DIMO token ids")
                }
                tokenIds = items.compactMap(\.intValue)
            case "permissions":
                guard let items = value.arrayValue, items.allSatisfy({ $0.intValue != nil }) else {
                    throw ControlError.invalid("permissions", "must be an array of privilege ids (1-8)")
                }
                privileges = items.compactMap(\.intValue).map { Int($0) }
            case "expiresAt":
                guard let text = value.stringValue, let date = Timestamp.parse(text) else {
                    throw ControlError.invalid("expiresAt", "must be an RFC 3339 timestamp")
                }
                expiresAt = date
            default:
                throw ControlError.invalid(key, "unknown field")
            }
        }
        guard let tokenIds, !tokenIds.isEmpty else { throw ControlError.invalid("vehicles", "is required") }
        guard let privileges, !privileges.isEmpty else { throw ControlError.invalid("permissions", "is required") }
        let records = try await dimo.share(sandboxId: id, tokenIds: tokenIds, privileges: privileges, expiresAt: expiresAt)
        return Responses.json(.object([("sacds", .array(records.map { record in
            .object([("grantee", .string(record.grantee)), ("permissions", .string(record.permissions)),
                     ("source", .string(record.source)), ("createdAt", .string(Timestamp.millis(record.createdAt))),
                     ("expiresAt", .string(Timestamp.millis(record.expiresAt)))])
        }))]))
    }

    func sandboxId(_ context: FleetRequestContext) throws -> String {
        let id = try context.parameters.require("sandbox")
        context.scope.sandboxId = id
        return id
    }

    func jsonBody(_ request: Request) async throws -> JSONValue {
        guard let data = await request.collectBody() else { throw ControlError.invalid("body", "is larger than 2 MB") }
        if data.isEmpty { return .object([]) }
        guard let value = JSONValue.parse(data) else { throw ControlError.invalid("body", "is not valid JSON") }
        return value
    }

    private func createSandbox(_ request: Request) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var spec = SandboxRequest()
        spec.historyDays = services.historyDays
        for (key, value) in object {
            switch key {
            case "fixtures":
                guard let name = value.stringValue else { throw ControlError.invalid("fixtures", "must be a string") }
                spec.fixtures = name
            case "seed":
                guard let seed = value.intValue, seed >= 0 else { throw ControlError.invalid("seed", "must be a non-negative integer") }
                spec.seed = UInt64(seed)
            case "vehicles":
                guard let count = value.intValue else { throw ControlError.invalid("vehicles", "must be an integer") }
                spec.vehicles = Int(clamping: count)
            case "historyDays":
                guard let days = value.intValue else { throw ControlError.invalid("historyDays", "must be an integer") }
                spec.historyDays = Int(clamping: days)
            case "clock":
                // `{"now": RFC 3339, "frozen": bool}`: where the sandbox clock starts.
                guard let inner = value.objectValue else { throw ControlError.invalid("clock", "must be an object") }
                for (innerKey, innerValue) in inner {
                    switch innerKey {
                    case "now":
                        guard let text = innerValue.stringValue, let date = Timestamp.parse(text) else {
                            throw ControlError.invalid("clock.now", "must be an RFC 3339 timestamp")
                        }
                        spec.startAt = date
                    case "frozen":
                        guard let flag = innerValue.boolValue else { throw ControlError.invalid("clock.frozen", "must be true or false") }
                        spec.frozen = flag
                    default:
                        throw ControlError.invalid("clock.\(innerKey)", "unknown field (use now, frozen)")
                    }
                }
            case "smartcar", "dimo":
                guard let inner = value.objectValue else { throw ControlError.invalid(key, "must be an object") }
                for (innerKey, innerValue) in inner {
                    guard innerKey == "redirectUris" else { throw ControlError.invalid("\(key).\(innerKey)", "unknown field") }
                    guard let uris = innerValue.arrayValue?.compactMap(\.stringValue), uris.count == innerValue.arrayValue?.count else {
                        throw ControlError.invalid("\(key).redirectUris", "must be an array of strings")
                    }
                    if key == "smartcar" { spec.smartcarRedirectUris = uris } else { spec.dimoRedirectUris = uris }
                }
            default:
                throw ControlError.invalid(key, "unknown field")
            }
        }
        let world = try await fleet.createSandbox(spec)
        return Responses.json(encoding: ControlDTO.Sandbox(world), status: .created)
    }

    private func patchSandbox(_ request: Request, id: String) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue else { throw ControlError.invalid("body", "must be a JSON object") }
        var changes: [(String, JSONValue)] = []
        for (key, value) in object {
            guard key == "settings" else { throw ControlError.invalid(key, "unknown field") }
            guard let settings = value.objectValue else { throw ControlError.invalid("settings", "must be an object") }
            for (name, setting) in settings {
                // Validated as a whole before anything is stored.
                var probe = SandboxSettings()
                try probe.set(name, setting)
                changes.append((name, setting))
            }
        }
        let validated = changes
        _ = try await fleet.updateSettings(id) { settings in
            for (name, value) in validated { try settings.set(name, value) }
        }
        return Responses.json(encoding: ControlDTO.Sandbox(try await fleet.world(id)))
    }

    private func changeClock(_ request: Request, id: String) async throws -> Response {
        let body = try await jsonBody(request)
        guard let object = body.objectValue, object.count == 1, let (key, value) = object.first else {
            throw ControlError.invalid("body", "must be one of {\"advance\": \"2h\"}, {\"set\": \"<RFC3339>\"}, {\"freeze\": true}, {\"scale\": 60}, {\"realTime\": true}")
        }
        let change: ClockChange
        switch key {
        case "advance":
            guard let text = value.stringValue, let seconds = DurationText.seconds(text) else {
                throw ControlError.invalid("advance", "must be a duration such as \"90s\", \"15m\", \"2h\", \"1h30m\" or \"3d\"")
            }
            guard abs(seconds) <= 3650 * 86400 else { throw ControlError.invalid("advance", "must be at most 10 years") }
            change = .advance(seconds: seconds)
        case "set":
            guard let text = value.stringValue, let date = Timestamp.parse(text) else {
                throw ControlError.invalid("set", "must be an RFC 3339 timestamp such as \"2026-01-01T08:00:00Z\"")
            }
            change = .set(date)
        case "freeze":
            guard let flag = value.boolValue else { throw ControlError.invalid("freeze", "must be a boolean") }
            change = .freeze(flag)
        case "scale":
            guard let scale = value.doubleValue, scale >= 0, scale <= 100_000 else {
                throw ControlError.invalid("scale", "must be a number from 0 to 100000")
            }
            change = .scale(scale)
        case "realTime":
            guard value.boolValue == true else { throw ControlError.invalid("realTime", "must be true") }
            change = .realTime
        default:
            throw ControlError.invalid(key, "unknown field; use advance, set, freeze, scale or realTime")
        }
        return Responses.json(encoding: ControlDTO.Clock(try await fleet.changeClock(id, change)))
    }
}
