import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Smartcar Connect: `/oauth/authorize` and the pages after it, ending in a redirect to the app.
public struct ConnectFlow: Sendable {
    let fleet: Fleet
    let access: SmartcarAccess
    let sessions: ConnectSessions

    /// Why a Connect request cannot start (shown as a page, never redirected).
    public struct StartError: Error, Sendable {
        public var message: String
    }

    /// The parameters of an authorization request, checked.
    struct Authorization {
        var app: SmartcarAppRecord
        var sandbox: SandboxRecord
        var redirectUri: String
        var scopes: [String]
        var mode: SmartcarMode
    }

    func validate(clientId: String?, redirectUri: String?, scope: String?, mode: String?, responseType: String?) async throws -> Authorization {
        guard let clientId, !clientId.isEmpty else { throw StartError(message: "The client_id parameter is missing.") }
        guard let (app, sandbox) = try await access.app(clientId: clientId) else {
            throw StartError(message: "Invalid client_id: \(clientId). No application is registered with this client id.")
        }
        if let responseType, responseType != "code" {
            throw StartError(message: "Invalid response_type: \(responseType). Only \"code\" is supported.")
        }
        let redirect = redirectUri.flatMap { $0.isEmpty ? nil : $0 } ?? app.redirectUris.first ?? ""
        guard app.redirectUris.contains(redirect) else {
            throw StartError(message: "Invalid redirect_uri: \(redirect). It must match one of the application's registered redirect URIs.")
        }
        let scopes = (scope ?? "").split(separator: " ").map(String.init)
        for requested in scopes {
            let name = SmartcarScope.permission(of: requested)
            guard SmartcarScope.isKnown(name) else { throw StartError(message: "Invalid scope: \(name).") }
        }
        let chosenMode: SmartcarMode
        switch mode ?? "live" {
        case "live", "": chosenMode = .live
        case "test": chosenMode = .test
        case "simulated": chosenMode = .simulated
        default: throw StartError(message: "Invalid mode: \(mode ?? ""). Use live, test or simulated.")
        }
        return Authorization(app: app, sandbox: sandbox, redirectUri: redirect,
                             scopes: scopes.isEmpty ? ["read_vehicle_info"] : scopes, mode: chosenMode)
    }

    /// The makes shown on the brand page.
    func makes(sandboxId: String, mode: SmartcarMode) async throws -> [String] {
        var makes = Set(FleetGenerator.catalogueModels.map(\.make))
        if mode == .live {
            makes.formUnion(try await fleet.vehicles(in: sandboxId).map(\.vehicle.make))
        }
        return makes.sorted()
    }

    // MARK: Pages

    /// `GET /connect/brands`: the brand picker of a session.
    func brandsPage(_ request: Request, scope: RequestScope) async throws -> Response {
        guard let session = sessions.get(request.queryItems["session"]) else { return expired() }
        scope.sandboxId = session.sandboxId
        return Responses.html(ConnectPages.brands(session, makes: try await makes(sandboxId: session.sandboxId, mode: session.mode)))
    }

    /// `GET /connect/login`: the OEM login page for the brand picked (`make`).
    func loginPage(_ request: Request, scope: RequestScope) async throws -> Response {
        let query = request.queryItems
        guard var session = sessions.get(query["session"]) else { return expired() }
        scope.sandboxId = session.sandboxId
        if let make = query["make"], !make.isEmpty { session.make = make.uppercased() }
        sessions.update(session)
        return Responses.html(ConnectPages.login(session, make: session.make ?? "SMARTCAR"))
    }

    /// `POST /connect/login`: the login form.
    func submitLogin(_ request: Request, scope: RequestScope) async throws -> Response {
        let form = FormEncoding.decode(String(decoding: await request.collectBody() ?? Data(), as: UTF8.self))
        return try await login(form, scope: scope)
    }

    /// `POST /connect/grant`: the permissions form (vehicles and scopes approved).
    func submitGrant(_ request: Request, scope: RequestScope) async throws -> Response {
        let pairs = FormEncoding.decodePairs(String(decoding: await request.collectBody() ?? Data(), as: UTF8.self))
        return try await grant(pairs, scope: scope)
    }

    /// `GET /connect/exit`: the user leaves Connect (`reason=oem` when the OEM login was cancelled).
    func exitPage(_ request: Request, scope: RequestScope) -> Response {
        let query = request.queryItems
        guard let session = sessions.get(query["session"]) else { return expired() }
        scope.sandboxId = session.sandboxId
        sessions.remove(session.id)
        let error: ConnectError = query["reason"] == "oem" ? .oemCancelledLogin : .userReturned
        return redirect(session, error: error)
    }

    /// The page for a Connect path that does not exist.
    func notFound(path: String) -> Response {
        Responses.html(ConnectPages.error("Page not found", "There is no Connect page at \(path)."), status: .notFound)
    }

    func expired() -> Response {
        Responses.html(ConnectPages.error("Session expired", "This Connect session is unknown or has expired. Please start again from the application."), status: .badRequest)
    }

