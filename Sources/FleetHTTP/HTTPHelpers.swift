import FleetCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    public static let scRequestId = Self("SC-Request-Id")!
    public static let scDataAge = Self("SC-Data-Age")!
    public static let scFetchedAt = Self("SC-Fetched-At")!
    public static let scUnitSystem = Self("SC-Unit-System")!
    public static let retryAfter = Self("Retry-After")!
    public static let fleetmockSandbox = Self("X-Fleetmock-Sandbox")!
    public static let fleetmockFault = Self("X-Fleetmock-Fault")!
    public static let pragma = Self("Pragma")!
}

/// Building responses with exact bytes and content types.
public enum Responses {
    /// A JSON response from already-encoded bytes.
    public static func json(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(body: ByteBuffer(bytes: data), status: status, headers: headers)
    }

    /// A JSON response from a JSON value (its bytes go into the body without a copy through `Data`).
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(body: ByteBuffer(bytes: value.encodedBytes()), status: status, headers: headers)
    }

    private static func json(body: ByteBuffer, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var fields = headers
        let contentType = HTTPField(name: .contentType, value: "application/json; charset=utf-8")
        // Most callers pass no content type: appending then skips replacing one.
        if fields.contains(.contentType) { fields[.contentType] = contentType.value } else { fields.append(contentType) }
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }

    /// A JSON response from an `Encodable` value (keys sorted for stable output).
    public static func json<T: Encodable>(encoding value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data = (try? WireJSON.encoder().encode(value)) ?? Data("{}".utf8)
        return json(data, status: status, headers: headers)
    }

    /// An HTML page.
    public static func html(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Plain text.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8", headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A redirect.
    public static func redirect(to location: String, status: HTTPResponse.Status = .found, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.location] = location
        return Response(status: status, headers: fields)
    }
}

extension Request {
    /// The whole body, or nil when it is larger than `limit`.
    public func collectBody(limit: Int = 2 * 1024 * 1024) async -> Data? {
        guard let buffer = try? await body.collect(upTo: limit) else { return nil }
        return Data(buffer.readableBytesView)
    }

    /// Query parameters decoded (percent and `+`), last value wins.
    public var queryItems: [String: String] {
        FormEncoding.decode(uri.query ?? "")
    }

    /// The path with any trailing slash removed (but `/` stays `/`).
    public var normalizedPath: String {
        var path = uri.path
        // Bytes, not characters: a UTF-8 count is O(1) and `/` is ASCII.
        while path.utf8.count > 1, path.utf8.last == UInt8(ascii: "/") { path.removeLast() }
        return path
    }
}

/// `application/x-www-form-urlencoded` encoding.
public enum FormEncoding {
    /// Decodes `a=1&b=two+words`; the last value of a repeated key wins.
    public static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in decodePairs(text) { result[key] = value }
        return result
    }

    /// Decodes keeping repeated keys, in order.
    public static func decodePairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(String(parts[0]))
            let value = parts.count > 1 ? unescape(String(parts[1])) : ""
            return (key, value)
        }
    }

    static func unescape(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// RFC 3986 unreserved characters.
    public static let unreserved = PercentEncoding.unreserved

    /// Percent-encodes a query component (space as %20).
    public static func escape(_ text: String) -> String {
        PercentEncoding.escape(text)
    }

    /// Percent-encodes a query component with spaces as `+` (as Go's url.Values and upstream redirects do).
    public static func escapePlus(_ text: String) -> String {
        var allowed = unreserved
        allowed.insert(" ")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: " ", with: "+")
    }

    /// Encodes pairs in order.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}

/// Builds redirect URLs back to the application.
public enum RedirectURL {
    /// `redirectUri` with the pairs appended to its query (spaces as `+`, like upstream).
    public static func build(_ redirectUri: String, _ pairs: [(String, String?)]) -> String {
        let encoded = pairs.compactMap { key, value -> String? in
            guard let value else { return nil }
            return "\(escape(key))=\(escape(value))"
        }.joined(separator: "&")
        guard !encoded.isEmpty else { return redirectUri }
        var base = redirectUri
        var fragment = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = String(base[hash...])
            base = String(base[..<hash])
        }
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + encoded + fragment
    }

    public static func escape(_ text: String) -> String { FormEncoding.escapePlus(text) }
}
