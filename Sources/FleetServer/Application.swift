import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import Logging
import NIOCore
import DIMOMock
import SmartcarMock

/// Builds the whole server: the control API and both vendors' surfaces on one origin.
///
/// `onRunning` is called with the bound port once the server accepts connections.
public func buildApplication(
    _ configuration: ServerConfiguration,
    services: FleetServices,
    onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    var logger = Logger(label: "fleetmock")
    logger.logLevel = configuration.logLevel
    let router = buildRouter(services: services)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [WebhookService(services: services, logger: logger),
                   SimulationTicker(fleet: services.fleet, interval: configuration.simulationTick, logger: logger),
                   SandboxExpiry(services: services, idleLimit: configuration.sandboxIdleExpiry, logger: logger)],
        onServerRunning: { channel in
            await onRunning(channel.localAddress?.port ?? configuration.port)
            Task { await services.completeBootstrap() }
        },
        logger: logger
    )
}

/// The router alone, for in-process tests.
///
/// Hummingbird matches the route before any middleware runs, so every layer below can read the
/// route template (`context.endpointPath`). Outermost first: resolution (vendor, service,
/// credential, sandbox: once per request), the browser landing, the journal and the error renderer
/// (which asks the addressed vendor for its not-found body). Vendor routes then run behind the
/// fault engine and the simulation catch-up; the control API and the dashboard do not.
public func buildRouter(services: FleetServices) -> Router<FleetRequestContext> {
    let router = Router(context: FleetRequestContext.self)
    let smartcar = SmartcarRoutes(fleet: services.fleet)
    let dimo = services.dimo
    router.add(middleware: ResolutionMiddleware(fleet: services.fleet))
    router.add(middleware: BrowserHomeMiddleware())
    router.add(middleware: JournalMiddleware(services: services))
    router.add(middleware: ErrorMiddleware(notFound: { request, context in
        switch context.target?.vendor {
        case .smartcar: smartcar.notFound(request, context: context)
        case .dimo: dimo.notFound(request, context: context)
        case .fleetmock, nil: nil
        }
    }))
    let catalog = FaultCatalog()
    let vendors = router.group()
        .add(middleware: FaultMiddleware(services: services, catalog: catalog))
        .add(middleware: SimulationMiddleware(fleet: services.fleet))
    smartcar.addRoutes(to: vendors)
    dimo.addRoutes(to: vendors)
    ControlAPI(services: services, smartcarConnect: smartcar.connect, dimo: dimo, catalog: catalog).register(on: router)
    Dashboard(services: services, catalog: catalog).register(on: router)
    return router
}
