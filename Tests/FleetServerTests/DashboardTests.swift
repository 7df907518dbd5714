import FleetCore
@testable import FleetServer
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The dashboard's pages and fragments, and the control-API calls it is built on.
@Suite struct DashboardTests {
    @Test func markupEscapesEveryInterpolatedString() {
        let hostile = #"<script>alert("x")</script> & 'q'"#
        let markup: HTML = "<p title=\"\(hostile)\">\(hostile)</p>"
        #expect(markup.text == "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>")
        #expect(pathSegment("a/b?c#d é") == "a%2Fb%3Fc%23d%20%C3%A9")
    }

    @Test func everyPageRendersWithAStrictPolicy() async throws {
        try await withServer { client, _ in
            let vehicles = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles").json["vehicles"] as? [[String: Any]] ?? []
            let vin = try #require(vehicles.first?["vin"] as? String)
            for path in ["/__fleetmock/ui", "/__fleetmock/ui/sandboxes/default", "/__fleetmock/ui/sandboxes/default/faults",
                         "/__fleetmock/ui/sandboxes/default/journal", "/__fleetmock/ui/sandboxes/default/webhooks",
                         "/__fleetmock/ui/sandboxes/default/vehicles/\(vin)", "/__fleetmock/ui/sandboxes/default/vehicles/\(vin)?hours=168",
                         "/__fleetmock/ui/sandboxes/default/fragments/map", "/__fleetmock/ui/sandboxes/default/fragments/clock",
                         "/__fleetmock/ui/sandboxes/default/vehicles/\(vin)/fragments/charts?hours=24"] {
                let response = try await client.request(.get, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true, "\(path)")
                #expect(!response.text.contains("<script>") || response.text.contains("<script src=\"/__fleetmock/ui/assets/dashboard.js\"></script>"), "\(path)")
            }
            let script = try await client.request(.get, "/__fleetmock/ui/assets/dashboard.js")
            #expect(script.status == .ok && script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            let style = try await client.request(.get, "/__fleetmock/ui/assets/dashboard.css")
            #expect(style.status == .ok && style.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test func theMapDrawsEveryCarOfTheSandbox() async throws {
        try await withServer { client, _ in
            let vehicles = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles").json["vehicles"] as? [[String: Any]] ?? []
            #expect(vehicles.count > 1)
            let map = try await client.request(.get, "/__fleetmock/ui/sandboxes/default/fragments/map").text
            for vehicle in vehicles {
                let vin = try #require(vehicle["vin"] as? String)
                #expect(map.contains("data-vin=\"\(vin)\""), "\(vin) is on the map")
            }
            #expect(map.components(separatedBy: "<circle class=\"car ").count - 1 == vehicles.count)
        }
    }

    @Test func missingThingsArePagesNotJSON() async throws {
        try await withServer { client, _ in
            for path in ["/__fleetmock/ui/sandboxes/nope", "/__fleetmock/ui/sandboxes/default/vehicles/NOPE", "/__fleetmock/ui/sandboxes/default/journal/999999"] {
                let response = try await client.request(.get, path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                #expect(response.text.contains("<!doctype html>"), "\(path)")
            }
        }
    }

    @Test func untrustedTextIsEscapedOnEveryPageThatShowsIt() async throws {
        try await withServer { client, _ in
            let hostile = #"<img src=x onerror=alert(1)>"#
            let rule = try await client.request(.post, "/__fleetmock/sandboxes/default/faults", json: """
                {"match": {"path": "/v2.0/vehicles/*/odometer"}, "action": {"kind": "status", "status": 503, "message": "\(hostile)"}}
                """)
            #expect(rule.status == .created)
            // A request whose body and query carry markup lands in the journal.
            let sandbox: HTTPFields = [HTTPField.Name("X-Fleetmock-Sandbox")!: "default", .contentType: "application/json",
                                       .authorization: "Bearer <script>alert(5)</script>"]
            _ = try await client.execute(uri: "/v2.0/vehicles?x=%3Cscript%3Ealert(2)%3C/script%3E", method: .get, headers: sandbox)
            _ = try await client.execute(uri: "/v2.0/vehicles/x/security", method: .post, headers: sandbox,
                                         body: .init(string: #"{"action": "<script>alert(3)</script>"}"#))
            let faults = try await client.request(.get, "/__fleetmock/ui/sandboxes/default/faults").text
            #expect(faults.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!faults.contains(hostile))
            let journal = try await client.request(.get, "/__fleetmock/ui/sandboxes/default/fragments/journal").text
            #expect(!journal.contains("<script>alert"))
            let list = try await client.request(.get, "/__fleetmock/sandboxes/default/journal?path=/v2.0/vehicles").json["entries"] as? [[String: Any]] ?? []
            for entry in list {
                let sequence = try #require(entry["sequence"] as? Int)
                let page = try await client.request(.get, "/__fleetmock/ui/sandboxes/default/journal/\(sequence)").text
                #expect(!page.contains("<script>alert"), "entry \(sequence)")
                #expect(!page.contains("<script>") || page.components(separatedBy: "<script").count == 2)
            }
            #expect(list.count >= 1)
        }
    }

    @Test func aJournalEntryKeepsItsExchange() async throws {
        try await withServer { client, _ in
            let created = try await client.request(.post, "/__fleetmock/sandboxes/default/faults",
                                                   json: #"{"match": {"vendor": "dimo"}, "action": {"kind": "status", "status": 500}, "schedule": {"times": 1}}"#)
            #expect(created.status == .created)
            let entries = try await client.request(.get, "/__fleetmock/sandboxes/default/journal?limit=1").json["entries"] as? [[String: Any]] ?? []
            let summary = try #require(entries.first)
            #expect(summary["exchange"] == nil, "the list leaves headers and bodies out")
            let sequence = try #require(summary["sequence"] as? Int)
            let entry = try await client.request(.get, "/__fleetmock/sandboxes/default/journal/\(sequence)").json
            let exchange = try #require(entry["exchange"] as? [String: Any])
            #expect((exchange["requestBody"] as? String)?.contains("\"dimo\"") == true)
            #expect((exchange["responseBody"] as? String)?.contains("\"status\":500") == true)
            let headers = exchange["responseHeaders"] as? [[String: Any]] ?? []
            #expect(headers.contains { ($0["name"] as? String)?.lowercased() == "content-type" })
            let missing = try await client.request(.get, "/__fleetmock/sandboxes/default/journal/123456")
            #expect(missing.status == .notFound && (missing.json["error"] as? [String: Any])?["code"] as? String == "journal_entry_not_found")
        }
    }

    @Test func historyAndAccessAnswerForAVehicle() async throws {
        try await withServer { client, _ in
            let vehicles = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles").json["vehicles"] as? [[String: Any]] ?? []
            let vehicle = try #require(vehicles.first)
            let vin = try #require(vehicle["vin"] as? String), tokenId = try #require(vehicle["dimoTokenId"] as? Int)
            _ = try await client.request(.post, "/__fleetmock/sandboxes/default/clock", json: #"{"advance": "1d"}"#)
            let history = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles/\(vin)/history?hours=48")
            #expect(history.status == .ok)
            let signals = history.json["signals"] as? [String: Any] ?? [:]
            #expect(signals["speed"] != nil && signals["powertrainTransmissionTravelledDistance"] != nil)
            #expect((history.json["track"] as? [Any])?.isEmpty == false)
            let bad = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles/\(vin)/history?hours=0")
            #expect(bad.status == .badRequest && (bad.json["error"] as? [String: Any])?["field"] as? String == "hours")

            let shared = try await client.request(.post, "/__fleetmock/sandboxes/default/dimo/share", json: #"{"vehicles": [\#(tokenId)], "permissions": [1, 4]}"#)
            #expect(shared.status == .ok)
            let access = try await client.request(.get, "/__fleetmock/sandboxes/default/vehicles/\(vin)/access").json
            let grants = (access["dimo"] as? [String: Any])?["grants"] as? [[String: Any]] ?? []
            #expect(grants.contains { ($0["privileges"] as? [Int]) == [1, 4] })
            let page = try await client.request(.get, "/__fleetmock/ui/sandboxes/default/vehicles/\(vin)").text
            #expect(page.contains("1, 4"))
        }
    }

    @Test func aBrowserAtTheRootLandsOnTheDashboard() async throws {
        try await withServer { client, _ in
            let browser = try await client.request(.get, "/", headers: [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"])
            #expect(browser.status == .found && browser.headers[.location] == "/__fleetmock/ui/")
            // DIMO's agents health check and Login with DIMO keep their answers.
            let health = try await client.request(.get, "/", headers: [.accept: "application/json"])
            #expect(health.status == .ok && health.headers[.location] == nil)
            let login = try await client.request(.get, "/?clientId=0x1&redirectUri=http://localhost", headers: [.accept: "text/html"])
            #expect(login.status != .found || login.headers[.location] != "/__fleetmock/ui/")
        }
    }
}
