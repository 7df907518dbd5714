import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// DIMO's auth server (a dex fork): the web3 challenge login that gives a developer JWT, JWKS and discovery.
struct WebAuth: Sendable {
    let access: DIMOAccess
    let developerTokens: JWTIssuer
    let vehicleTokens: JWTIssuer

    static let developerLifetime: TimeInterval = 14 * 86400

    /// dex's JSON error body.
    static func jsonError(_ status: Int, _ message: String) -> Response {
        Responses.json(.object([("status", .integer(Int64(status))), ("message", .string(message))]), status: .init(code: status))
    }

    /// dex's HTML error page.
    static func htmlError(_ status: Int, _ type: String, _ message: String) -> Response {
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return Responses.html("""
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>dex</title></head>
        <body><div class="theme-panel"><h2 class="theme-heading">\(type)</h2><p>\(escaped)</p></div></body></html>
        """, status: .init(code: status))
    }

    static func tokenError(_ status: Int, _ error: String, _ description: String? = nil) -> Response {
        var pairs: [(String, JSONValue)] = [("error", .string(error))]
        if let description { pairs.append(("error_description", .string(description))) }
        return Responses.json(.object(pairs), status: .init(code: status))
    }

    /// Parameters from the query string and a form body (dex calls ParseForm).
    static func parameters(_ request: Request, body: Data) -> [String: String]? {
        var values = request.queryItems
        if !body.isEmpty {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            if contentType.contains("json") { return nil }
            for (key, value) in FormEncoding.decode(String(decoding: body, as: UTF8.self)) { values[key] = value }
        }
        return values
    }