    func redirect(_ session: ConnectSession, error: ConnectError, extra: [(String, String?)] = []) -> Response {
        Responses.redirect(to: RedirectURL.build(session.redirectUri, [("error", error.rawValue), ("error_description", error.description)] + extra + [("state", session.state)]))
    }

    func authorize(_ query: [String: String], scope: RequestScope) async throws -> Response {
        let authorization: Authorization
        do {
            authorization = try await validate(clientId: query["client_id"], redirectUri: query["redirect_uri"], scope: query["scope"],
                                               mode: query["mode"], responseType: query["response_type"] ?? "code")
        } catch let error as StartError {
            return Responses.html(ConnectPages.error("Connect cannot start", error.message), status: .badRequest)
        }
        scope.sandboxId = authorization.sandbox.id
        var rng = SystemRandomNumberGenerator()
        let singleSelectVin = query["single_select_vin"].flatMap { $0.isEmpty ? nil : $0.uppercased() }
        var make = query["make"].flatMap { $0.isEmpty ? nil : $0.uppercased() }
        if let vin = singleSelectVin {
            // single_select_vin wins over make: the brand is the VIN's.
            if let vehicle = try await fleet.vehicles(in: authorization.sandbox.id).first(where: { $0.vehicle.vin == vin }) {
                make = vehicle.vehicle.make
            }
        }
        let session = ConnectSession(
            id: Identifiers.hexToken(length: 32, using: &rng), sandboxId: authorization.sandbox.id, clientId: authorization.app.clientId,
            appName: "fleetmock app", redirectUri: authorization.redirectUri, scopes: authorization.scopes, state: query["state"],
            mode: authorization.mode, make: make, singleSelect: query["single_select"] == "true" || singleSelectVin != nil,
            singleSelectVin: singleSelectVin, createdAt: Date())
        sessions.insert(session)
        return Responses.html(ConnectPages.preamble(session))
    }

    /// What a login email means in test mode.
    struct TestLogin {
        var vehicleCount = 1
        var trigger: String?
        var connectError: ConnectError?
    }

    static func testLogin(_ email: String) -> TestLogin {
        let lower = email.lowercased()
        var login = TestLogin()
        if lower == "smartcar@invalid-subscription.com" { login.connectError = .invalidSubscription }
        if lower == "smartcar@vehicle-incompatible.com" { login.connectError = .vehicleIncompatible }
        if let match = lower.firstMatch(of: /^(\d+)-vehicles@smartcar\.com$/), let n = Int(match.1) {
            login.vehicleCount = min(max(n, 1), 50)
        }
        if let match = lower.firstMatch(of: /^smartcar@(vs-\d{3})\.vehicle-state-error\.com$/) { login.trigger = "v1:\(match.1)" }
        if let match = lower.firstMatch(of: /^smartcar@(voa-\d{3})\.vehicle-owner-action-required\.com$/) { login.trigger = "v1:\(match.1)" }
        if let match = email.firstMatch(of: /^([A-Z_]+)\.([A-Z_]+)@smartcar\.com$/) {
            let type = String(match.1), code = String(match.2)
            if SmartcarErrorDefinition.catalogue.contains(where: { $0.type == type && $0.code == code }) {
                login.trigger = "\(type).\(code)"
            }
        }
        return login
    }

    func login(_ form: [String: String], scope: RequestScope) async throws -> Response {
        guard var session = sessions.get(form["session"]) else { return expired() }
        scope.sandboxId = session.sandboxId
        let make = (form["make"].flatMap { $0.isEmpty ? nil : $0 } ?? session.make ?? "TESLA").uppercased()
        session.make = make
        let email = (form["username"] ?? "").trimmingCharacters(in: .whitespaces)
        guard email.contains("@") else {
            return Responses.html(ConnectPages.login(session, make: make, error: "Enter the email address of your \(ConnectPages.displayMake(make)) account.", email: email), status: .unauthorized)
        }
        let owner: OwnerRecord
        var vehicles: [VehicleRecord]
        if session.mode == .live {
            guard let found = try await access.owner(sandboxId: session.sandboxId, email: email) else {
                return Responses.html(ConnectPages.login(session, make: make, error: "Invalid credentials. No \(ConnectPages.displayMake(make)) account with that email exists in this sandbox.", email: email), status: .unauthorized)
            }
            owner = found
            vehicles = try await access.vehicles(ownerId: found.id ?? 0).filter { $0.make == make }
        } else {
            let test = Self.testLogin(email)
            if let error = test.connectError { return redirect(session, error: error) }
            do {
                owner = try await access.testAccount(sandboxId: session.sandboxId, email: email, make: make, count: test.vehicleCount,
                                                     mode: session.mode, errorTrigger: test.trigger)
            } catch let FleetError.conflict(message) {
                return Responses.html(ConnectPages.login(session, make: make, error: message, email: email), status: .unauthorized)
            }
            vehicles = try await access.vehicles(ownerId: owner.id ?? 0)
        }
        if let vin = session.singleSelectVin {
            vehicles = vehicles.filter { $0.vin == vin }
            if vehicles.isEmpty { return redirect(session, error: .configurationError) }
        }
        guard !vehicles.isEmpty else { return redirect(session, error: .noVehicles) }
        session.ownerId = owner.id
        session.email = email
        session.vehicleIds = vehicles.compactMap(\.id)
        sessions.update(session)
        return Responses.html(ConnectPages.permissions(session, vehicles: vehicles))
    }

