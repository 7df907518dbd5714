import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Login with DIMO (login.dimo.org in production): an owner logs in with an emailed one-time code, optionally
/// shares vehicles with the developer license (an SACD per vehicle), and goes back to the app's redirect URI
/// with `token` (a 14-day user JWT), `walletAddress`, `email` and, after sharing, `sharedVehicles`.
///
/// Parameters are those the official button SDK (`@dimo-network/login-with-dimo`) puts on the URL:
/// `clientId`, `redirectUri`, `entryState` (`EMAIL_INPUT` or `VEHICLE_MANAGER`), `permissionTemplateId` or
/// `permissions` (a bit string, position n is privilege n), `expirationDate`, `vehicles`, `vehicleMakes`,
/// `powertrainTypes`, `utm`, `altTitle`. The page is served at `/login` and at `/` when the query names a client.
/// In popup mode (opened with `window.open`) the result is posted to the opener instead of redirecting.
struct LoginFlow: Sendable {
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let sessions: LoginSessions

    /// Why the page cannot start: shown as an error page, never redirected (the redirect URI is not trusted yet).
    struct StartError: Error, Sendable {
        var message: String
    }

    static let maxCodeAttempts = 5

    func handle(_ request: Request, path: String, scope: RequestScope) async throws -> Response {
        switch (request.method, path) {
        case (.get, "/login"), (.get, "/"):
            return try await start(FormEncoding.decodePairs(request.uri.query ?? ""), scope: scope)
        case (.post, "/login/email"):
            return try await submitEmail(FormEncoding.decode(try await body(request)), scope: scope)
        case (.post, "/login/otp"):
            return try await submitCode(FormEncoding.decode(try await body(request)), scope: scope)
        case (.post, "/login/share"):
            return try await share(FormEncoding.decodePairs(try await body(request)), scope: scope)
        default:
            return Responses.html(LoginPages.error("Page not found", "There is no Login with DIMO page at \(path)."), status: .notFound)
        }
    }

    func body(_ request: Request) async throws -> String {
        String(decoding: await request.collectBody() ?? Data(), as: UTF8.self)
    }

    func expired() -> Response {
        Responses.html(LoginPages.error("Session expired", "This login session is unknown or has expired. Please start again from the application."),
                       status: .badRequest)
    }

    // MARK: Steps

    func start(_ pairs: [(String, String)], scope: RequestScope) async throws -> Response {
        let session: LoginSession
        do {
            session = try await validate(pairs)
        } catch let error as StartError {
            return Responses.html(LoginPages.error("Login with DIMO cannot start", error.message), status: .badRequest)
        }
        scope.sandboxId = session.sandboxId
        sessions.insert(session)
        return Responses.html(LoginPages.email(session))
    }