    func generateChallenge(_ request: Request, body: Data, scope: RequestScope) async throws -> Response {
        guard let params = Self.parameters(request, body: body) else { return Self.jsonError(400, "Couldn't parse parameters.") }
        let clientId = params["client_id"] ?? ""
        let domain = params["domain"] ?? ""
        guard let (license, sandbox) = try await access.license(clientId: clientId) else {
            return Self.htmlError(404, "Not Found", "Invalid client_id (\"\(clientId)\").")
        }
        scope.sandboxId = sandbox.id
        guard license.redirectUris.contains(domain) else {
            return Self.htmlError(400, "Bad Request", "Unregistered redirect_uri (\"\(domain)\").")
        }
        let scopes = (params["scope"] ?? "").split(separator: " ").map(String.init)
        guard scopes.contains("openid") else {
            let location = RedirectBuilder.append(domain, [("state", ""), ("error", "invalid_scope"), ("error_description", "Missing required scope(s) [\"openid\"].")])
            return Responses.redirect(to: location, status: .seeOther)
        }
        let responseType = params["response_type"] ?? ""
        guard responseType == "code" else {
            let location = RedirectBuilder.append(domain, [("state", ""), ("error", "unsupported_response_type"), ("error_description", "Unsupported response type \"\(responseType)\"")])
            return Responses.redirect(to: location, status: .seeOther)
        }
        guard let address = Ethereum.checksumAddress(params["address"] ?? "") else {
            return Self.jsonError(400, "Invalid Ethereum address.")
        }
        var rng = SystemRandomNumberGenerator()
        let state = Identifiers.token(length: 1, alphabet: "abcdefghijklmnopqrstuvwxyz", using: &rng)
            + Identifiers.token(length: 24, alphabet: "abcdefghijklmnopqrstuvwxyz234567", using: &rng)
        let nonce = Identifiers.token(length: 30, alphabet: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", using: &rng)
        let now = sandbox.clock.now()
        let host = URL(string: domain)?.host ?? ""
        let challenge = [
            "auth.dimo.zone wants you to sign in with your Ethereum account:",
            address,
            "",
            "\(host) is asking you sign in.",
            "",
            "URI: https://auth.dimo.zone",
            "Version: 1",
            "Chain ID: 1",
            "Nonce: \(nonce)",
            "Issued At: \(Timestamp.seconds(now))",
        ].joined(separator: "\n")
        try await access.saveChallenge(DIMOChallengeRecord(state: state, sandboxId: sandbox.id, clientId: license.clientId, domain: domain,
                                                           address: address, challenge: challenge, createdAt: now, usedAt: nil))
        // dex writes the JSON before setting a content type, so Go sniffs text/plain; the trailing newline is json.Encoder's.
        let text = JSONValue.object([("state", .string(state)), ("challenge", .string(challenge))]).text + "\n"
        return Responses.text(text, contentType: "text/plain; charset=utf-8")
    }

    func submitChallenge(_ request: Request, body: Data, scope: RequestScope) async throws -> Response {
        guard let params = Self.parameters(request, body: body) else { return Self.jsonError(400, "Couldn't parse parameters.") }
        guard let state = params["state"], let challenge = try await access.challenge(state: state) else {
            return Self.jsonError(400, "Requested resource does not exist.")
        }
        scope.sandboxId = challenge.sandboxId
        guard let signature = Hex.decode(params["signature"] ?? ""),
              let signer = try? Ethereum.recoverPersonalSigner(message: Array(challenge.challenge.utf8), signature: signature),
              try await Self.acceptable(signer: signer, address: challenge.address, access: access) else {
            return Self.jsonError(400, "Could not verify signature.")
        }
        guard let (license, sandbox) = try await access.license(clientId: challenge.clientId) else {
            return Self.tokenError(401, "invalid_client", "Invalid client credentials.")
        }
        let now = sandbox.clock.now()
        guard now.timeIntervalSince(challenge.createdAt) < 86400 else { return Self.jsonError(400, "User session has expired.") }
        guard (params["grant_type"] ?? "") == "authorization_code" else { return Self.tokenError(400, "unsupported_grant_type") }
        let clientId = params["client_id"] ?? ""
        guard let (requesting, _) = try await access.license(clientId: clientId) else {
            return Self.tokenError(401, "invalid_client", "Invalid client credentials.")
        }
        guard requesting.clientId == license.clientId else { return Self.tokenError(500, "server_error") }
        guard (params["domain"] ?? params["redirect_uri"] ?? "") == challenge.domain else {
            return Self.tokenError(400, "invalid_request", "redirect_uri did not match URI from initial request.")
        }
        guard try await access.consumeChallenge(state: state, at: now) else { return Self.jsonError(400, "Requested resource does not exist.") }

        var rng = SystemRandomNumberGenerator()
        let randomAccessId = Identifiers.token(length: 25, alphabet: "abcdefghijklmnopqrstuvwxyz234567", using: &rng)
        let code = Identifiers.token(length: 25, alphabet: "abcdefghijklmnopqrstuvwxyz234567", using: &rng)
        let iat = Int64(now.timeIntervalSince1970)
        let exp = iat + Int64(Self.developerLifetime)
        func claims(atHashOf: String, cHashOf: String?) -> JSONValue {
            var pairs: [(String, JSONValue)] = [
                ("iss", .string(JWTIssuer.developerIssuer)),
                ("provider_id", "web3"),
                ("sub", .string(Self.subject(address: challenge.address))),
                ("aud", .string(license.clientId)),
                ("exp", .integer(exp)),
                ("iat", .integer(iat)),
                ("at_hash", .string(Self.halfHash(atHashOf))),
            ]
            if let cHashOf { pairs.append(("c_hash", .string(Self.halfHash(cHashOf)))) }
            pairs.append(("email_verified", false))
            pairs.append(("ethereum_address", .string(challenge.address)))
            return .object(pairs)
        }
        let accessToken = try await developerTokens.sign(claims(atHashOf: randomAccessId, cHashOf: nil))
        let idToken = try await developerTokens.sign(claims(atHashOf: accessToken, cHashOf: code))
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        return Responses.json(.object([
            ("access_token", .string(accessToken)), ("token_type", "bearer"),
            ("expires_in", .integer(Int64(Self.developerLifetime) - 1)), ("id_token", .string(idToken)),
        ]), headers: headers)
    }

    /// The signer is the address itself, or a signer of the license whose client id is the address.
    static func acceptable(signer: String, address: String, access: DIMOAccess) async throws -> Bool {
        if signer.lowercased() == address.lowercased() { return true }
        guard let (license, _) = try await access.license(clientId: address) else { return false }
        return license.signerAddress.lowercased() == signer.lowercased()
    }

    /// dex's subject: base64url(protobuf IDTokenSubject{user_id: address, conn_id: "web3"}).
    static func subject(address: String) -> String {
        var bytes: [UInt8] = [0x0A, UInt8(address.utf8.count)]
        bytes += Array(address.utf8)
        bytes += [0x12, 0x04] + Array("web3".utf8)
        return Base64URL.encode(bytes)
    }

    /// The user id (address) inside a dex subject.
    static func address(fromSubject subject: String) -> String? {
        guard let data = Base64URL.decode(subject), data.count > 2 else { return nil }
        let bytes = Array(data)
        guard bytes[0] == 0x0A, Int(bytes[1]) + 2 <= bytes.count else { return nil }
        return String(decoding: bytes[2..<(2 + Int(bytes[1]))], as: UTF8.self)
    }

    /// OIDC's at_hash/c_hash: the left half of SHA-256, base64url.
    static func halfHash(_ text: String) -> String {
        let digest = Array(SHA256Digest.of(text))
        return Base64URL.encode(digest.prefix(16))
    }

    func keys() async throws -> Response {
        let keys = JSONValue.object([("keys", .array([try await developerTokens.jwk(), try await vehicleTokens.jwk()]))])
        var headers = HTTPFields()
        headers[.cacheControl] = "max-age=21600, must-revalidate"
        return Responses.json(keys, headers: headers)
    }

    func discovery(origin: String) -> Response {
        let issuer = JWTIssuer.developerIssuer
        return Responses.json(.object([
            ("issuer", .string(issuer)),
            ("authorization_endpoint", .string("\(issuer)/auth")),
            ("token_endpoint", .string("\(issuer)/token")),
            ("jwks_uri", .string("\(issuer)/keys")),
            ("userinfo_endpoint", .string("\(issuer)/userinfo")),
            ("device_authorization_endpoint", .string("\(issuer)/device/code")),
            ("introspection_endpoint", .string("\(issuer)/token/introspect")),
            ("grant_types_supported", .array(["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"])),
            ("response_types_supported", .array(["code"])),
            ("subject_types_supported", .array(["public"])),
            ("id_token_signing_alg_values_supported", .array(["RS256"])),
            ("code_challenge_methods_supported", .array(["S256", "plain"])),
            ("scopes_supported", .array(["openid", "email", "groups", "profile", "offline_access"])),
            ("token_endpoint_auth_methods_supported", .array(["client_secret_basic", "client_secret_post"])),
            ("claims_supported", .array(["iss", "sub", "aud", "iat", "exp", "email", "email_verified", "locale", "name", "preferred_username", "at_hash"])),
        ]))
    }
}

/// Appends query pairs to a URL (percent-encoding, `+` for spaces as Go's url.Values does).
enum RedirectBuilder {
    static func append(_ base: String, _ pairs: [(String, String)]) -> String {
        let query = pairs.map { key, value in "\(key)=\(FormEncoding.escapePlus(value))" }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

import Crypto

enum SHA256Digest {
    static func of(_ text: String) -> SHA256.Digest { SHA256.hash(data: Data(text.utf8)) }
}
