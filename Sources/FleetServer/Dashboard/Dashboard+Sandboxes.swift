import FleetCore
import Foundation

/// The sandboxes list, a sandbox's overview (map, vehicles, clock, credentials) and their live fragments.
extension Dashboard {
    func sandboxesPage() async throws -> HTML {
        let sandboxes = try await fleet.sandboxes()
        let rows = sandboxes.map { record -> HTML in
            let api = DashboardLayout.sandboxAPI(record.id)
            return """
            <tr data-sandbox="\(record.id)"><td><a href="\(DashboardLayout.sandboxURL(record.id))">\(record.id)</a></td>
            <td>\(record.fixtures ?? "generated")</td><td class="mono">\(record.seed)</td><td>\(DashboardLayout.time(record.createdAt))</td>
            <td class="row"><button data-api="\(api)/reset" data-confirm="Reset sandbox \(record.id) to its seed and start clock?" data-done="reset">Reset</button>
            <button class="danger" data-api="\(api)" data-method="DELETE" data-confirm="Delete sandbox \(record.id) and everything in it?" data-then="reload">Delete</button></td></tr>
            """
        }
        let body: HTML = """
        <h1>Sandboxes</h1>
        <div class="grid">
        <section class="card"><h2>All sandboxes</h2><div class="scroll"><table id="sandboxes">
        <thead><tr><th>id</th><th>fixtures</th><th>seed</th><th>created</th><th></th></tr></thead>
        <tbody>\(rows)</tbody></table></div></section>
        <section class="card"><h2>New sandbox</h2>
        <form id="create-sandbox" class="inline" data-api="\(DashboardLayout.api)/sandboxes" data-go="\(DashboardLayout.root)/sandboxes/{id}">
        <label>fixtures <input name="fixtures" placeholder="default"></label>
        <label>seed <input name="seed" data-type="number" inputmode="numeric" size="8"></label>
        <label>vehicles <input name="vehicles" data-type="number" inputmode="numeric" size="5" placeholder="from fixtures"></label>
        <label>history days <input name="historyDays" data-type="number" inputmode="numeric" size="5" placeholder="30"></label>
        <label>clock starts at <input name="clock.now" placeholder="2026-06-01T08:00:00Z"></label>
        <label>frozen <input type="checkbox" name="clock.frozen"></label>
        <button class="primary" type="submit">Create</button>
        </form>
        <p class="muted">Leave fixtures empty and give a vehicle count to generate a fleet from the seed. Same seed and start clock, same fleet.</p>
        </section>
        </div>
        """
        return DashboardLayout.page(title: "Sandboxes", body: body)
    }

