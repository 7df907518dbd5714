import DIMOMock
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import NIOCore
import SmartcarMock

/// The whole fault catalogue: both vendors' errors and the transport faults, by stable id.
struct FaultCatalog: Sendable {
    let faults: [String: RenderableFault]
    let ids: [String]

    init() {
        var all = SmartcarFaults.all + DIMOFaults.all
        for kind in ["reset", "empty", "malformed", "truncated", "hang"] {
            let summary: String
            switch kind {
            case "reset": summary = "the connection closes without an answer"
            case "empty": summary = "200 with an empty body"
            case "malformed": summary = "a JSON content type with a body that is not JSON"
            case "truncated": summary = "the real answer cut off half-way"
            default: summary = "no answer until the client gives up (120 s)"
            }
            all.append(RenderableFault(entry: FaultCatalogEntry(id: "transport.\(kind)", vendor: "any", service: "any", status: 0, summary: summary)) { _ in
                Response(status: .ok)
            })
        }
        var map: [String: RenderableFault] = [:]
        for fault in all { map[fault.entry.id] = fault }
        faults = map
        ids = all.map(\.entry.id)
    }

    /// Entries in catalogue order.
    var entries: [FaultCatalogEntry] { ids.compactMap { faults[$0]?.entry } }
}

/// Reads what fault matching needs from a GraphQL request body.
enum FaultTarget {
    /// Root fields (and `tokenId:N` arguments) of a GraphQL query, read without a full parser.
    static func graphQLFields(_ body: Data) -> [String] {
        guard let json = JSONValue.parse(body), let query = json["query"]?.stringValue else { return [] }
        var fields: [String] = []
        if let name = json["operationName"]?.stringValue { fields.append(name) }
        var depth = 0
        var token = ""
        var pendingAlias = false
        let chars = Array(query)
        var i = 0
        func flush() {
            if depth == 1, !token.isEmpty, !pendingAlias { fields.append(token) }
            token = ""
        }
        while i < chars.count {
            let c = chars[i]
            if c == "{" { flush(); depth += 1 } else if c == "}" { flush(); depth -= 1 } else if c == "(" {
                flush()
                // Skip the argument list, noting tokenId values.
                var level = 1
                var args = ""
                i += 1
                while i < chars.count, level > 0 {
                    if chars[i] == "(" { level += 1 } else if chars[i] == ")" { level -= 1 }
                    if level > 0 { args.append(chars[i]) }
                    i += 1
                }
                if let match = args.firstMatch(of: /tokenId\s*:\s*(\d+)/) { fields.append("tokenId:\(match.1)") }
                continue
            } else if c == ":" {
                pendingAlias = false
                token = ""
            } else if c.isLetter || c.isNumber || c == "_" {
                token.append(c)
            } else {
                if !token.isEmpty {
                    // An alias is followed by ':'; look ahead past spaces.
                    var j = i
                    while j < chars.count, chars[j] == " " || chars[j] == "\n" || chars[j] == "\t" { j += 1 }
                    if j < chars.count, chars[j] == ":" { token = ""; i = j; continue }
                }
                flush()
            }
            i += 1
        }
        return fields
    }
}
