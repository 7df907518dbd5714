import FleetCore
import Foundation
import Hummingbird
import Synchronization

/// What the first middleware works out about a request, once: where it goes, what credential it
/// carries, which sandbox that names and the sandbox clock's reading. Everything after reads it.
/// A class: every layer reads it, and a read is then one retain rather than a copy of each field.
public final class RequestResolution: Sendable {
    /// Vendor and service; nil for a path no surface serves.
    public let target: RequestTarget?
    public let credential: RequestCredential
    /// The sandbox the credential names, as it was when the request arrived.
    public let sandbox: SandboxRecord?
    /// The sandbox clock's now when the request arrived (real time without a sandbox).
    public let now: Date

    public init(target: RequestTarget?, credential: RequestCredential, sandbox: SandboxRecord?, now: Date) {
        self.target = target
        self.credential = credential
        self.sandbox = sandbox
        self.now = now
    }

    public var vendor: Vendor? { target?.vendor }
    public var service: VendorService? { target?.service }
}

/// What the layers of one request tell each other. A reference shared by every copy of the request
/// context: the resolution is written once by the first middleware; a handler deep in a vendor
/// surface reports back which sandbox the request turned out to reach (a credential in a body),
/// its request id and any fault applied, for the journal.
public final class RequestScope: Sendable {
    private struct Values {
        var resolution: RequestResolution?
        var sandboxId: String?
        var fault: String?
        var requestId: String?
    }

    private let values = Mutex(Values())

    public init() {}

    /// Set once, before any vendor code runs.
    public var resolution: RequestResolution? {
        get { values.withLock { $0.resolution } }
        set { values.withLock { $0.resolution = newValue } }
    }

    /// The vendor the request was addressed to.
    public var vendor: Vendor? { resolution?.vendor }

    /// The sandbox the request is journaled in: set by the surface that authenticated it (or a fault).
    public var sandboxId: String? {
        get { values.withLock { $0.sandboxId } }
        set { values.withLock { $0.sandboxId = newValue } }
    }

    public var fault: String? {
        get { values.withLock { $0.fault } }
        set { values.withLock { $0.fault = newValue } }
    }

    public var requestId: String? {
        get { values.withLock { $0.requestId } }
        set { values.withLock { $0.requestId = newValue } }
    }
}

/// The request context every fleetmock route runs with.
public struct FleetRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let scope: RequestScope

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        scope = RequestScope()
    }

    /// Bodies up to 2 MB are read; the vendors reject larger ones long before that.
    public var maxUploadSize: Int { 2 * 1024 * 1024 }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (what an HTTP header value may carry).
    public var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

extension RequestCredential {
    /// Reads what can name a sandbox from a request: the `X-Fleetmock-Sandbox` header or a path
    /// prefix, a bearer token (and, for a JWT, its `token_id` and `aud`/`ethereum_address`), and a
    /// client id from the query or HTTP Basic. Control-API requests name their sandbox in the path only.
    public init(_ request: Request, target: RequestTarget?) {
        self.init()
        if target?.service == .control {
            let parts = RequestTarget.segments(target?.path ?? "")
            if parts.count >= 3, parts[1] == "sandboxes" { explicitSandbox = String(parts[2]) }
            return
        }
        // One pass over the headers for the two this needs.
        var authorization: String?
        var sandboxHeader: String?
        for field in request.headers {
            if field.name == .authorization, authorization == nil {
                authorization = field.value
            } else if field.name == .fleetmockSandbox, sandboxHeader == nil {
                sandboxHeader = field.value
            }
        }
        explicitSandbox = sandboxHeader ?? target?.pathSandbox
        var jwtClient: String?
        if let header = authorization {
            if header.utf8.count > 7, Self.hasScheme(header, "bearer ") {
                let token = String(header.dropFirst(7).trimmingSpaces)
                if !token.isEmpty { bearer = token }
                // Only a token with dots can be a JWT; opaque tokens skip the decoding.
                if token.utf8.contains(UInt8(ascii: ".")) {
                    let parts = token.split(separator: ".")
                    if parts.count == 3, let payload = Base64URL.decode(String(parts[1])), let claims = JSONValue.parse(payload) {
                        dimoTokenId = claims["token_id"]?.stringValue.flatMap { Int64($0) }
                        jwtClient = claims["aud"]?.stringValue ?? claims["ethereum_address"]?.stringValue
                    }
                }
            } else if header.utf8.count > 6, Self.hasScheme(header, "basic "),
                      let data = Data(base64Encoded: String(header.dropFirst(6))), let text = String(data: data, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") {
                smartcarClientId = String(text[..<colon])
            }
        }
        if let query = request.uri.query, query.contains("client_id="), let client = request.queryItems["client_id"] {
            smartcarClientId = client
        }
        dimoClientId = jwtClient ?? smartcarClientId
    }

    /// Whether a header value starts with an authentication scheme (lower-case, with its space), in any case.
    static func hasScheme(_ header: String, _ scheme: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: scheme.utf8Start, count: scheme.utf8CodeUnitCount)
        var bytes = header.utf8.makeIterator()
        for byte in expected {
            guard let next = bytes.next() else { return false }
            // ASCII letters compare without case; the space must match exactly.
            let folded = next >= UInt8(ascii: "A") && next <= UInt8(ascii: "Z") ? next | 0x20 : next
            if folded != byte { return false }
        }
        return true
    }
}
