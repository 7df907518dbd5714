import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Before a request reaches a sandbox, plays that sandbox's fleet up to its clock's now (so cars
/// drive and charge at real-time speed without a background task). Nothing to do, and no read, when
/// the sandbox was simulated less than a minute of its time ago.
struct SimulationMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let fleet: Fleet

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let sandbox = context.scope.resolution?.sandbox {
            try? await fleet.catchUp(sandbox.id)
        }
        return try await next(request, context)
    }
}
