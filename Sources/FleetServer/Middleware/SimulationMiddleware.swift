import DIMOMock
import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Before a request reaches a sandbox, plays that sandbox's fleet up to its clock's now
/// (so cars drive and charge at real-time speed without a background task).
struct SimulationMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let services: FleetServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let sandbox = try? await sandbox(for: request) {
            try? await services.fleet.catchUp(sandbox)
        }
        return try await next(request, context)
    }

    func sandbox(for request: Request) async throws -> String? {
        let path = request.normalizedPath
        let parts = path.split(separator: "/").map(String.init)
        if parts.count >= 3, parts[0] == "__fleetmock", parts[1] == "sandboxes" { return parts[2] }
        if parts.first == "__fleetmock" { return nil }
        if let explicit = request.headers[.fleetmockSandbox] { return explicit }
        let (prefixed, _) = DIMOSurface.sandboxPrefix(path)
        if let prefixed { return prefixed }
        var bearer: String?
        var tokenId: Int64?
        var audience: String?
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            bearer = token
            let pieces = token.split(separator: ".")
            if pieces.count == 3, let payload = Base64URL.decode(String(pieces[1])), let claims = JSONValue.parse(payload) {
                tokenId = claims["token_id"]?.stringValue.flatMap { Int64($0) }
                audience = claims["aud"]?.stringValue
            }
        }
        let client = request.queryItems["client_id"]
        return try await SandboxLookup(fleet: services.fleet).sandbox(bearer: bearer, smartcarClientId: client, dimoClientId: audience ?? client, dimoTokenId: tokenId)
    }
}
