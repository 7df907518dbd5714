import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

// Helpers for the Smartcar surface tests: an in-process server, request builders, the sandbox's
// credentials, headless Connect + token exchange, and assertions on Smartcar's envelopes.
// (The server, JSON and request helpers every HTTP test target uses live in FleetTestSupport.)

// MARK: Smartcar facts (from /work/shared/reference/smartcar-api.md §2–§5)

/// Smartcar's response headers.
enum SCHeader {
    static let requestId = HTTPField.Name("SC-Request-Id")!
    static let dataAge = HTTPField.Name("SC-Data-Age")!
    static let fetchedAt = HTTPField.Name("SC-Fetched-At")!
    static let unitSystem = HTTPField.Name("SC-Unit-System")!
}

/// Exact texts of the v2.0 error catalogue and action bodies.
enum Smartcar {
    static let jsonContentType = "application/json; charset=utf-8"
    static let htmlContentType = "text/html; charset=utf-8"

    static let authenticationDescription = "The authorization header is missing or malformed, or it contains invalid or expired authentication credentials. Please check for missing parameters, spelling and casing mistakes, and other syntax issues."
    static let authenticationDocURL = "https://smartcar.com/docs/errors/api-errors/authentication-errors#null"
    static let permissionDescription = "Your application has insufficient permissions to access the requested resource. Please prompt the user to re-authenticate using Smartcar Connect."
    static let permissionDocURL = "https://smartcar.com/docs/errors/api-errors/permission-errors#null"
    static let validationDescription = "Request invalid or malformed. Please check for missing parameters, spelling and casing mistakes, and other syntax issues."
    static let validationDocURL = "https://smartcar.com/docs/errors/api-errors/validation-errors#null"
    static let vehicleNotCapableDescription = "The vehicle is incapable of performing your request."
    static let vehicleNotCapableDocURL = "https://smartcar.com/docs/errors/api-errors/compatibility-errors#vehicle-not-capable"
    static let doorOpenDescription = "The vehicle could not perform your request because one or more of its doors are open."
    static let doorOpenDocURL = "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#door-open"
    static let doorOpenUserMessage = "Your vehicle was unable to lock. Please ensure that all doors and the trunk are fully closed."
    static let asleepDescription = "The vehicle is in a sleep state and temporarily unable to perform your request."
    static let asleepDocURL = "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#asleep"
    static let asleepUserMessage = "Your vehicle is in a sleep state. This request was not sent to preserve battery life. "
    static let pathNotFoundDescription = "The requested resource does not exist. Please check the URL and try again."
    static let pathNotFoundDocURL = "https://smartcar.com/docs/errors/api-errors/resource-errors#pathh"
    static let versionNotFoundDescription = "The requested resource does not exist. Please check your specified version number and try again."
    static let versionNotFoundDocURL = "https://smartcar.com/docs/errors/api-errors/resource-errors#version"

    static let actionMessage = "Successfully sent request to vehicle"
    static let milesPerKm = 0.621371
}

// MARK: Responses

extension TestResponse {
    var requestId: String? { headers[SCHeader.requestId] }
}

func approximately(_ value: Double?, _ expected: Double, tolerance: Double = 1e-6) -> Bool {
    guard let value else { return false }
    return abs(value - expected) <= tolerance
}

/// Rounds like the server's wire rounding (half away from zero at `places` decimals).
func roundedTo(_ value: Double, _ places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (value * scale).rounded() / scale
}