    /// Checks the query and opens a session.
    func validate(_ pairs: [(String, String)]) async throws -> LoginSession {
        func first(_ key: String) -> String? { pairs.first { $0.0 == key }.map(\.1).flatMap { $0.isEmpty ? nil : $0 } }
        /// Repeated keys and comma-separated values alike (`vehicles=1&vehicles=2` or `vehicles=1,2`).
        func list(_ key: String) -> [String] {
            pairs.filter { $0.0 == key }.flatMap { $0.1.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if first("configurationId") != nil, first("clientId") == nil {
            throw StartError(message: "configurationId needs the Developer Console, which fleetmock does not simulate: pass clientId, redirectUri and the other parameters instead.")
        }
        guard let clientId = first("clientId") else { throw StartError(message: "The clientId parameter is missing.") }
        guard let (license, sandbox) = try await access.license(clientId: clientId) else {
            throw StartError(message: "Invalid clientId: \(clientId). No developer license has this client id.")
        }
        guard let redirectUri = first("redirectUri") else { throw StartError(message: "The redirectUri parameter is missing.") }
        guard license.redirectUris.contains(redirectUri) else {
            throw StartError(message: "Invalid redirectUri: \(redirectUri). It is not one of the developer license's redirect URIs.")
        }
        let entryState: LoginEntryState
        switch first("entryState") ?? "EMAIL_INPUT" {
        case "EMAIL_INPUT": entryState = .emailInput
        case "VEHICLE_MANAGER": entryState = .vehicleManager
        case let other: throw StartError(message: "Unsupported entryState: \(other). fleetmock supports EMAIL_INPUT and VEHICLE_MANAGER.")
        }
        let privileges: [Int]
        switch LoginPermissions.resolve(bits: first("permissions"), templateId: first("permissionTemplateId")) {
        case .success(let ids): privileges = ids
        case .failure(let error): throw error
        }
        var expiresAt: Date?
        if let text = first("expirationDate") {
            guard let date = Self.parseDate(text) else {
                throw StartError(message: "Invalid expirationDate: \(text). Use an ISO 8601 date or time.")
            }
            guard date > sandbox.clock.now() else { throw StartError(message: "Invalid expirationDate: \(text). It is in the past.") }
            expiresAt = date
        }
        var tokenIds = Set<Int64>()
        for text in list("vehicles") {
            guard let id = Int64(text) else { throw StartError(message: "Invalid vehicles: \(text) is not a vehicle token id.") }
            tokenIds.insert(id)
        }
        var powertrains = Set<String>()
        for text in list("powertrainTypes") {
            guard let powertrain = Powertrain(rawValue: text.uppercased()) else {
                throw StartError(message: "Invalid powertrainTypes: \(text). Use BEV, PHEV, HEV or ICE.")
            }
            powertrains.insert(powertrain.rawValue)
        }
        var rng = SystemRandomNumberGenerator()
        return LoginSession(
            id: Identifiers.token(length: 32, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789", using: &rng),
            sandboxId: sandbox.id, clientId: license.clientId, redirectUri: redirectUri, entryState: entryState,
            privileges: privileges, expiresAt: expiresAt, tokenIdFilter: tokenIds,
            makeFilter: Set(list("vehicleMakes").map { $0.lowercased() }), powertrainFilter: powertrains,
            appName: first("altTitle") ?? license.alias, utm: first("utm") ?? "", createdAt: Date())
    }

    func submitEmail(_ form: [String: String], scope: RequestScope) async throws -> Response {
        guard var session = sessions.get(form["session"]) else { return expired() }
        scope.sandboxId = session.sandboxId
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        guard Self.looksLikeEmail(email) else {
            return Responses.html(LoginPages.email(session, error: "Enter a valid email address."), status: .badRequest)
        }
        var rng = SystemRandomNumberGenerator()
        session.email = email
        session.otp = Identifiers.token(length: 6, alphabet: "0123456789", using: &rng)
        session.otpAttempts = 0
        if let owner = try await access.owner(sandboxId: session.sandboxId, email: email) {
            session.ownerId = owner.id
            session.walletAddress = owner.dimoAddress
        } else {
            // A new DIMO account: a wallet of its own and no vehicles.
            session.ownerId = nil
            session.walletAddress = Ethereum.checksumAddress(bytes: Array(Keccak256.hash("fleetmock-account:\(email.lowercased())").suffix(20)))
        }
        sessions.update(session)
        return Responses.html(LoginPages.otp(session))
    }

    func submitCode(_ form: [String: String], scope: RequestScope) async throws -> Response {
        guard var session = sessions.get(form["session"]), session.otp != nil else { return expired() }
        scope.sandboxId = session.sandboxId
        let code = (form["code"] ?? "").trimmingCharacters(in: .whitespaces)
        guard code == session.otp else {
            session.otpAttempts += 1
            if session.otpAttempts >= Self.maxCodeAttempts {
                sessions.remove(session.id)
                return Responses.html(LoginPages.error("Too many attempts", "The code was wrong too many times. Please start again from the application."),
                                      status: .badRequest)
            }
            sessions.update(session)
            return Responses.html(LoginPages.otp(session, error: "Invalid code. Check the code and try again."), status: .badRequest)
        }
        session.authenticated = true
        session.otp = nil
        sessions.update(session)
        switch session.entryState {
        case .emailInput:
            sessions.remove(session.id)
            return try await finish(session, sharedVehicles: nil, popup: form["popup"] == "1")
        case .vehicleManager:
            return Responses.html(try await vehicleManager(session))
        }
    }

    func share(_ pairs: [(String, String)], scope: RequestScope) async throws -> Response {
        let form = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        guard let session = sessions.get(form["session"]), session.authenticated else { return expired() }
        scope.sandboxId = session.sandboxId
        let popup = form["popup"] == "1"
        if form["action"] == "cancel" {
            sessions.remove(session.id)
            return try await finish(session, sharedVehicles: nil, popup: popup)
        }
        let offered = try await offeredVehicles(session)
        let shareable = Set(offered.filter { !$0.alreadyShared }.map(\.tokenId))
        var chosen: [Int64] = []
        for (key, value) in pairs where key == "vehicle" {
            guard let id = Int64(value), shareable.contains(id) else {
                return Responses.html(try await vehicleManager(session, error: "Vehicle \(LoginPages.escape(value)) cannot be shared from this account."),
                                      status: .badRequest)
            }
            if !chosen.contains(id) { chosen.append(id) }
        }
        guard !chosen.isEmpty else {
            return Responses.html(try await vehicleManager(session, error: "Select at least one vehicle to share, or cancel."), status: .badRequest)
        }
        _ = try await access.share(sandboxId: session.sandboxId, tokenIds: chosen, grantee: session.clientId,
                                   privileges: session.privileges, expiresAt: session.expiresAt)
        sessions.remove(session.id)
        return try await finish(session, sharedVehicles: chosen, popup: popup)
    }

    // MARK: Helpers

    func vehicleManager(_ session: LoginSession, error: String? = nil) async throws -> String {
        let now = try await access.licenseAndSandbox(sandboxId: session.sandboxId)?.1.clock.now() ?? Date()
        return LoginPages.vehicleManager(session, vehicles: try await offeredVehicles(session),
                                         expires: session.expiresAt ?? now.addingTimeInterval(365 * 86400), error: error)
    }

    /// The logged-in owner's vehicles that pass the request's filters, newest token id first.
    func offeredVehicles(_ session: LoginSession) async throws -> [LoginPages.OfferedVehicle] {
        guard let ownerId = session.ownerId, let (_, sandbox) = try await access.licenseAndSandbox(sandboxId: session.sandboxId) else { return [] }
        let now = sandbox.clock.now()
        var out: [LoginPages.OfferedVehicle] = []
        for registration in try await access.registrations(sandboxId: session.sandboxId) where registration.owner.id == ownerId {
            let vehicle = registration.vehicle
            if !session.tokenIdFilter.isEmpty, !session.tokenIdFilter.contains(vehicle.dimoTokenId) { continue }
            if !session.makeFilter.isEmpty, !session.makeFilter.contains(vehicle.make.lowercased()),
               !session.makeFilter.contains(MakeNames.display(vehicle.make).lowercased()) { continue }
            if !session.powertrainFilter.isEmpty, !session.powertrainFilter.contains(vehicle.powertrain.rawValue) { continue }
            guard let vehicleId = vehicle.id else { continue }
            let shared = try await access.sacds(vehicleId: vehicleId, at: now).contains { sacd in
                sacd.grantee.lowercased() == session.clientId.lowercased()
                    && Set(DIMOPrivilege.ids(fromHex: sacd.permissions)).isSuperset(of: session.privileges)
            }
            out.append(.init(tokenId: vehicle.dimoTokenId, title: "\(vehicle.year) \(MakeNames.display(vehicle.make)) \(vehicle.model)", alreadyShared: shared))
        }
        return out
    }

    /// Back to the app: a 302 to the redirect URI (with `utm` merged into its query), or in a popup, a page
    /// that posts the same payload to the opener.
    func finish(_ session: LoginSession, sharedVehicles: [Int64]?, popup: Bool) async throws -> Response {
        guard let wallet = session.walletAddress, let email = session.email,
              let (_, sandbox) = try await access.licenseAndSandbox(sandboxId: session.sandboxId) else { return expired() }
        let token = try await userToken(clientId: session.clientId, wallet: wallet, email: email, now: sandbox.clock.now())
        var payload: [(String, String)] = [("token", token), ("walletAddress", wallet), ("email", email)]
        if let sharedVehicles { payload.append(("sharedVehicles", sharedVehicles.map(String.init).joined(separator: ","))) }
        var query = Self.utmPairs(session.utm)
        for (key, value) in payload {
            query.removeAll { $0.0 == key }
            query.append((key, value))
        }
        let redirect = RedirectURL.build(session.redirectUri, query.map { ($0.0, Optional($0.1)) })
        if popup {
            return Responses.html(LoginPages.popupResult(redirect: redirect, origin: Self.origin(of: session.redirectUri), payload: payload))
        }
        return Responses.redirect(to: redirect)
    }

    /// The user JWT: the auth server's RS256 token for the user's wallet, audience the app's client id, 14 days.
    func userToken(clientId: String, wallet: String, email: String, now: Date) async throws -> String {
        let iat = Int64(now.timeIntervalSince1970)
        return try await developerTokens.sign(.object([
            ("iss", .string(JWTIssuer.developerIssuer)),
            ("provider_id", "web3"),
            ("sub", .string(WebAuth.subject(address: wallet))),
            ("aud", .string(clientId)),
            ("exp", .integer(iat + Int64(WebAuth.developerLifetime))),
            ("iat", .integer(iat)),
            ("email", .string(email)),
            ("email_verified", true),
            ("ethereum_address", .string(wallet)),
        ]))
    }

    /// `utm` as the page treats it: `a=1&b=2` adds those parameters, a bare value adds `utm=value`.
    static func utmPairs(_ utm: String) -> [(String, String)] {
        let trimmed = utm.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        if trimmed.contains("=") { return FormEncoding.decodePairs(trimmed) }
        return [("utm", trimmed)]
    }

    static func origin(of uri: String) -> String {
        guard let url = URL(string: uri), let scheme = url.scheme, let host = url.host else { return "*" }
        return url.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ") && text.count <= 254
    }

    /// An ISO 8601 date (`2027-01-31`) or time, or Unix seconds.
    static func parseDate(_ text: String) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        if let seconds = Double(text), seconds > 0 { return Date(timeIntervalSince1970: seconds > 1e11 ? seconds / 1000 : seconds) }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return day.date(from: text)
    }
}
