import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Smartcar Connect: `/oauth/authorize` and the pages after it (ConnectFlow / ConnectPages).
@Suite struct ConnectFlowTests {
    @Test func authorizeShowsThePreamble() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let page = try await client.request(.get, authorizeURI(sandbox))
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == Smartcar.htmlContentType)
            #expect(page.headers[.location] == nil)
            #expect(page.text.contains(#"id="continue-button""#))
            #expect(page.text.contains(#"id="back-to-app-button""#))
            #expect(hiddenSession(page.text)?.isEmpty == false)
        }
    }

    enum BadAuthorize: String, CaseIterable, Sendable {
        case unknownClientId, missingClientId, unregisteredRedirectUri, unknownScope, unsupportedResponseType
    }

    /// A request Connect cannot start is an error page, never a redirect (an unregistered
    /// redirect URI must never receive anything).
    @Test(arguments: BadAuthorize.allCases)
    func authorizeErrorsArePagesNotRedirects(_ bad: BadAuthorize) async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            var pairs: [(String, String)] = [("response_type", "code"), ("client_id", sandbox.clientId),
                                             ("redirect_uri", sandbox.redirectUri), ("scope", "read_odometer"), ("state", "s1")]
            switch bad {
            case .unknownClientId: pairs[1].1 = "00000000-0000-4000-8000-000000000000"
            case .missingClientId: pairs.remove(at: 1)
            case .unregisteredRedirectUri: pairs[2].1 = "https://attacker.example/callback"
            case .unknownScope: pairs[3].1 = "read_odometer read_minds"
            case .unsupportedResponseType: pairs[0].1 = "token"
            }
            let page = try await client.request(.get, "/oauth/authorize?" + formEncode(pairs))
            #expect(page.status == .badRequest, "\(bad)")
            #expect(page.headers[.location] == nil, "\(bad) must not redirect")
            #expect(page.headers[.contentType] == Smartcar.htmlContentType)
            #expect(page.text.contains(#"id="error-message""#))
            #expect(!page.text.contains("continue-button"))
        }
    }

    @Test func walkingConnectApprovesAndRedirectsWithCodeAndState() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let signedIn = try await signIn(client, sandbox: sandbox, scope: "required:read_odometer read_vehicle_info",
                                            make: "TESLA", email: tesla.owner, state: "0facda3319")
            // The owner has one Tesla; it is the only car offered.
            #expect(signedIn.vehicles == [tesla.smartcarId])
            #expect(signedIn.page.text.contains("Odometer"))

            let grant = try await client.postForm("/connect/grant", [("session", signedIn.session), ("vehicle", tesla.smartcarId), ("action", "approve")])
            #expect(grant.status == .found)
            let location = try #require(grant.headers[.location])
            #expect(location.hasPrefix(sandbox.redirectUri + "?"))
            let query = queryItems(location)
            let code = try #require(query["code"])
            #expect(!code.isEmpty)
            #expect(query["state"] == "0facda3319")
            #expect(query["error"] == nil)

            // The code reaches exactly the chosen car, with the scopes asked for (no `required:` prefix).
            let token = try await exchangeCode(client, sandbox: sandbox, code: code)
            expectTokenResponse(token)
            let access = try #require(token.json["access_token"] as? String)
            let vehicles = try await client.request(.get, "/v2.0/vehicles", headers: bearer(access))
            #expect(vehicles.json["vehicles"] as? [String] == [tesla.smartcarId])
            let permissions = try await client.request(.get, "/v2.0/vehicles/\(tesla.smartcarId)/permissions", headers: bearer(access))
            #expect(Set(permissions.json["permissions"] as? [String] ?? []) == ["read_odometer", "read_vehicle_info"])

            // The session is spent: approving again is an expired-session page, not a second code.
            let again = try await client.postForm("/connect/grant", [("session", signedIn.session), ("vehicle", tesla.smartcarId), ("action", "approve")])
            #expect(again.status == .badRequest)
            #expect(again.headers[.location] == nil)
        }
    }

    @Test func denyRedirectsWithAccessDenied() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let signedIn = try await signIn(client, sandbox: sandbox, make: "TESLA", email: tesla.owner, state: "0facda3319")
            let deny = try await client.postForm("/connect/grant", [("session", signedIn.session), ("action", "deny")])
            #expect(deny.status == .found)
            let location = try #require(deny.headers[.location])
            #expect(location.hasPrefix(sandbox.redirectUri + "?"))
            #expect(location.contains("error=access_denied&error_description=User+denied+access+to+application."))
            #expect(queryItems(location)["state"] == "0facda3319")
            #expect(queryItems(location)["code"] == nil)
        }
    }

    @Test func backToApplicationRedirectsWithUserReturned() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let preamble = try await client.request(.get, authorizeURI(sandbox, state: "st4te"))
            let session = try #require(hiddenSession(preamble.text))
            let exited = try await client.request(.get, "/connect/exit?" + formEncode([("session", session), ("reason", "returned")]))
            #expect(exited.status == .found)
            let location = try #require(exited.headers[.location])
            #expect(location.hasPrefix(sandbox.redirectUri + "?"))
            #expect(location.contains("error=user_manually_returned_to_application&error_description=The+user+exited+Connect+before+granting+your+application+access"))
            #expect(queryItems(location)["state"] == "st4te")
        }
    }

    @Test func ownerWithoutCarsOfTheBrandGetsNoVehicles() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            // The Model 3's owner has no BMW (the 330e belongs to someone else).
            #expect(!sandbox.vehicles(of: tesla.owner).contains { $0.make == "BMW" })
            let preamble = try await client.request(.get, authorizeURI(sandbox, extra: [("make", "BMW")]))
            let session = try #require(hiddenSession(preamble.text))
            let login = try await client.postForm("/connect/login", [("session", session), ("make", "BMW"), ("username", tesla.owner), ("password", "pw")])
            #expect(login.status == .found)
            let location = try #require(login.headers[.location])
            #expect(location.hasPrefix(sandbox.redirectUri + "?"))
            #expect(location.contains("error=no_vehicles&error_description=No+vehicles+found.+Please+add+vehicles+to+your+account+and+try+again."))
        }
    }

    @Test func unknownOwnerEmailInLiveModeIsA401Page() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let preamble = try await client.request(.get, authorizeURI(sandbox, extra: [("make", "TESLA")]))
            let session = try #require(hiddenSession(preamble.text))
            for username in ["nobody@example.com", "not-an-email"] {
                let login = try await client.postForm("/connect/login", [("session", session), ("make", "TESLA"), ("username", username), ("password", "pw")])
                #expect(login.status == .unauthorized, "\(username)")
                #expect(login.headers[.location] == nil, "\(username) must not redirect")
                #expect(login.headers[.contentType] == Smartcar.htmlContentType)
                #expect(login.text.contains(#"id="login-error""#))
                // The form is shown again so the user can retry.
                #expect(login.text.contains(#"id="sign-in-button""#))
                #expect(hiddenSession(login.text) == session)
            }
        }
    }

    @Test func unknownSessionIsAnErrorPage() async throws {
        try await withServer { client, _ in
            for uri in ["/connect/brands?session=nope", "/connect/login?session=nope", "/connect/exit?session=nope&reason=returned"] {
                let page = try await client.request(.get, uri)
                #expect(page.status == .badRequest, "\(uri)")
                #expect(page.headers[.location] == nil, "\(uri)")
                #expect(page.headers[.contentType] == Smartcar.htmlContentType)
            }
            let grant = try await client.postForm("/connect/grant", [("session", "nope"), ("action", "approve")])
            #expect(grant.status == .badRequest)
            #expect(grant.headers[.location] == nil)
        }
    }

    /// User-supplied text never reaches a page as markup, and reaches the redirect percent-encoded.
    @Test func userSuppliedTextIsEscaped() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let tesla = try sandbox.vehicle(model: "Model 3")
            let evil = "<script>alert(1)</script>"

            let signedIn = try await signIn(client, sandbox: sandbox, make: "TESLA", email: tesla.owner, state: evil)
            #expect(!signedIn.page.text.contains("<script>"))
            let preamble = try await client.request(.get, authorizeURI(sandbox, state: evil))
            #expect(preamble.status == .ok)
            #expect(!preamble.text.contains("<script>"))

            let grant = try await client.postForm("/connect/grant", [("session", signedIn.session), ("vehicle", tesla.smartcarId), ("action", "approve")])
            let location = try #require(grant.headers[.location])
            #expect(!location.contains("<") && !location.contains(">"))
            #expect(queryItems(location)["state"] == evil)

            // An error page quoting the client_id escapes it.
            let errorPage = try await client.request(.get, "/oauth/authorize?" + formEncode([("response_type", "code"), ("client_id", evil)]))
            #expect(errorPage.status == .badRequest)
            #expect(!errorPage.text.contains("<script>"))
            #expect(errorPage.text.contains("&lt;script&gt;"))

            // A make taken from the query is escaped on the login page.
            let session = try #require(hiddenSession(preamble.text))
            let login = try await client.request(.get, "/connect/login?" + formEncode([("session", session), ("make", "<img src=x onerror=alert(1)>")]))
            #expect(!login.text.lowercased().contains("<img"))

            // An email typed at the login form is echoed escaped.
            let failed = try await client.postForm("/connect/login", [("session", session), ("make", "TESLA"), ("username", "\"><script>x</script>@example.com"), ("password", "pw")])
            #expect(failed.status == .unauthorized)
            #expect(!failed.text.contains("<script>"))
        }
    }

    /// RFC 3986: a URI is ASCII, so a non-ASCII `state` must come back percent-encoded (UTF-8).
    /// (`RedirectURL.escape` allows `CharacterSet.alphanumerics`, which includes non-ASCII letters.)
    @Test func nonASCIIStateIsPercentEncodedInTheRedirect() async throws {
        try await withServer { client, _ in
            let sandbox = try await client.makeSandbox()
            let preamble = try await client.request(.get, authorizeURI(sandbox, state: "café"))
            let session = try #require(hiddenSession(preamble.text))
            let exited = try await client.request(.get, "/connect/exit?" + formEncode([("session", session), ("reason", "returned")]))
            let location = try #require(exited.headers[.location])
            #expect(location.unicodeScalars.allSatisfy { $0.isASCII }, "Location must be ASCII: \(location)")
            #expect(location.contains("state=caf%C3%A9"))
        }
    }
}
