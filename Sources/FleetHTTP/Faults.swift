import FleetCore
import Hummingbird

/// What a vendor needs to render an injected error for one request.
public struct FaultRenderContext: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var query: [String: String]
    public var requestId: String
    public var retryAfter: Int?
    public var message: String?

    public init(method: HTTPRequest.Method, path: String, query: [String: String], requestId: String, retryAfter: Int?, message: String?) {
        self.method = method
        self.path = path
        self.query = query
        self.requestId = requestId
        self.retryAfter = retryAfter
        self.message = message
    }
}

/// A catalogue entry and how its vendor renders it: byte-for-byte the real error.
public struct RenderableFault: Sendable {
    public var entry: FaultCatalogEntry
    public var render: @Sendable (FaultRenderContext) -> Response

    public init(entry: FaultCatalogEntry, render: @escaping @Sendable (FaultRenderContext) -> Response) {
        self.entry = entry
        self.render = render
    }
}
