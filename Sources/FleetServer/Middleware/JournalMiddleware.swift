import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import Logging

/// Records every request that reached a sandbox in that sandbox's journal.
struct JournalMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let services: FleetServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        guard let sandbox = context.scope.sandboxId else { return response }
        let elapsed = ContinuousClock.now - started
        let latency = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        guard let record = try? await services.fleet.sandboxRecord(sandbox) else { return response }
        services.journal.record(
            JournalEntry(time: record.clock.now(), requestId: context.scope.requestId ?? "", sandbox: sandbox,
                         vendor: context.scope.vendor?.rawValue ?? "fleetmock", method: request.method.rawValue,
                         path: request.uri.path, query: request.uri.query, status: response.status.code,
                         latencyMs: (latency * 1000).rounded() / 1000, fault: context.scope.fault),
            capacity: record.settings.journalSize)
        return response
    }
}

/// Turns anything thrown past the routes into a JSON error, never a framework default body.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ControlError {
            return error.response
        } catch let error as FleetError {
            return ControlError(error).response
        } catch let error as HTTPError {
            if error.status == .notFound {
                return ControlError(status: .notFound, code: "not_found", message: "no route for \(request.method.rawValue) \(request.uri.path)").response
            }
            return ControlError(status: error.status, code: "http_error", message: error.body ?? error.status.reasonPhrase).response
        } catch {
            context.logger.error("unhandled error: \(error)")
            return ControlError(status: .internalServerError, code: "internal", message: "internal error").response
        }
    }
}