    func overviewPage(_ id: String, origin: String) async throws -> HTML {
        let world = try await fleet.world(id)
        let base = DashboardLayout.sandboxURL(id), api = DashboardLayout.sandboxAPI(id)
        let app = world.smartcarApp, license = world.dimoLicense
        func secret(_ label: String, _ elementId: String, _ value: String) -> (String, HTML) {
            (label, "<span class=\"row\"><code id=\"\(elementId)\">\(value)</code><button type=\"button\" data-copy=\"\(elementId)\">Copy</button></span>")
        }
        let snippet = SDKSetupSnippet.text(
            origin: origin, smartcarClientId: app.clientId, smartcarClientSecret: app.clientSecret,
            smartcarRedirectUri: app.redirectUris.first ?? "", smartcarManagementToken: app.managementToken,
            dimoClientId: license.clientId, dimoDomain: license.redirectUris.first ?? "", dimoPrivateKey: license.signerPrivateKey)
        let clockButtons: [(String, String)] = [("+1 hour", #"{"advance":"1h"}"#), ("+1 day", #"{"advance":"1d"}"#),
                                                ("Freeze", #"{"freeze":true}"#), ("Run", #"{"freeze":false}"#), ("×60", #"{"scale":60}"#)]
        let body: HTML = """
        <h1>Sandbox \(id)</h1>
        <div class="grid">
        <div>
        <section class="card"><h2>Fleet map</h2>
        <div id="map" data-fragment="\(base)/fragments/map" data-every="2000">\(try await mapFragment(id))</div>
        \(FleetMap.legend)</section>
        <section class="card"><h2>Vehicles</h2>
        <div id="vehicles" class="scroll" data-fragment="\(base)/fragments/vehicles" data-every="3000">\(try await vehiclesFragment(id))</div></section>
        </div>
        <div>
        <section class="card clock"><h2>Clock</h2>
        <div id="clock" data-fragment="\(base)/fragments/clock" data-every="2000">\(try await clockFragment(id))</div>
        <div class="row">\(clockButtons.map { label, body -> HTML in "<button data-api=\"\(api)/clock\" data-body=\"\(body)\">\(label)</button>" })</div>
        <form class="inline" data-api="\(api)/clock" id="clock-set"><label>set to <input name="set" placeholder="RFC 3339"></label><button type="submit">Set</button></form>
        <p class="muted">Time only moves forward; to start earlier, create a sandbox with a start clock or reset this one.</p>
        </section>
        <section class="card"><h2>Sandbox</h2>
        \(DashboardLayout.keyValues([("fixtures", "\(world.sandbox.fixtures ?? "generated")"), ("seed", "\(world.sandbox.seed)"),
                                     ("created", "\(DashboardLayout.time(world.sandbox.createdAt))"),
                                     ("journal size", "\(world.sandbox.settings.journalSize)"),
                                     ("rate limits", "\(world.sandbox.settings.rateLimits ? "on" : "off")")]))
        <div class="row"><button data-api="\(api)/reset" data-confirm="Reset sandbox \(id) to its seed and start clock?" data-then="reload">Reset</button>
        <button class="danger" data-api="\(api)" data-method="DELETE" data-confirm="Delete sandbox \(id)?" data-go="\(DashboardLayout.root)/">Delete</button></div>
        </section>
        <section class="card"><h2>Credentials</h2>
        <h3>Smartcar</h3>
        \(DashboardLayout.keyValues([secret("client id", "sc-client-id", app.clientId), secret("client secret", "sc-client-secret", app.clientSecret),
                                     secret("redirect URI", "sc-redirect", app.redirectUris.first ?? ""),
                                     secret("management token", "sc-management", app.managementToken)]))
        <h3>DIMO</h3>
        \(DashboardLayout.keyValues([secret("client id", "dimo-client-id", license.clientId), secret("domain", "dimo-domain", license.redirectUris.first ?? ""),
                                     secret("private key", "dimo-key", license.signerPrivateKey), ("license token", "\(license.tokenId)")]))
        <h3>Users</h3>
        <ul>\(world.owners.map { owner -> HTML in "<li>\(owner.name) <code>\(owner.email)</code></li>" })</ul>
        <h3>SDK setup <button type="button" data-copy="env-snippet">Copy</button></h3>
        <pre id="env-snippet">\(snippet)</pre>
        <p class="muted">The same as <code>fleetmock env --sandbox \(id)</code>.</p>
        </section>
        </div>
        </div>
        """
        return DashboardLayout.page(title: "Sandbox \(id)", sandbox: id, tab: .overview, body: body)
    }

    func clockFragment(_ id: String) async throws -> HTML {
        let clock = try await fleet.clock(id)
        let mode = clock.isFrozen ? "frozen" : (clock.scale == 1 ? "running in real time" : "running at ×\(HTML.format(clock.scale, decimals: clock.scale == clock.scale.rounded() ? 0 : 2))")
        return """
        <div class="now" id="clock-now" data-now="\(Timestamp.millis(clock.now()))">\(DashboardLayout.time(clock.now()))</div>
        <div class="muted" id="clock-mode">\(mode)</div>
        """
    }

    /// Every car with its last six hours of track.
    func mapFragment(_ id: String) async throws -> HTML {
        let snapshots = try await fleet.vehicles(in: id)
        let now = try await fleet.clock(id).now()
        var cars: [FleetMap.Car] = []
        for snapshot in snapshots {
            guard let vehicleId = snapshot.vehicle.id else { continue }
            let track = try await fleet.samples(vehicleId: vehicleId, name: "currentLocationCoordinates", from: now.addingTimeInterval(-6 * 3600), to: now)
                .compactMap { sample in sample.latitude.flatMap { lat in sample.longitude.map { (latitude: lat, longitude: $0) } } }
            let asleep = try await fleet.vehicleReading(snapshot.vehicle, owner: snapshot.owner, at: now).asleep
            cars.append(FleetMap.Car(vin: snapshot.vehicle.vin, label: "\(snapshot.vehicle.make) \(snapshot.vehicle.model)",
                                     latitude: snapshot.state.latitude, longitude: snapshot.state.longitude,
                                     activity: CarActivity(snapshot.state, asleep: asleep),
                                     link: DashboardLayout.vehicleURL(id, vin: snapshot.vehicle.vin),
                                     track: VehicleHistory.thinned(track) + [(latitude: snapshot.state.latitude, longitude: snapshot.state.longitude)]))
        }
        return FleetMap(cars: cars).render()
    }

    func vehiclesFragment(_ id: String) async throws -> HTML {
        let snapshots = try await fleet.vehicles(in: id)
        let now = try await fleet.clock(id).now()
        var rows: [HTML] = []
        for snapshot in snapshots {
            let v = snapshot.vehicle, s = snapshot.state
            let asleep = try await fleet.vehicleReading(v, owner: snapshot.owner, at: now).asleep
            let energy: HTML = s.stateOfCharge.map { "\($0 * 100, decimals: 0) %" } ?? .empty
            let fuel: HTML = s.fuelFraction.map { "fuel \($0 * 100, decimals: 0) %" } ?? .empty
            rows.append("""
            <tr data-vin="\(v.vin)"><td><a href="\(DashboardLayout.vehicleURL(id, vin: v.vin))" class="mono">\(v.vin)</a></td>
            <td>\(v.make) \(v.model) \(v.year)</td><td>\(v.powertrain.rawValue)</td><td>\(CarActivity(s, asleep: asleep).pill)</td>
            <td>\(s.odometerKm, decimals: 1) km</td><td>\(energy) \(fuel)</td><td>\(s.isLocked ? "locked" : "unlocked")</td>
            <td>\(snapshot.owner.email)</td></tr>
            """)
        }
        return """
        <table><thead><tr><th>VIN</th><th>vehicle</th><th>powertrain</th><th>state</th><th>odometer</th><th>energy</th><th>locks</th><th>owner</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """
    }
}
