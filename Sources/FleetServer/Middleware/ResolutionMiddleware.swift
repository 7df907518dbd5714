import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// The first thing every request meets: classifies its path (vendor, service), reads its credential,
/// resolves the sandbox that names (from the fleet's directory when it knows, else one read) and
/// stores the result in the request scope for every layer after it.
struct ResolutionMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let fleet: Fleet

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = RequestTarget.classify(path: request.normalizedPath)
        let credential = RequestCredential(request, target: target)
        // A failed lookup leaves the request unresolved; the surface answers it with its own error.
        let sandbox = try? await fleet.resolveSandbox(credential)
        context.scope.resolution = RequestResolution(target: target, credential: credential, sandbox: sandbox,
                                                     now: sandbox?.clock.now() ?? Date())
        return try await next(request, context)
    }
}
