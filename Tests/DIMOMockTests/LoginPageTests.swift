import FleetCore
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Login with DIMO driven with plain HTTP: the email and code steps, the vehicle manager, the redirect back.
@Suite struct LoginPageTests {
    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// The value of a hidden or visible element's attribute or text, found by a regular expression's first group.
    static func capture(_ pattern: String, in html: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)), match.numberOfRanges > 1,
              let range = Range(match.range(at: 1), in: html) else { return nil }
        return String(html[range])
    }

    static func sessionId(_ html: String) -> String? { capture(#"name="session" value="([a-z0-9]+)""#, in: html) }
    static func code(_ html: String) -> String? { capture(#"id="otp-hint">([0-9]{6})<"#, in: html) }

    static func query(_ location: String) -> [String: String] {
        guard let components = URLComponents(string: location) else { return [:] }
        var out: [String: String] = [:]
        for item in components.queryItems ?? [] { out[item.name] = item.value ?? "" }
        return out
    }

    static func percent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }

    /// Opens the page, logs in as `email` and returns the page after the code (or the redirect).
    static func logIn(_ client: any TestClientProtocol, query: String, email: String) async throws -> TestResponse {
        let start = try await client.execute(uri: "/login?\(query)", method: .get)
        #expect(start.status == .ok)
        #expect(start.headers[.contentType]?.hasPrefix("text/html") == true)
        #expect(start.text.contains("id=\"email-input\""))
        let session = try #require(sessionId(start.text))
        let otpPage = try await client.execute(uri: "/login/email", method: .post, headers: formHeaders,
                                               body: form([("session", session), ("email", email)]))
        #expect(otpPage.status == .ok)
        let code = try #require(Self.code(otpPage.text))
        return try await client.execute(uri: "/login/otp", method: .post, headers: formHeaders, body: form([("session", session), ("code", code)]))
    }

    @Test func vehicleManagerGrantsTheRequestedPrivilegesAndRedirectsWithSharedVehicles() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let dimo = try #require(session.sandbox["dimo"] as? [String: Any])
            let clientId = try #require(dimo["clientId"] as? String), domain = try #require(dimo["domain"] as? String)
            let vehicles = try #require(session.sandbox["vehicles"] as? [[String: Any]])
            let mine = try #require(vehicles.first { $0["dimoTokenId"] as? Int == session.tokenId })
            let email = try #require(mine["owner"] as? String)
            let users = try #require(session.sandbox["users"] as? [[String: Any]])
            let wallet = try #require(users.first { $0["email"] as? String == email }?["dimoAddress"] as? String)
            #expect(try await session.exchange(client, privileges: [1]).status == .forbidden)

            // Non-location history and location history: the bit string's positions 1 and 4.
            let page = try await Self.logIn(client, query: "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&entryState=VEHICLE_MANAGER&permissions=1001",
                                       email: email.uppercased())
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("id=\"vehicle-\(session.tokenId)\""))
            let ownTokenIds = Set(vehicles.filter { $0["owner"] as? String == email }.compactMap { $0["dimoTokenId"] as? Int })
            for other in vehicles.compactMap({ $0["dimoTokenId"] as? Int }) where !ownTokenIds.contains(other) {
                #expect(!html.contains("id=\"vehicle-\(other)\""), "vehicle \(other) belongs to someone else")
            }
            #expect(html.contains("data-privilege=\"1\"") && html.contains("data-privilege=\"4\"") && !html.contains("data-privilege=\"2\""))
            let loginSession = try #require(Self.sessionId(html))

            let shared = try await client.execute(uri: "/login/share", method: .post, headers: Self.formHeaders,
                                                  body: form([("session", loginSession), ("vehicle", String(session.tokenId)), ("action", "share")]))
            #expect(shared.status == .found)
            let location = try #require(shared.headers[.location])
            #expect(location.hasPrefix(domain))
            let back = Self.query(location)
            #expect(back["sharedVehicles"] == String(session.tokenId))
            #expect(back["walletAddress"] == wallet)
            #expect(back["email"]?.lowercased() == email)
            let token = try #require(back["token"])
            let claims = try #require(String(token.split(separator: ".")[1]).base64URLJSON)
            #expect(claims["aud"] as? String == clientId)
            #expect(claims["ethereum_address"] as? String == wallet)
            #expect((claims["exp"] as? Int ?? 0) - (claims["iat"] as? Int ?? 0) == 14 * 86400)

            #expect(try await session.exchange(client, privileges: [1, 4]).status == .ok)
            #expect(try await session.exchange(client, privileges: [2]).status == .forbidden)
            // The session is spent: sharing again is refused.
            let again = try await client.execute(uri: "/login/share", method: .post, headers: Self.formHeaders,
                                                 body: form([("session", loginSession), ("vehicle", String(session.tokenId))]))
            #expect(again.status == .badRequest)
        }
    }

    @Test func loginOnlyRedirectsWithTokenWalletEmailAndUTM() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let dimo = try #require(session.sandbox["dimo"] as? [String: Any])
            let clientId = try #require(dimo["clientId"] as? String), domain = try #require(dimo["domain"] as? String)
            // An email with no account here: a new DIMO account, its own wallet, nothing to share.
            let done = try await Self.logIn(client, query: "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&utm=campaign%3Dspring",
                                       email: "new.driver@example.org")
            #expect(done.status == .found)
            let back = Self.query(try #require(done.headers[.location]))
            #expect(back["campaign"] == "spring")
            #expect(back["email"] == "new.driver@example.org")
            #expect(back["sharedVehicles"] == nil)
            let wallet = try #require(back["walletAddress"])
            #expect(wallet.count == 42 && wallet.hasPrefix("0x"))
            let token = try #require(back["token"])
            let claims = try #require(String(token.split(separator: ".")[1]).base64URLJSON)
            #expect(claims["ethereum_address"] as? String == wallet)

            let manager = try await Self.logIn(client, query: "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&entryState=VEHICLE_MANAGER",
                                          email: "new.driver@example.org")
            #expect(manager.status == .ok)
            #expect(manager.text.contains("id=\"no-vehicles\""))
        }
    }

    @Test func badRequestsGetAnErrorPageAndNeverARedirect() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let dimo = try #require(session.sandbox["dimo"] as? [String: Any])
            let clientId = try #require(dimo["clientId"] as? String), domain = try #require(dimo["domain"] as? String)
            let cases = [
                "redirectUri=\(Self.percent(domain))",
                "clientId=0x0000000000000000000000000000000000000001&redirectUri=\(Self.percent(domain))",
                "clientId=\(clientId)&redirectUri=\(Self.percent("https://evil.example/cb"))",
                "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&entryState=NOPE",
                "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&permissions=12",
                "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&expirationDate=yesterday",
                "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&powertrainTypes=STEAM",
                "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&altTitle=%3Cscript%3Ealert(1)%3C%2Fscript%3E&vehicles=abc",
            ]
            for query in cases {
                let response = try await client.execute(uri: "/login?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.location] == nil)
                #expect(response.text.contains("id=\"login-error\""), "\(query)")
                #expect(!response.text.contains("<script>alert"))
            }
            // The root path is the page too when it names a client; without one it stays the Agents health check.
            let root = try await client.execute(uri: "/?clientId=\(clientId)&redirectUri=\(Self.percent(domain))", method: .get)
            #expect(root.status == .ok && root.text.contains("id=\"email-input\""))

            // Wrong codes: an error on the page, and after five the session ends.
            let start = try await client.execute(uri: "/login?clientId=\(clientId)&redirectUri=\(Self.percent(domain))", method: .get)
            let id = try #require(Self.sessionId(start.text))
            let invalidEmail = try await client.execute(uri: "/login/email", method: .post, headers: Self.formHeaders,
                                                        body: form([("session", id), ("email", "not-an-email")]))
            #expect(invalidEmail.status == .badRequest && invalidEmail.text.contains("id=\"email-error\""))
            _ = try await client.execute(uri: "/login/email", method: .post, headers: Self.formHeaders,
                                         body: form([("session", id), ("email", "alice@example.com")]))
            for attempt in 1...5 {
                let wrong = try await client.execute(uri: "/login/otp", method: .post, headers: Self.formHeaders,
                                                     body: form([("session", id), ("code", "abcdef")]))
                #expect(wrong.status == .badRequest)
                #expect(wrong.text.contains(attempt < 5 ? "id=\"otp-error\"" : "Too many attempts"))
            }
            let gone = try await client.execute(uri: "/login/otp", method: .post, headers: Self.formHeaders,
                                                body: form([("session", id), ("code", "123456")]))
            #expect(gone.status == .badRequest && gone.text.contains("Session expired"))
        }
    }

    @Test func sharingAVehicleThatIsNotOfferedChangesNothing() async throws {
        try await withServer { client, _ in
            let session = try await DIMOSession.start(client)
            let dimo = try #require(session.sandbox["dimo"] as? [String: Any])
            let clientId = try #require(dimo["clientId"] as? String), domain = try #require(dimo["domain"] as? String)
            let vehicles = try #require(session.sandbox["vehicles"] as? [[String: Any]])
            let mine = try #require(vehicles.first { $0["dimoTokenId"] as? Int == session.tokenId })
            let email = try #require(mine["owner"] as? String)
            let make = try #require(mine["make"] as? String)
            // Filtered to another powertrain: the BEV is not offered, so it cannot be shared.
            let page = try await Self.logIn(client, query: "clientId=\(clientId)&redirectUri=\(Self.percent(domain))&entryState=VEHICLE_MANAGER&powertrainTypes=ICE&vehicleMakes=\(make)",
                                       email: email)
            #expect(page.status == .ok)
            #expect(!page.text.contains("id=\"vehicle-\(session.tokenId)\""))
            let id = try #require(Self.sessionId(page.text))
            let refused = try await client.execute(uri: "/login/share", method: .post, headers: Self.formHeaders,
                                                   body: form([("session", id), ("vehicle", String(session.tokenId)), ("action", "share")]))
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("id=\"share-error\""))
            #expect(try await session.exchange(client, privileges: [1]).status == .forbidden)
            // Cancelling goes back with the login and no shared vehicles.
            let cancelled = try await client.execute(uri: "/login/share", method: .post, headers: Self.formHeaders,
                                                     body: form([("session", id), ("action", "cancel")]))
            #expect(cancelled.status == .found)
            let back = Self.query(try #require(cancelled.headers[.location]))
            #expect(back["token"] != nil && back["sharedVehicles"] == nil)
        }
    }
}
