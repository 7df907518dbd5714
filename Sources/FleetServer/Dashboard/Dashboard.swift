import FleetCore
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The dashboard at `/__fleetmock/ui`: pages rendered here, live parts refreshed by fetching HTML
/// fragments, and every change made through the control API (so whatever it does is scriptable).
struct Dashboard {
    let services: FleetServices
    let catalog: FaultCatalog

    var fleet: Fleet { services.fleet }

    /// A strict policy: only this origin's own script and stylesheet run, whatever a page contains.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        HTTPField.Name("Content-Security-Policy")!:
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    func register(on router: Router<FleetRequestContext>) {
        let ui = router.group("__fleetmock/ui")
        ui.get { _, _ in try await page { try await sandboxesPage() } }
        ui.get("assets/dashboard.css") { _, _ in asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        ui.get("assets/dashboard.js") { _, _ in asset(DashboardAssets.js, type: "text/javascript; charset=utf-8") }

        let sandbox = ui.group("sandboxes/:sandbox")
        sandbox.get { request, context in try await page { try await overviewPage(try id(context), origin: origin(request)) } }
        sandbox.get("faults") { _, context in try await page { try await faultsPage(try id(context)) } }
        sandbox.get("journal") { _, context in try await page { try await journalPage(try id(context)) } }
        sandbox.get("journal/:sequence") { _, context in
            try await page { try await journalEntryPage(try id(context), sequence: try context.parameters.require("sequence")) }
        }
        sandbox.get("webhooks") { _, context in try await page { try await webhooksPage(try id(context)) } }
        sandbox.get("vehicles/:vin") { request, context in
            try await page { try await vehiclePage(try id(context), vin: try context.parameters.require("vin"), hours: hours(request)) }
        }

        sandbox.get("fragments/clock") { _, context in try await fragment { try await clockFragment(try id(context)) } }
        sandbox.get("fragments/map") { _, context in try await fragment { try await mapFragment(try id(context)) } }
        sandbox.get("fragments/vehicles") { _, context in try await fragment { try await vehiclesFragment(try id(context)) } }
        sandbox.get("fragments/faults") { _, context in try await fragment { try await rulesFragment(try id(context)) } }
        sandbox.get("fragments/journal") { request, context in
            try await fragment { try await journalFragment(try id(context), query: request.queryItems) }
        }
        sandbox.get("fragments/deliveries") { _, context in try await fragment { try await deliveriesFragment(try id(context)) } }
        sandbox.get("vehicles/:vin/fragments/state") { _, context in
            try await fragment { try await vehicleStateFragment(try id(context), vin: try context.parameters.require("vin")) }
        }
        sandbox.get("vehicles/:vin/fragments/charts") { request, context in
            try await fragment { try await chartsFragment(try id(context), vin: try context.parameters.require("vin"), hours: hours(request)) }
        }
    }

    // MARK: - Plumbing

    private func id(_ context: FleetRequestContext) throws -> String { try context.parameters.require("sandbox") }

    private func hours(_ request: Request) -> Int {
        request.queryItems["hours"].flatMap(Int.init).map { min(max($0, 1), 24 * 30) } ?? 24
    }

    /// The origin a browser reached this server at, for the SDK snippet.
    private func origin(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        return "http://\(host)"
    }

    private func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func html(_ markup: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: Self.securityHeaders, body: ResponseBody(byteBuffer: ByteBuffer(string: markup.text)))
    }

    /// A whole page; a missing sandbox or vehicle is a page saying so (404), never a JSON body in a tab.
    private func page(_ build: () async throws -> HTML) async throws -> Response {
        do {
            return html(try await build())
        } catch let error as FleetError {
            return html(DashboardLayout.page(title: "Not found", body: errorBody(ControlError(error))), status: ControlError(error).status)
        } catch let error as ControlError {
            return html(DashboardLayout.page(title: "Error", body: errorBody(error)), status: error.status)
        }
    }

    /// A piece of a page for the script to swap in.
    private func fragment(_ build: () async throws -> HTML) async throws -> Response {
        do {
            return html(try await build())
        } catch let error as FleetError {
            return html("<p class=\"bad\">\(ControlError(error).message)</p>", status: ControlError(error).status)
        } catch let error as ControlError {
            return html("<p class=\"bad\">\(error.message)</p>", status: error.status)
        }
    }

    private func errorBody(_ error: ControlError) -> HTML {
        "<section class=\"card\"><h1>\(error.code)</h1><p>\(error.message)</p><p><a href=\"\(DashboardLayout.root)/\">All sandboxes</a></p></section>"
    }
}

/// Sends a browser that opens the server's root to the dashboard. Only a plain `GET /` that asks for
/// HTML, with no query and no credentials: Login with DIMO (`/?clientId=…`) and DIMO's agents health
/// check (`GET /` for JSON) are untouched.
struct BrowserHomeMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get, request.uri.path == "/", request.uri.query == nil, request.headers[.authorization] == nil,
           let accept = request.headers[.accept], accept.contains("text/html") {
            return Response(status: .found, headers: [.location: DashboardLayout.root + "/"])
        }
        return try await next(request, context)
    }
}
