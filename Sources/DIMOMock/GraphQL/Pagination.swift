import FleetHTTP
import Foundation
import GraphQL

/// Relay pagination as identity-api does it: `first` xor `last`, at most 100, cursors opaque.
enum Pagination {
    static let maxPageSize = 100

    struct Item: Sendable {
        var cursor: String
        /// Built only when the item lands on the returned page (a listing of hundreds pays for ten).
        var node: @Sendable () -> any Sendable

        init(cursor: String, node: @autoclosure @escaping @Sendable () -> any Sendable) {
            self.cursor = cursor
            self.node = node
        }
    }

    /// The connection object for `items` (already in the service's order), honouring first/after/last/before.
    /// `position` maps a cursor back to its index in `items` (nil when the cursor is unknown).
    static func connection(_ items: [Item], args: Map, typeName: String, requireLimit: Bool = true) throws -> GQLObject {
        let first = args["first"].intArg
        let last = args["last"].intArg
        if requireLimit {
            if first == nil, last == nil { throw FieldError("provide `first` or `last`") }
        }
        if first != nil, last != nil { throw FieldError("pass `first` or `last`, but not both") }
        if let first {
            if first < 0 { throw FieldError("the value for `first` cannot be negative") }
            if first > maxPageSize { throw FieldError("the value \(first) for `first` exceeds the limit \(maxPageSize)") }
        }
        if let last {
            if last < 0 { throw FieldError("the value for `last` cannot be negative") }
            if last > maxPageSize { throw FieldError("the value \(last) for `last` exceeds the limit \(maxPageSize)") }
        }
        var window = items[...]
        if let after = args["after"].stringArg {
            guard let index = items.firstIndex(where: { $0.cursor == after }) else { throw FieldError("invalid cursor") }
            window = window[(index + 1)...]
        }
        if let before = args["before"].stringArg {
            guard let index = items.firstIndex(where: { $0.cursor == before }) else { throw FieldError("invalid cursor") }
            window = window[..<max(window.startIndex, index)]
        }
        var page = Array(window)
        var hasNext = false
        var hasPrevious = false
        if let first {
            hasNext = page.count > first
            page = Array(page.prefix(first))
            hasPrevious = !args["after"].isAbsent
        } else if let last {
            hasPrevious = page.count > last
            page = Array(page.suffix(last))
            hasNext = !args["before"].isAbsent
        }
        let edgeType = typeName.replacingOccurrences(of: "Connection", with: "Edge")
        let nodes = page.map { $0.node() }
        return GQLObject(typeName, [
            "totalCount": items.count,
            "edges": zip(page, nodes).map { item, node in GQLObject(edgeType, ["node": node, "cursor": item.cursor]) },
            "nodes": nodes,
            "pageInfo": GQLObject("PageInfo", [
                "startCursor": page.first?.cursor as (any Sendable)?,
                "endCursor": page.last?.cursor as (any Sendable)?,
                "hasPreviousPage": hasPrevious,
                "hasNextPage": hasNext,
            ]),
        ])
    }

    /// identity-api's vehicle cursor: base64 of the decimal token id.
    static func tokenCursor(_ tokenId: Int64) -> String { Data(String(tokenId).utf8).base64EncodedString() }
}

/// Identity's global ids: `<prefix>_` + base64(msgpack([tokenId])).
enum GlobalID {
    static func encode(prefix: String, _ tokenId: Int64) -> String {
        var bytes: [UInt8] = [0x91]
        switch tokenId {
        case 0..<128: bytes.append(UInt8(tokenId))
        case 128..<256: bytes += [0xCC, UInt8(tokenId)]
        case 256..<65536: bytes += [0xCD, UInt8(tokenId >> 8), UInt8(tokenId & 0xFF)]
        default: bytes += [0xCE, UInt8((tokenId >> 24) & 0xFF), UInt8((tokenId >> 16) & 0xFF), UInt8((tokenId >> 8) & 0xFF), UInt8(tokenId & 0xFF)]
        }
        return "\(prefix)_" + Data(bytes).base64EncodedString()
    }

    static func decode(_ id: String) -> (prefix: String, tokenId: Int64)? {
        guard let underscore = id.firstIndex(of: "_"), let data = Data(base64Encoded: String(id[id.index(after: underscore)...])) else { return nil }
        let bytes = Array(data)
        guard bytes.count >= 2, bytes[0] == 0x91 else { return nil }
        let value: Int64
        switch bytes[1] {
        case 0..<128: value = Int64(bytes[1])
        case 0xCC where bytes.count >= 3: value = Int64(bytes[2])
        case 0xCD where bytes.count >= 4: value = Int64(bytes[2]) << 8 | Int64(bytes[3])
        case 0xCE where bytes.count >= 6: value = Int64(bytes[2]) << 24 | Int64(bytes[3]) << 16 | Int64(bytes[4]) << 8 | Int64(bytes[5])
        default: return nil
        }
        return (String(id[..<underscore]), value)
    }
}
