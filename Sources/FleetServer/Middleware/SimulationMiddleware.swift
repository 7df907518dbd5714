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
        // The resolution's record is current (the directory drops it on every sandbox write), so a
        // sandbox that is not behind costs no call into the fleet.
        if let sandbox = context.scope.resolution?.sandbox, Fleet.isBehind(sandbox) {
            try? await fleet.catchUp(sandbox.id)
        }
        return try await next(request, context)
    }
}