    func grant(_ pairs: [(String, String)], scope: RequestScope) async throws -> Response {
        let form = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        guard let session = sessions.get(form["session"]), let ownerId = session.ownerId else { return expired() }
        scope.sandboxId = session.sandboxId
        if form["action"] == "deny" {
            sessions.remove(session.id)
            return redirect(session, error: .accessDenied)
        }
        let offeredIds = session.vehicleIds
        guard form["action"] == "approve" else {
            let offered = try await access.vehicles(ownerId: ownerId).filter { offeredIds.contains($0.id ?? -1) }
            return Responses.html(ConnectPages.permissions(session, vehicles: offered, error: "Choose Allow or Deny access."), status: .badRequest)
        }
        let offered = try await access.vehicles(ownerId: ownerId).filter { session.vehicleIds.contains($0.id ?? -1) }
        let chosenIds = Set(pairs.filter { $0.0 == "vehicle" }.map(\.1))
        var chosen = offered.filter { chosenIds.contains($0.smartcarId) }
        if session.singleSelect { chosen = Array(chosen.prefix(1)) }
        guard !chosen.isEmpty else {
            return Responses.html(ConnectPages.permissions(session, vehicles: offered, error: "Select at least one vehicle to share."), status: .badRequest)
        }
        let code = try await access.issueCode(sandboxId: session.sandboxId, ownerId: ownerId, vehicleIds: chosen.compactMap(\.id),
                                              scopes: session.scopes, redirectUri: session.redirectUri, mode: session.mode)
        sessions.remove(session.id)
        return Responses.redirect(to: RedirectURL.build(session.redirectUri, [("code", code), ("state", session.state)]))
    }

    // MARK: Headless

    /// The control API's equivalent of a user approving in Connect.
    public struct HeadlessResult: Sendable {
        public var code: String
        public var redirect: String
    }

    public func headless(sandboxId: String, email: String, scopes: [String], vins: [String]?, mode: String?,
                         make: String?, redirectUri: String?, state: String?) async throws -> HeadlessResult {
        let world = try await fleet.world(sandboxId)
        let authorization: Authorization
        do {
            authorization = try await validate(clientId: world.smartcarApp.clientId, redirectUri: redirectUri,
                                               scope: scopes.joined(separator: " "), mode: mode, responseType: "code")
        } catch let error as StartError {
            throw FleetError.invalid(field: "body", reason: error.message)
        }
        var vehicles: [VehicleRecord]
        let ownerId: Int64
        if authorization.mode == .live {
            guard let owner = try await access.owner(sandboxId: sandboxId, email: email) else {
                throw FleetError.invalid(field: "email", reason: "no owner '\(email)' in sandbox \(sandboxId)")
            }
            ownerId = owner.id ?? 0
            vehicles = try await access.vehicles(ownerId: ownerId)
            if let make { vehicles = vehicles.filter { $0.make == make.uppercased() } }
        } else {
            let test = Self.testLogin(email)
            let owner: OwnerRecord
            do {
                owner = try await access.testAccount(sandboxId: sandboxId, email: email, make: (make ?? "TESLA").uppercased(),
                                                     count: test.vehicleCount, mode: authorization.mode, errorTrigger: test.trigger)
            } catch let FleetError.conflict(message) {
                throw FleetError.invalid(field: "email", reason: message)
            }
            ownerId = owner.id ?? 0
            vehicles = try await access.vehicles(ownerId: ownerId)
        }
        if let vins {
            let wanted = Set(vins.map { $0.uppercased() })
            let unknown = wanted.subtracting(vehicles.map(\.vin))
            if let first = unknown.sorted().first {
                throw FleetError.invalid(field: "vehicles", reason: "\(first) is not a vehicle of \(email)")
            }
            vehicles = vehicles.filter { wanted.contains($0.vin) }
        }
        guard !vehicles.isEmpty else { throw FleetError.invalid(field: "vehicles", reason: "\(email) has no vehicles to connect") }
        let code = try await access.issueCode(sandboxId: sandboxId, ownerId: ownerId, vehicleIds: vehicles.compactMap(\.id),
                                              scopes: authorization.scopes, redirectUri: authorization.redirectUri, mode: authorization.mode)
        return HeadlessResult(code: code, redirect: RedirectURL.build(authorization.redirectUri, [("code", code), ("state", state)]))
    }
}
