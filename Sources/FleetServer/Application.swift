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
public func buildRouter(services: FleetServices) -> Router<FleetRequestContext> {
    let router = Router(context: FleetRequestContext.self)
    // Resolution first: every later layer reads the vendor, service, credential and sandbox it found.
    router.add(middleware: ResolutionMiddleware(fleet: services.fleet))
    // A browser opening the bare origin lands on the dashboard.
    router.add(middleware: BrowserHomeMiddleware())
    // Journal outside the rest, so it records the rendered error responses too.
    router.add(middleware: JournalMiddleware(services: services))
    router.add(middleware: ErrorMiddleware())
    let catalog = FaultCatalog()
    router.add(middleware: FaultMiddleware(services: services, catalog: catalog))
    router.add(middleware: SimulationMiddleware(fleet: services.fleet))
    let smartcar = SmartcarSurface(fleet: services.fleet)
    router.add(middleware: smartcar)
    let dimo = services.dimo
    router.add(middleware: dimo)
    ControlAPI(services: services, smartcarConnect: smartcar.connect, dimo: dimo, catalog: catalog).register(on: router)
    Dashboard(services: services, catalog: catalog).register(on: router)
    return router
}
