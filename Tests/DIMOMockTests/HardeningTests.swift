import FleetCore
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Regressions for what scripts/hardening (issue 14) found on the DIMO surface.
@Suite struct DIMOHardeningTests {
    /// A document nested a thousand levels deep overflowed the GraphQL parser's stack and killed the
    /// server (fuzz: `POST /identity/query {"query": "{ a { a { … } } }"}`). Now a 422 parse error.
    @Test func deeplyNestedGraphQLIsAParseErrorNotACrash() async throws {
        try await withServer { client, _ in
            let headers: HTTPFields = [.contentType: "application/json"]
            for (path, open, close) in [("/identity/query", "a { ", " }"), ("/telemetry/query", "a(x: [", "])"), ("/fetch/query", "a(x: {b: ", "})")] {
                let depth = 5000
                let query = "{ " + String(repeating: open, count: depth) + "b" + String(repeating: close, count: depth) + " }"
                let body = try JSONSerialization.data(withJSONObject: ["query": query])
                let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(data: body))
                #expect(response.status == .unprocessableContent, "\(path)")
                let error = (response.json["errors"] as? [[String: Any]])?.first
                #expect(error?["message"] as? String == "query nesting exceeds 128 levels")
                #expect((error?["extensions"] as? [String: Any])?["code"] as? String == "GRAPHQL_PARSE_FAILED")
            }
            // Braces inside strings and comments do not count; an ordinary query still runs.
            let braces = String(repeating: "{", count: 300)
            let quoted = "# \(braces)\n{ vehicles(first: 1, filterBy: {owner: \"0x\(braces)\"}) { totalCount } }"
            let okBody = try JSONSerialization.data(withJSONObject: ["query": quoted])
            let ok = try await client.execute(uri: "/identity/query", method: .post, headers: headers, body: ByteBuffer(data: okBody))
            #expect(!ok.text.contains("nesting"))
        }
    }
    /// Fragments that each spread the next one twice, forty deep, made the complexity count walk 2^40
    /// selections and held a core for minutes (fuzz: `POST /telemetry/query` with
    /// `{ ...F0 } fragment F0 on Query { ...F1 ...F1 } … fragment F40 on Query { signalsLatest(…) { … } }`).
    /// Each fragment is now costed once; the answer is gqlgen's complexity error. (Without the memo this
    /// test does not finish; it asserts no wall-clock bound, which a loaded CI machine cannot keep.)
    @Test func fragmentFanOutIsCostedOnce() async throws {
        try await withServer { client, _ in
            let fragments = (0..<40).map { "fragment F\($0) on Query { ...F\($0 + 1) ...F\($0 + 1) }" }.joined(separator: " ")
            let query = "{ ...F0 } " + fragments + " fragment F40 on Query { signalsLatest(tokenId: 1) { speed { value } } }"
            let body = try JSONSerialization.data(withJSONObject: ["query": query])
            let response = try await client.execute(uri: "/telemetry/query", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(data: body))
            #expect(response.status == .unprocessableContent)
            let error = (response.json["errors"] as? [[String: Any]])?.first
            #expect((error?["extensions"] as? [String: Any])?["code"] as? String == "COMPLEXITY_LIMIT_EXCEEDED")
            #expect((error?["message"] as? String)?.hasPrefix("operation has complexity 3298534883328,") == true)
        }
    }
}
