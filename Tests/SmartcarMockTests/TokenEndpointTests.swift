import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /oauth/token` (TokenEndpoint + SmartcarAccess): both grants, the three ways to send client
/// credentials, and token lifetimes on the sandbox clock.
/// A code for the default fixture's Model 3, read_odometer only.
private func teslaCode(_ client: any TestClientProtocol, _ sandbox: SandboxInfo) async throws -> String {
    let tesla = try sandbox.vehicle(model: "Model 3")
    return try await headlessCode(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner, vins: [tesla.vin])
}

@Suite struct TokenEndpointTests {
    @Test func exchangeWithBasicCredentials() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let response = try await exchangeCode(client, sandbox: sandbox, code: code)
            expectTokenResponse(response)
            // The token works.
            let tesla = try sandbox.vehicle(model: "Model 3")
            let access = try #require(response.json["access_token"] as? String)
            let odometer = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(access))
            #expect(odometer.status == .ok)
        }
    }

    @Test func exchangeWithFormCredentials() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let response = try await client.postForm("/oauth/token", [
                ("client_id", sandbox.clientId), ("client_secret", sandbox.clientSecret),
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", sandbox.redirectUri),
            ])
            expectTokenResponse(response)
        }
    }

    @Test func exchangeWithQueryCredentials() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let uri = "/oauth/token?" + formEncode([("client_id", sandbox.clientId), ("client_secret", sandbox.clientSecret)])
            let response = try await client.postForm(uri, [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", sandbox.redirectUri)])
            expectTokenResponse(response)
        }
    }

    /// node sends the literal `undefined` when no redirect URI is configured; Python omits it.
    @Test(arguments: ["undefined", nil] as [String?])
    func exchangeToleratesTheSDKsMissingRedirectUri(_ redirectUri: String?) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            var pairs = [("grant_type", "authorization_code"), ("code", code)]
            if let redirectUri { pairs.append(("redirect_uri", redirectUri)) }
            let response = try await client.postForm("/oauth/token", pairs, headers: basic(sandbox.clientId, sandbox.clientSecret))
            expectTokenResponse(response)
        }
    }

    @Test func codeIsSingleUse() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            expectTokenResponse(try await exchangeCode(client, sandbox: sandbox, code: code))
            let reuse = try await exchangeCode(client, sandbox: sandbox, code: code)
            expectOAuthError(reuse, status: 400, error: "invalid_grant", description: "Invalid code: \(code).")
        }
    }

    @Test func unknownCodeAndRefreshToken() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let badCode = try await exchangeCode(client, sandbox: sandbox, code: "THIS_SHOULD_NOT_WORK")
            expectOAuthError(badCode, status: 400, error: "invalid_grant", description: "Invalid code: THIS_SHOULD_NOT_WORK.")
            let badRefresh = try await refreshTokens(client, sandbox: sandbox, refreshToken: "THIS_SHOULD_NOT_WORK")
            expectOAuthError(badRefresh, status: 400, error: "invalid_grant", description: "Invalid refresh_token: THIS_SHOULD_NOT_WORK.")
        }
    }

    @Test func codeExpiresAfterTenMinutes() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            try await client.advanceClock(sandbox, by: "11m")
            let late = try await exchangeCode(client, sandbox: sandbox, code: code)
            expectOAuthError(late, status: 400, error: "invalid_grant", description: "Invalid code: \(code).")
        }
    }

    @Test func codeOfAnotherSandboxIsInvalid() async throws {
        try await withServer { client, _ in
            let mine = try await client.makeSandbox()
            let other = try await client.makeSandbox()
            let code = try await teslaCode(client, other)
            let response = try await exchangeCode(client, sandbox: mine, code: code)
            expectOAuthError(response, status: 400, error: "invalid_grant", description: "Invalid code: \(code).")
            // Refused there, it is still good where it was issued.
            expectTokenResponse(try await exchangeCode(client, sandbox: other, code: code))
        }
    }

    @Test func redirectUriMismatchIsInvalidGrant() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let response = try await exchangeCode(client, sandbox: sandbox, code: code, redirectUri: "http://localhost:8000/exchange")
            expectOAuthError(response, status: 400, error: "invalid_grant", description: "Unauthorized redirect_uri: http://localhost:8000/exchange")
            // A refused exchange does not spend the code.
            expectTokenResponse(try await exchangeCode(client, sandbox: sandbox, code: code))
        }
    }

    @Test func badClientCredentialsAreInvalidClient() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let grant = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", sandbox.redirectUri)]

            let wrongSecret = try await client.postForm("/oauth/token", grant, headers: basic(sandbox.clientId, "wrong-secret"))
            expectOAuthError(wrongSecret, status: 401, error: "invalid_client")
            let unknownClient = try await client.postForm("/oauth/token", grant, headers: basic("00000000-0000-4000-8000-000000000000", sandbox.clientSecret))
            expectOAuthError(unknownClient, status: 401, error: "invalid_client")
            let none = try await client.postForm("/oauth/token", grant)
            expectOAuthError(none, status: 401, error: "invalid_client")
            let wrongFormSecret = try await client.postForm("/oauth/token", grant + [("client_id", sandbox.clientId), ("client_secret", "nope")])
            expectOAuthError(wrongFormSecret, status: 401, error: "invalid_client")

            // None of those spent the code.
            expectTokenResponse(try await exchangeCode(client, sandbox: sandbox, code: code))
        }
    }

    @Test func missingGrantTypeIsInvalidRequest() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let code = try await teslaCode(client, sandbox)
            let response = try await client.postForm("/oauth/token", [("code", code), ("redirect_uri", sandbox.redirectUri)],
                                                     headers: basic(sandbox.clientId, sandbox.clientSecret))
            expectOAuthError(response, status: 400, error: "invalid_request")
            let noCode = try await client.postForm("/oauth/token", [("grant_type", "authorization_code")],
                                                   headers: basic(sandbox.clientId, sandbox.clientSecret))
            expectOAuthError(noCode, status: 400, error: "invalid_request")
            // RFC 6749 §5.2.
            let password = try await client.postForm("/oauth/token", [("grant_type", "password"), ("username", "a"), ("password", "b")],
                                                     headers: basic(sandbox.clientId, sandbox.clientSecret))
            expectOAuthError(password, status: 400, error: "unsupported_grant_type")
        }
    }

    /// Each refresh returns a new refresh token; the used one keeps working for one minute only
    /// (README: the shorter of the documented 1 or 10 minutes), on the sandbox clock.
    @Test func refreshRotatesWithAOneMinuteGrace() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let first = try await connectTokens(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner, vins: [tesla.vin])

            let rotated = try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh)
            expectTokenResponse(rotated)
            let second = try tokens(from: rotated)
            #expect(second.refresh != first.refresh)
            #expect(second.access != first.access)
            let odometer = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/odometer", headers: bearer(second.access))
            #expect(odometer.status == .ok)

            // Inside the grace period the old refresh token still works.
            let graced = try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh)
            expectTokenResponse(graced)

            // Two minutes later it does not; the unused new one does.
            try await client.advanceClock(sandbox, by: "2m")
            let stale = try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh)
            expectOAuthError(stale, status: 400, error: "invalid_grant", description: "Invalid refresh_token: \(first.refresh).")
            expectTokenResponse(try await refreshTokens(client, sandbox: sandbox, refreshToken: second.refresh))
        }
    }

    /// The docs' refresh example sends everything as query parameters.
    @Test func refreshWithEverythingInTheQuery() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let first = try await connectTokens(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner, vins: [tesla.vin])
            let uri = "/oauth/token?" + formEncode([("client_id", sandbox.clientId), ("client_secret", sandbox.clientSecret),
                                                    ("grant_type", "refresh_token"), ("refresh_token", first.refresh)])
            expectTokenResponse(try await client.request(.post, uri))
        }
    }

    @Test func accessTokenExpiresAfterTwoHours() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let first = try await connectTokens(client, sandbox: sandbox, scopes: ["read_odometer"], email: tesla.owner, vins: [tesla.vin])
            let path = "/v2.0/vehicles/\(tesla.smartcarId)/odometer"
            #expect(try await client.request(.get, path, headers: bearer(first.access)).status == .ok)

            try await client.advanceClock(sandbox, by: "3h")
            let expired = try await client.request(.get, path, headers: bearer(first.access))
            expectV2Error(expired, status: 401, type: "AUTHENTICATION", code: nil, resolution: nil,
                          description: Smartcar.authenticationDescription, docURL: Smartcar.authenticationDocURL)

            // The refresh token lives 60 days: it still gives a working access token.
            let renewed = try tokens(from: try await refreshTokens(client, sandbox: sandbox, refreshToken: first.refresh))
            #expect(try await client.request(.get, path, headers: bearer(renewed.access)).status == .ok)
        }
    }

    @Test func tokenEndpointOnlyAcceptsPost() async throws {
        try await withServer { client, _ in
            let response = try await client.request(.get, "/oauth/token")
            #expect(response.status.code >= 400)
            #expect(response.headers[.contentType] == Smartcar.jsonContentType)
            #expect(response.json["error"] is String)
        }
    }
}
