import DIMOMock
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import NIOCore
import SmartcarMock

/// Applies faults before the vendor surfaces answer: the one-request `X-Fleetmock-Fault` header,
/// and the sandbox's fault rules (matched on vendor, service, method, path, GraphQL field, vehicle, client).
struct FaultMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let services: FleetServices
    let catalog: FaultCatalog

    struct TransportReset: Error {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let resolution = context.scope.resolution, let target = resolution.target, target.service.takesFaults else {
            return try await next(request, context)
        }
        let vendor = target.vendor.rawValue
        let service = target.service.rawValue

        if let header = request.headers[.fleetmockFault] {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let id = parts.first ?? ""
            var retryAfter: Int?
            for part in parts.dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "retry-after" { retryAfter = Int(pair[1]) }
            }
            guard catalog.faults[id] != nil else {
                let closest = Closest.ids(to: id, in: catalog.ids).joined(separator: ", ")
                return ControlError(status: .badRequest, code: "unknown_fault", message: "X-Fleetmock-Fault: no catalogue entry '\(id)'; closest: \(closest)",
                                    field: "X-Fleetmock-Fault").response
            }
            context.scope.fault = id
            let action = FaultAction(kind: id.hasPrefix("transport.") ? FaultAction.Kind(rawValue: String(id.dropFirst(10))) ?? .error : .error,
                                     catalogId: id, retryAfter: retryAfter)
            return try await apply(action, ruleId: id, request: request, context: context, vendor: vendor, service: service, next: next)
        }

        guard !services.faults.isEmpty else { return try await next(request, context) }
        var request = request
        var fields: [String] = []
        if target.service.isGraphQL, request.method == .post {
            let body = await request.collectBody() ?? Data()
            fields = FaultTarget.graphQLFields(body)
            request.body = .init(buffer: ByteBuffer(bytes: body))
        }
        guard let sandbox = try await faultSandbox(resolution, fields: fields) else { return try await next(request, context) }
        let faultRequest = FaultRequest(vendor: vendor, service: service, method: request.method.rawValue, path: request.normalizedPath,
                                        graphqlFields: fields, client: resolution.credential.smartcarClientId,
                                        route: context.routeTemplate)
        guard let rule = services.faults.decide(faultRequest, sandbox: sandbox.id, now: sandbox.clock.now()) else { return try await next(request, context) }
        context.scope.sandboxId = sandbox.id
        context.scope.fault = rule.id
        let field = rule.match.graphqlField ?? fields.first { !$0.hasPrefix("tokenId:") && $0 != "query" }
        return try await apply(rule.action, ruleId: rule.id, request: request, context: context, vendor: vendor, service: service,
                               graphqlField: field, next: next)
    }

    /// The sandbox whose rules apply: the request's own; for a GraphQL query naming a vehicle's
    /// `tokenId` and no credential, that vehicle's; for other DIMO requests naming none, `default`.
    func faultSandbox(_ resolution: RequestResolution, fields: [String]) async throws -> SandboxRecord? {
        if let sandbox = resolution.sandbox { return sandbox }
        let fleet = services.fleet
        if resolution.credential.explicitSandbox == nil, resolution.credential.dimoTokenId == nil,
           let field = fields.first(where: { $0.hasPrefix("tokenId:") }), let tokenId = Int64(field.dropFirst(8)) {
            var credential = resolution.credential
            credential.dimoTokenId = tokenId
            if let found = try await fleet.resolveSandbox(credential) { return found }
        }
        if resolution.credential.explicitSandbox == nil, resolution.vendor == .dimo { return try await fleet.sandboxRecord(Fleet.defaultSandboxId) }
        return nil
    }

    func renderContext(_ request: Request, context: Context, action: FaultAction) -> FaultRenderContext {
        let requestId = context.scope.requestId ?? {
            var rng = SystemRandomNumberGenerator()
            return Identifiers.uuid(using: &rng)
        }()
        context.scope.requestId = requestId
        return FaultRenderContext(method: request.method, path: request.normalizedPath, query: request.queryItems, requestId: requestId,
                                  retryAfter: action.retryAfter, message: action.message)
    }

    func apply(_ action: FaultAction, ruleId: String, request: Request, context: Context, vendor: String, service: String,
               graphqlField: String? = nil, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let latency = action.latencyMs, latency > 0 {
            var rng = SeededRandom(seed: UInt64(bitPattern: Int64(ruleId.hashValue)))
            let jitter = action.jitterMs.map { Int.random(in: 0...max(0, $0), using: &rng) } ?? 0
            try await Task.sleep(for: .milliseconds(latency + jitter))
        }
        let render = renderContext(request, context: context, action: action)
        switch action.kind {
        case .latency:
            return try await next(request, context)
        case .error:
            guard let id = action.catalogId, let fault = catalog.faults[id] else { return try await next(request, context) }
            if id.hasPrefix("transport."), let kind = FaultAction.Kind(rawValue: String(id.dropFirst(10))) {
                // The rule's own settings (hangSeconds, latency) carry over to the transport fault.
                var transport = action
                transport.kind = kind
                transport.catalogId = nil
                transport.latencyMs = nil
                return try await apply(transport, ruleId: ruleId, request: request, context: context, vendor: vendor, service: service, next: next)
            }
            return fault.render(render)
        case .status:
            let status = action.status ?? 500
            return vendor == "smartcar" ? SmartcarFaults.status(status, context: render) : DIMOFaults.status(status, service: service, context: render)
        case .quota:
            if vendor == "smartcar" { return SmartcarFaults.rateLimit(context: render) }
            return Responses.html(DIMOFaultsPages.rateLimited, status: .serviceUnavailable)
        case .reset:
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "64"], body: ResponseBody(contentLength: 64) { _ in
                throw TransportReset()
            })
        case .empty:
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer()))
        case .malformed:
            return Responses.text("{\"data\": {\"unterminated\": [1, 2", contentType: "application/json; charset=utf-8")
        case .truncated:
            // The real answer, its length announced in full, then the connection drops half-way.
            let real = try await next(request, context)
            let writer = CollectingWriter()
            try await real.body.write(writer)
            let collected = writer.collected
            let full = collected.readableBytes
            let prefix = collected.getSlice(at: collected.readerIndex, length: max(1, full / 2)) ?? ByteBuffer()
            var headers = real.headers
            headers[.contentLength] = String(full)
            return Response(status: real.status, headers: headers, body: ResponseBody(contentLength: full) { writer in
                try await writer.write(prefix)
                throw TransportReset()
            })
        case .dropField:
            // The real answer without one field; a body that is not JSON, or lacks the field, passes as it is.
            let real = try await next(request, context)
            let writer = CollectingWriter()
            try await real.body.write(writer)
            let collected = writer.collected
            guard let field = action.field, let json = JSONValue.parse(Data(collected.readableBytesView)),
                  let trimmed = json.removing(path: field.split(separator: ".").map(String.init))
            else {
                return Response(status: real.status, headers: real.headers, body: ResponseBody(byteBuffer: collected))
            }
            let body = ByteBuffer(bytes: trimmed.encoded())
            var headers = real.headers
            headers[.contentLength] = String(body.readableBytes)
            return Response(status: real.status, headers: headers, body: ResponseBody(byteBuffer: body))
        case .hang:
            try await Task.sleep(for: .seconds(action.hangSeconds ?? 120))
            return Response(status: .gatewayTimeout)
        case .graphqlError:
            // The named field fails; with the SDK-era non-null roots, data is null.
            let message = action.message ?? "internal system error"
            let path = graphqlField ?? (service == "telemetry" ? "signalsLatest" : "vehicle")
            return Responses.json(.object([("errors", .array([.object([("message", .string(message)), ("path", .array([.string(path)]))])])),
                                           ("data", .null)]))
        }
    }
}

/// Collects a response body (for truncation).
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    private(set) var collected = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var incoming = buffer
        collected.writeBuffer(&incoming)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

enum DIMOFaultsPages {
    static let rateLimited = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}