func isUUID(_ text: String) -> Bool {
    text.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ`, the only shape the Java SDK parses.
func isMillisTimestamp(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil
}

/// The query of a URL, percent-decoded (a `+` stays a `+`).
func queryItems(_ url: String) -> [String: String] {
    var out: [String: String] = [:]
    for item in URLComponents(string: url)?.queryItems ?? [] { out[item.name] = item.value ?? "" }
    return out
}

/// The hidden `session` field of a Connect page.
func hiddenSession(_ html: String) -> String? {
    html.firstMatch(of: /name="session" value="([^"]*)"/).map { String($0.1) }
}

/// The vehicle ids offered on the permissions page.
func offeredVehicles(_ html: String) -> [String] {
    html.matches(of: /name="vehicle" value="([^"]*)"/).map { String($0.1) }
}

// MARK: Requests

/// Compact JSON text of a JSON-compatible value.
func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}

func basic(_ user: String, _ password: String) -> HTTPFields {
    [.authorization: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
}

extension TestClientProtocol {
    /// POSTs an HTML form (or an OAuth token request) as `application/x-www-form-urlencoded`.
    func postForm(_ uri: String, _ pairs: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: formEncode(pairs)))
    }

    /// Creates a sandbox from `{}` (the default fixture set with fresh identities).
    func makeSandbox() async throws -> SandboxInfo {
        let response = try await request(.post, "/__fleetmock/sandboxes", json: "{}")
        try #require(response.status == .created, "create sandbox: \(response.text)")
        return try SandboxInfo(json: response.json)
    }

    /// `POST /__fleetmock/sandboxes/{id}/clock {"advance": duration}`.
    func advanceClock(_ sandbox: SandboxInfo, by duration: String) async throws {
        let response = try await request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/clock", json: try jsonText(["advance": duration]))
        try #require(response.status == .ok, "advance clock: \(response.text)")
    }

    /// The control API's view of a vehicle's state (metric; `updatedAt` as an RFC 3339 string).
    func vehicleState(_ sandbox: SandboxInfo, vin: String) async throws -> [String: Any] {
        let response = try await request(.get, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)")
        try #require(response.status == .ok, "read vehicle: \(response.text)")
        return try #require(response.json["state"] as? [String: Any])
    }

    /// `PATCH /__fleetmock/sandboxes/{id}/vehicles/{vin}` with a partial state.
    func patchState(_ sandbox: SandboxInfo, vin: String, _ stateJSON: String) async throws {
        let response = try await request(.patch, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)", json: "{\"state\": \(stateJSON)}")
        try #require(response.status == .ok, "patch vehicle: \(response.text)")
    }
}

// MARK: Sandbox

/// What a test needs of `POST /__fleetmock/sandboxes`.
struct SandboxInfo: Sendable {
    struct User: Sendable {
        var email: String
        var smartcarUserId: String
    }

    struct Vehicle: Sendable {
        var vin: String
        var smartcarId: String
        var powertrain: String
        var owner: String
        var make: String
        var model: String
    }

    var id: String
    var clientId: String
    var clientSecret: String
    var redirectUri: String
    var managementToken: String
    var users: [User]
    var vehicles: [Vehicle]

    init(json: [String: Any]) throws {
        id = try #require(json["id"] as? String)
        let smartcar = try #require(json["smartcar"] as? [String: Any])
        clientId = try #require(smartcar["clientId"] as? String)
        clientSecret = try #require(smartcar["clientSecret"] as? String)
        redirectUri = try #require(smartcar["redirectUri"] as? String)
        managementToken = try #require(smartcar["managementToken"] as? String)
        users = try (json["users"] as? [[String: Any]] ?? []).map { user in
            User(email: try #require(user["email"] as? String), smartcarUserId: try #require(user["smartcarUserId"] as? String))
        }
        vehicles = try (json["vehicles"] as? [[String: Any]] ?? []).map { v in
            Vehicle(vin: try #require(v["vin"] as? String), smartcarId: try #require(v["smartcarId"] as? String),
                    powertrain: try #require(v["powertrain"] as? String), owner: try #require(v["owner"] as? String),
                    make: try #require(v["make"] as? String), model: try #require(v["model"] as? String))
        }
        try #require(!users.isEmpty && !vehicles.isEmpty, "the sandbox has users and vehicles")
    }

    /// The default fixture's vehicle of this model (e.g. "Model 3" is Alice's charging BEV,
    /// "Leaf" Alice's unlocked BEV, "F-150" Ben's ICE truck).
    func vehicle(model: String) throws -> Vehicle {
        try #require(vehicles.first { $0.model == model }, "no \(model) in the default fixture set")
    }

    func vehicles(of owner: String) -> [Vehicle] {
        vehicles.filter { $0.owner.lowercased() == owner.lowercased() }
    }

    func user(_ email: String) throws -> User {
        try #require(users.first { $0.email.lowercased() == email.lowercased() }, "no user \(email)")
    }
}

// MARK: Connect and tokens

struct Tokens: Sendable {
    var access: String
    var refresh: String
}

/// `POST /__fleetmock/sandboxes/{id}/smartcar/connect`: the code a user's approval would give.
func headlessCode(_ client: any TestClientProtocol, sandbox: SandboxInfo, scopes: [String], email: String,
                  vins: [String]? = nil, mode: String? = nil) async throws -> String {
    var body: [String: Any] = ["email": email, "scope": scopes]
    if let vins { body["vehicles"] = vins }
    if let mode { body["mode"] = mode }
    let response = try await client.request(.post, "/__fleetmock/sandboxes/\(sandbox.id)/smartcar/connect", json: try jsonText(body))
    try #require(response.status == .ok, "headless connect: \(response.text)")
    return try #require(response.json["code"] as? String)
}

/// The authorization-code grant with HTTP Basic client credentials, as the SDKs send it.
func exchangeCode(_ client: any TestClientProtocol, sandbox: SandboxInfo, code: String, redirectUri: String? = nil) async throws -> TestResponse {
    try await client.postForm("/oauth/token", [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectUri ?? sandbox.redirectUri)],
                              headers: basic(sandbox.clientId, sandbox.clientSecret))
}

/// The refresh-token grant with HTTP Basic client credentials.
func refreshTokens(_ client: any TestClientProtocol, sandbox: SandboxInfo, refreshToken: String) async throws -> TestResponse {
    try await client.postForm("/oauth/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
                              headers: basic(sandbox.clientId, sandbox.clientSecret))
}

func tokens(from response: TestResponse) throws -> Tokens {
    try #require(response.status == .ok, "token endpoint: \(response.text)")
    return Tokens(access: try #require(response.json["access_token"] as? String),
                  refresh: try #require(response.json["refresh_token"] as? String))
}

/// Headless Connect followed by the code exchange: a fresh token set.
func connectTokens(_ client: any TestClientProtocol, sandbox: SandboxInfo, scopes: [String], email: String,
                   vins: [String]? = nil, mode: String? = nil) async throws -> Tokens {
    let code = try await headlessCode(client, sandbox: sandbox, scopes: scopes, email: email, vins: vins, mode: mode)
    return try tokens(from: try await exchangeCode(client, sandbox: sandbox, code: code))
}

/// Headless Connect followed by the code exchange: an access token.
func connect(_ client: any TestClientProtocol, sandbox: SandboxInfo, scopes: [String], email: String,
             vins: [String]? = nil, mode: String? = nil) async throws -> String {
    try await connectTokens(client, sandbox: sandbox, scopes: scopes, email: email, vins: vins, mode: mode).access
}

/// An access token for one vehicle of the default fixture, granted `scopes`.
func connect(_ client: any TestClientProtocol, sandbox: SandboxInfo, vehicle: SandboxInfo.Vehicle, scopes: [String]) async throws -> String {
    try await connect(client, sandbox: sandbox, scopes: scopes, email: vehicle.owner, vins: [vehicle.vin])
}

/// `/oauth/authorize` for the sandbox's app.
func authorizeURI(_ sandbox: SandboxInfo, scope: String = "read_vehicle_info read_odometer", state: String? = "0facda3319",
                  mode: String = "live", extra: [(String, String)] = []) -> String {
    var pairs: [(String, String)] = [("response_type", "code"), ("client_id", sandbox.clientId), ("approval_prompt", "auto"),
                                     ("mode", mode), ("redirect_uri", sandbox.redirectUri), ("scope", scope)]
    if let state { pairs.append(("state", state)) }
    return "/oauth/authorize?" + formEncode(pairs + extra)
}

/// The permissions page reached by walking Connect like a browser (preamble → brands → login).
struct SignedIn {
    var session: String
    var vehicles: [String]
    var page: TestResponse
}

func signIn(_ client: any TestClientProtocol, sandbox: SandboxInfo, scope: String = "read_vehicle_info read_odometer",
            make: String, email: String, state: String? = "0facda3319") async throws -> SignedIn {
    let preamble = try await client.request(.get, authorizeURI(sandbox, scope: scope, state: state))
    try #require(preamble.status == .ok, "authorize: \(preamble.text)")
    #expect(preamble.text.contains(#"id="continue-button""#))
    let first = try #require(hiddenSession(preamble.text))

    let brands = try await client.request(.get, "/connect/brands?" + formEncode([("session", first)]))
    try #require(brands.status == .ok, "brands: \(brands.text)")
    #expect(brands.headers[.contentType] == Smartcar.htmlContentType)
    #expect(brands.text.contains("id=\"\(make)\""), "brand button for \(make)")
    let brandSession = try #require(hiddenSession(brands.text))

    let login = try await client.request(.get, "/connect/login?" + formEncode([("session", brandSession), ("make", make)]))
    try #require(login.status == .ok, "login page: \(login.text)")
    #expect(login.text.contains(#"id="username""#) && login.text.contains(#"id="password""#) && login.text.contains(#"id="sign-in-button""#))
    let loginSession = try #require(hiddenSession(login.text))

    let permissions = try await client.postForm("/connect/login", [("session", loginSession), ("make", make), ("username", email), ("password", "any password")])
    try #require(permissions.status == .ok, "sign in: \(permissions.status) \(permissions.text)")
    #expect(permissions.headers[.contentType] == Smartcar.htmlContentType)
    #expect(permissions.text.contains(#"id="approval-button""#) && permissions.text.contains(#"id="deny-button""#))
    let session = try #require(hiddenSession(permissions.text))
    return SignedIn(session: session, vehicles: offeredVehicles(permissions.text), page: permissions)
}

// MARK: Assertions

/// `Content-Type: application/json; charset=utf-8` and a UUID `SC-Request-Id` (36 characters).
func expectSmartcarJSONHeaders(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.headers[.contentType] == Smartcar.jsonContentType, "Content-Type", sourceLocation: sourceLocation)
    let id = response.requestId
    #expect(id?.count == 36, "SC-Request-Id \(id ?? "missing")", sourceLocation: sourceLocation)
    #expect(id.map(isUUID) == true, "SC-Request-Id is a UUID: \(id ?? "missing")", sourceLocation: sourceLocation)
}

/// The keys appear in this order in the raw body (first occurrence of each `"key":`).
func expectKeyOrder(_ text: String, _ keys: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let positions = keys.map { text.range(of: "\"\($0)\":")?.lowerBound }
    let found = positions.compactMap { $0 }
    #expect(found.count == keys.count, "keys \(keys) in \(text)", sourceLocation: sourceLocation)
    #expect(zip(found, found.dropFirst()).allSatisfy { $0 < $1 }, "key order \(keys) in \(text)", sourceLocation: sourceLocation)
}

/// A v2.0 error: status, headers, every key of the envelope (in the live order), and its values.
/// `code` and `resolution` nil mean JSON null.
func expectV2Error(_ response: TestResponse, status expectedStatus: Int, type expectedType: String, code expectedCode: String?,
                   resolution expectedResolution: String? = nil, description expectedDescription: String? = nil,
                   docURL expectedDocURL: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status.code == expectedStatus, "HTTP status: \(response.text)", sourceLocation: sourceLocation)
    expectSmartcarJSONHeaders(response, sourceLocation: sourceLocation)
    let body = response.json
    for key in ["statusCode", "type", "code", "description", "docURL", "resolution", "requestId"] {
        #expect(body[key] != nil, "v2 error body lacks \(key): \(response.text)", sourceLocation: sourceLocation)
    }
    expectKeyOrder(response.text, ["statusCode", "type", "code", "description", "docURL", "resolution"], sourceLocation: sourceLocation)
    #expect(integer(body["statusCode"]) == expectedStatus, "statusCode", sourceLocation: sourceLocation)
    #expect(body["type"] as? String == expectedType, "type: \(response.text)", sourceLocation: sourceLocation)
    if let expectedCode {
        #expect(body["code"] as? String == expectedCode, "code: \(response.text)", sourceLocation: sourceLocation)
    } else {
        #expect(body["code"] is NSNull, "code should be null: \(response.text)", sourceLocation: sourceLocation)
    }
    if let expectedDescription {
        #expect(body["description"] as? String == expectedDescription, "description", sourceLocation: sourceLocation)
    } else {
        #expect((body["description"] as? String)?.isEmpty == false, "description", sourceLocation: sourceLocation)
    }
    if let expectedDocURL {
        #expect(body["docURL"] as? String == expectedDocURL, "docURL", sourceLocation: sourceLocation)
    } else {
        #expect((body["docURL"] as? String)?.hasPrefix("https://smartcar.com/docs/") == true, "docURL", sourceLocation: sourceLocation)
    }
    let resolutionObject = body["resolution"] as? [String: Any]
    #expect(resolutionObject != nil, "resolution is an object: \(response.text)", sourceLocation: sourceLocation)
    if let expectedResolution {
        #expect(resolutionObject?["type"] as? String == expectedResolution, "resolution.type", sourceLocation: sourceLocation)
    } else {
        #expect(resolutionObject?["type"] is NSNull, "resolution.type should be null: \(response.text)", sourceLocation: sourceLocation)
    }
    #expect(body["requestId"] as? String == response.requestId, "requestId equals SC-Request-Id", sourceLocation: sourceLocation)
    // requestId closes the body, after resolution (and any suggestedUserMessage / detail).
    if let resolutionAt = response.text.range(of: "\"resolution\":"), let requestIdAt = response.text.range(of: "\"requestId\":") {
        #expect(resolutionAt.lowerBound < requestIdAt.lowerBound, "requestId after resolution", sourceLocation: sourceLocation)
    }
}

/// A v1.0 error: `{"error","message","code","statusCode","requestId"}` and nothing else.
func expectV1Error(_ response: TestResponse, status expectedStatus: Int, error expectedError: String, message expectedMessage: String? = nil,
                   code expectedCode: String?,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status.code == expectedStatus, "HTTP status: \(response.text)", sourceLocation: sourceLocation)
    expectSmartcarJSONHeaders(response, sourceLocation: sourceLocation)
    let body = response.json
    #expect(Set(body.keys) == ["error", "message", "code", "statusCode", "requestId"], "v1 keys: \(response.text)", sourceLocation: sourceLocation)
    #expect(body["error"] as? String == expectedError, "error: \(response.text)", sourceLocation: sourceLocation)
    if let expectedMessage {
        #expect(body["message"] as? String == expectedMessage, "message", sourceLocation: sourceLocation)
    } else {
        #expect((body["message"] as? String)?.isEmpty == false, "message", sourceLocation: sourceLocation)
    }
    if let expectedCode {
        #expect(body["code"] as? String == expectedCode, "code", sourceLocation: sourceLocation)
    } else {
        #expect(body["code"] is NSNull, "code should be null: \(response.text)", sourceLocation: sourceLocation)
    }
    #expect(integer(body["statusCode"]) == expectedStatus, "statusCode", sourceLocation: sourceLocation)
    #expect(body["requestId"] as? String == response.requestId, "requestId equals SC-Request-Id", sourceLocation: sourceLocation)
}

/// An OAuth error of the token endpoint: `{"error","error_description"}` only.
func expectOAuthError(_ response: TestResponse, status expectedStatus: Int, error expectedError: String, description expectedDescription: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status.code == expectedStatus, "HTTP status: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == Smartcar.jsonContentType, "Content-Type", sourceLocation: sourceLocation)
    let body = response.json
    #expect(Set(body.keys) == ["error", "error_description"], "OAuth error keys: \(response.text)", sourceLocation: sourceLocation)
    #expect(body["error"] as? String == expectedError, "error: \(response.text)", sourceLocation: sourceLocation)
    if let expectedDescription {
        #expect(body["error_description"] as? String == expectedDescription, "error_description", sourceLocation: sourceLocation)
    } else {
        #expect((body["error_description"] as? String)?.isEmpty == false, "error_description", sourceLocation: sourceLocation)
    }
}

/// A successful token response: exactly access_token, token_type "Bearer", expires_in 7200, refresh_token.
func expectTokenResponse(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == .ok, "token response: \(response.text)", sourceLocation: sourceLocation)
    expectSmartcarJSONHeaders(response, sourceLocation: sourceLocation)
    let body = response.json
    #expect(Set(body.keys) == ["access_token", "token_type", "expires_in", "refresh_token"], "keys: \(response.text)", sourceLocation: sourceLocation)
    #expect((body["access_token"] as? String)?.isEmpty == false, "access_token", sourceLocation: sourceLocation)
    #expect(body["token_type"] as? String == "Bearer", "token_type", sourceLocation: sourceLocation)
    #expect(integer(body["expires_in"]) == 7200, "expires_in", sourceLocation: sourceLocation)
    #expect((body["refresh_token"] as? String)?.isEmpty == false, "refresh_token", sourceLocation: sourceLocation)
    #expect(body["access_token"] as? String != body["refresh_token"] as? String, "distinct tokens", sourceLocation: sourceLocation)
}

/// An action endpoint's success body: exactly `{"message": "Successfully sent request to vehicle", "status": "success"}`.
func expectActionSuccess(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == .ok, "action: \(response.text)", sourceLocation: sourceLocation)
    expectSmartcarJSONHeaders(response, sourceLocation: sourceLocation)
    #expect(Set(response.json.keys) == ["message", "status"], "keys: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.json["message"] as? String == Smartcar.actionMessage, "message", sourceLocation: sourceLocation)
    #expect(response.json["status"] as? String == "success", "status", sourceLocation: sourceLocation)
}
