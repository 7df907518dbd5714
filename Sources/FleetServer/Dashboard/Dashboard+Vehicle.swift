import FleetCore
import Foundation

/// One vehicle: identity in both vendors, physical state, charts, edits, plan and grants.
extension Dashboard {
    func vehiclePage(_ id: String, vin: String, hours: Int) async throws -> HTML {
        let snapshot = try await fleet.vehicle(in: id, vin: vin)
        let v = snapshot.vehicle
        let base = DashboardLayout.vehicleURL(id, vin: v.vin)
        let api = "\(DashboardLayout.sandboxAPI(id))/vehicles/\(pathSegment(v.vin))"
        let now = try await fleet.clock(id).now()
        let plan: HTML
        if let current = try await fleet.plan(in: id, vin: v.vin) {
            plan = """
            <pre id="plan">\(DashboardLayout.pretty(PlanDTO.render(current, vin: v.vin, now: now)))</pre>
            <button class="danger" data-api="\(api)/plan" data-method="DELETE" data-then="reload">Back to its routine</button>
            """
        } else {
            plan = "<p class=\"muted\" id=\"plan\">Follows its daily routine (no explicit plan).</p>"
        }
        func action(_ label: String, _ body: String) -> HTML {
            "<button data-api=\"\(api)\" data-method=\"PATCH\" data-body=\"\(body)\" data-done=\"\(label): saved\">\(label)</button>"
        }
        let actions: [HTML] = [
            action("Lock", #"{"isLocked":true}"#), action("Unlock", #"{"isLocked":false}"#),
            action("Open front-left door", #"{"doors":{"frontLeft":"OPEN"}}"#), action("Close front-left door", #"{"doors":{"frontLeft":"CLOSED"}}"#),
            v.powertrain.isPlugIn ? action("Plug in", #"{"isPluggedIn":true}"#) : .empty,
            v.powertrain.isPlugIn ? action("Unplug", #"{"isPluggedIn":false,"chargeState":"NOT_CHARGING"}"#) : .empty,
        ]
        let body: HTML = """
        <h1>\(v.make) \(v.model) \(v.year) <span class="muted mono">\(v.vin)</span></h1>
        <div class="grid">
        <div>
        <section class="card"><h2>State</h2>
        <div id="vehicle-state" data-fragment="\(base)/fragments/state" data-every="2000">\(try await vehicleStateFragment(id, vin: v.vin))</div></section>
        <section class="card"><h2>Last \(hours >= 48 ? "\(hours / 24) days" : "\(hours) hours")</h2>
        <div class="row"><a class="button" href="\(base)?hours=24">day</a><a class="button" href="\(base)?hours=168">week</a></div>
        <div id="charts" data-fragment="\(base)/fragments/charts?hours=\(hours)" data-every="5000">\(try await chartsFragment(id, vin: v.vin, hours: hours))</div>
        </section>
        </div>
        <div>
        <section class="card"><h2>Identity</h2>
        \(DashboardLayout.keyValues([("VIN", "<code>\(v.vin)</code>"), ("Smartcar id", "<code id=\"smartcar-id\">\(v.smartcarId)</code>"),
                                     ("DIMO token id", "<code id=\"dimo-token-id\">\(v.dimoTokenId)</code>"),
                                     ("owner", "\(snapshot.owner.name) <code>\(snapshot.owner.email)</code>"),
                                     ("powertrain", "\(v.powertrain.rawValue)")]))
        </section>
        <section class="card"><h2>Change its state</h2>
        <div class="row">\(actions)</div>
        <h3>Park somewhere</h3>
        <form class="inline" data-api="\(api)" data-method="PATCH" id="park">
        <input type="hidden" name="ignitionOn" data-type="json" value="false"><input type="hidden" name="speedKph" data-type="number" value="0">
        <label>latitude <input name="latitude" data-type="number" size="10"></label>
        <label>longitude <input name="longitude" data-type="number" size="10"></label>
        <button type="submit">Park here</button></form>
        <h3>Any fields (JSON, metric)</h3>
        <form data-api="\(api)" data-method="PATCH" id="patch">
        <textarea name="state" data-type="json" placeholder='{"odometerKm": 12345.6, "tirePressureKPa": {"frontLeft": 180}}'></textarea>
        <button type="submit">Apply</button></form>
        </section>
        <section class="card"><h2>Plan</h2>\(plan)</section>
        <section class="card"><h2>Grants</h2><div id="grants">\(try await grantsFragment(id, vin: v.vin))</div></section>
        </div>
        </div>
        """
        return DashboardLayout.page(title: v.vin, sandbox: id, tab: nil, body: body)
    }

    func vehicleStateFragment(_ id: String, vin: String) async throws -> HTML {
        let snapshot = try await fleet.vehicle(in: id, vin: vin)
        let s = snapshot.state
        let now = try await fleet.clock(id).now()
        let asleep = try await fleet.vehicleReading(snapshot.vehicle, owner: snapshot.owner, at: now).asleep
        func corners<T>(_ c: Corners<T>, _ show: (T) -> String) -> HTML {
            "\(c.ordered.map { "\($0.name) \(show($0.value))" }.joined(separator: ", "))"
        }
        var pairs: [(String, HTML)] = [
            ("activity", CarActivity(s, asleep: asleep).pill),
            ("odometer", "<span id=\"odometer\" data-km=\"\(s.odometerKm, decimals: 3)\">\(s.odometerKm, decimals: 1) km</span>"),
            ("location", "<span id=\"location\">\(s.latitude, decimals: 5), \(s.longitude, decimals: 5)</span> heading \(s.heading, decimals: 0)°"),
            ("speed", "\(s.speedKph, decimals: 1) km/h, ignition \(s.ignitionOn ? "on" : "off")"),
            ("range", "\(s.rangeKm, decimals: 0) km"),
        ]
        if let soc = s.stateOfCharge {
            pairs.append(("battery", "\(soc * 100, decimals: 1) % (limit \(s.chargeLimit * 100, decimals: 0) %)"))
            pairs.append(("charging", "<span id=\"charging\">\(s.isPluggedIn ? "plugged in" : "unplugged"), \(s.chargeState.rawValue)</span>"))
        }
        if let fuel = s.fuelFraction { pairs.append(("fuel", "\(fuel * 100, decimals: 1) %")) }
        if let oil = s.oilLife { pairs.append(("oil life", "\(oil * 100, decimals: 0) %")) }
        pairs += [
            ("locks", "<span id=\"locks\">\(s.isLocked ? "locked" : "unlocked")</span>"),
            ("doors", "<span id=\"doors\">\(corners(s.doors) { $0.rawValue })</span>"),
            ("windows", corners(s.windows) { $0.rawValue }),
            ("trunk / hood", "\(s.trunk.rawValue) / \(s.hood.rawValue)"),
            ("tires", corners(s.tirePressureKPa) { HTML.format($0, decimals: 1) + " kPa" }),
            ("12 V battery", "\(s.lowVoltageBatteryV, decimals: 2) V"),
            ("temperatures", "cabin \(s.cabinTempC, decimals: 1) °C, outside \(s.outsideTempC, decimals: 1) °C"),
            ("trouble codes", "\((s.troubleCodes ?? []).map(\.code).joined(separator: ", ").isEmpty ? "none" : (s.troubleCodes ?? []).map(\.code).joined(separator: ", "))"),
            ("updated", "\(DashboardLayout.time(snapshot.updatedAt))"),
        ]
        return DashboardLayout.keyValues(pairs)
    }

    func chartsFragment(_ id: String, vin: String, hours: Int) async throws -> HTML {
        let history = try await VehicleHistory.load(fleet: fleet, sandbox: id, vin: vin, hours: hours, signals: nil)
        let units = ["speed": "km/h", "powertrainTransmissionTravelledDistance": "km",
                     "powertrainTractionBatteryStateOfChargeCurrent": "%", "powertrainFuelSystemRelativeLevel": "%"]
        let titles = ["speed": "Speed", "powertrainTransmissionTravelledDistance": "Odometer",
                      "powertrainTractionBatteryStateOfChargeCurrent": "Battery", "powertrainFuelSystemRelativeLevel": "Fuel"]
        let charts = history.signals.map { series -> HTML in
            LineChart(title: titles[series.name] ?? series.name, unit: units[series.name] ?? "", from: history.from, to: history.to,
                      points: series.points.map { (time: $0.time, value: $0.value) }).render()
        }
        let snapshot = try await fleet.vehicle(in: id, vin: vin)
        let track = FleetMap(cars: [FleetMap.Car(
            vin: snapshot.vehicle.vin, label: snapshot.vehicle.model, latitude: snapshot.state.latitude, longitude: snapshot.state.longitude,
            activity: CarActivity(snapshot.state, asleep: false), link: DashboardLayout.vehicleURL(id, vin: snapshot.vehicle.vin),
            track: history.track.map { (latitude: $0.latitude, longitude: $0.longitude) })]).render()
        return "<div class=\"grid even\">\(charts)</div><h3>Track</h3>\(track)"
    }

    func grantsFragment(_ id: String, vin: String) async throws -> HTML {
        let access = try await fleet.vehicleAccess(in: id, vin: vin)
        let connection: HTML = access.smartcarConnection.map { c in
            "<p>Connected \(DashboardLayout.time(c.connectedAt)) in \(c.mode.rawValue) mode: <span class=\"mono\">\(c.scopes.joined(separator: " "))</span></p>"
        } ?? "<p class=\"muted\">Not connected to the Smartcar app.</p>"
        let tokens = access.smartcarTokens.map { t -> HTML in
            "<tr><td class=\"mono\">\(t.accessTokenPrefix)…</td><td>\(t.user)</td><td>\(t.mode.rawValue)</td><td>\(DashboardLayout.time(t.accessExpiresAt))\(t.accessExpired ? " (expired)" : "")</td></tr>"
        }
        let grants = access.dimoGrants.map { g -> HTML in
            "<tr><td class=\"mono\">\(g.grantee)</td><td>\(DIMOPrivilege.ids(fromHex: g.permissions).map(String.init).joined(separator: ", "))</td><td>\(DashboardLayout.time(g.expiresAt))</td></tr>"
        }
        return """
        <h3>Smartcar</h3>\(connection)
        \(tokens.isEmpty ? HTML("<p class=\"muted\">No live token sets.</p>") : "<table><thead><tr><th>access token</th><th>user</th><th>mode</th><th>expires</th></tr></thead><tbody>\(tokens)</tbody></table>")
        <h3>DIMO</h3>
        \(grants.isEmpty ? HTML("<p class=\"muted\">No permission grants (SACDs).</p>") : "<table><thead><tr><th>grantee</th><th>privileges</th><th>expires</th></tr></thead><tbody>\(grants)</tbody></table>")
        """
    }
}
