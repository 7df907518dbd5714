import FleetCore
import HTTPTypes
import Foundation

/// Faults (catalogue and armed rules), the journal and webhooks.
extension Dashboard {
    func faultsPage(_ id: String) async throws -> HTML {
        _ = try await fleet.clock(id)  // a missing sandbox is a 404 page
        let base = DashboardLayout.sandboxURL(id), api = DashboardLayout.sandboxAPI(id)
        let vendors = Array(Set(catalog.entries.map(\.vendor))).sorted()
        let serviceNames = Array(Set(catalog.entries.map(\.service))).sorted()
        let rows = catalog.entries.map { entry -> HTML in
            let haystack = "\(entry.id) \(entry.vendor) \(entry.service) \(entry.status) \(entry.summary)".lowercased()
            return """
            <tr data-search="\(haystack)" data-vendor="\(entry.vendor)" data-service="\(entry.service)"><td class="mono">\(entry.id)</td><td>\(entry.vendor)</td><td>\(entry.service)</td>
            <td>\(entry.status)</td><td>\(entry.summary)</td><td><button type="button" data-use-catalog="\(entry.id)">Use</button></td></tr>
            """
        }
        let kinds = ["error", "status", "latency", "reset", "empty", "malformed", "truncated", "hang", "graphqlError", "quota", "dropField"]
        let body: HTML = """
        <h1>Faults</h1>
        <div class="grid even">
        <section class="card"><h2>Armed rules</h2>
        <div id="rules" class="scroll" data-fragment="\(base)/fragments/faults" data-every="2000">\(try await rulesFragment(id))</div>
        <button class="danger" data-api="\(api)/faults" data-method="DELETE" data-confirm="Remove every fault rule of \(id)?">Remove all</button>
        </section>
        <section class="card"><h2>Arm a rule</h2>
        <form id="add-rule" class="inline" data-api="\(api)/faults" data-done="rule armed">
        <label>catalogue id <input id="rule-catalog" name="action.catalogId" size="34" placeholder="smartcar.VEHICLE_STATE.ASLEEP"></label>
        <label>kind <select name="action.kind">\(kinds.map { kind -> HTML in "<option>\(kind)</option>" })</select></label>
        <label>status <input name="action.status" data-type="number" size="5"></label>
        <label>vendor <select name="match.vendor"><option value="">any</option><option>smartcar</option><option>dimo</option></select></label>
        <label>path <input name="match.path" placeholder="/v2.0/vehicles/*/odometer" size="28"></label>
        <label>vehicle <input name="match.vehicle" placeholder="VIN, Smartcar id or token id" size="22"></label>
        <label>times <input name="schedule.times" data-type="number" size="4"></label>
        <button class="primary" type="submit">Arm</button>
        </form>
        <p class="muted">Leave status empty for the catalogue entry's own; pick an entry below with “Use”.</p>
        </section>
        </div>
        <section class="card"><h2>Catalogue <span class="muted">(\(catalog.entries.count) entries)</span></h2>
        <div class="row"><input id="catalog-search" type="search" placeholder="search ids, services, summaries" size="40">
        <select id="catalog-vendor"><option value="">every vendor</option>\(vendors.map { vendor -> HTML in "<option>\(vendor)</option>" })</select>
        <select id="catalog-service"><option value="">every service</option>\(serviceNames.map { service -> HTML in "<option>\(service)</option>" })</select></div>
        <div class="scroll"><table id="catalog"><thead><tr><th>id</th><th>vendor</th><th>service</th><th>status</th><th>summary</th><th></th></tr></thead>
        <tbody>\(rows)</tbody></table></div>
        </section>
        """
        return DashboardLayout.page(title: "Faults · \(id)", sandbox: id, tab: .faults, body: body)
    }

    func rulesFragment(_ id: String) async throws -> HTML {
        _ = try await fleet.clock(id)
        let rules = services.faults.rules(sandbox: id)
        guard !rules.isEmpty else { return "<p class=\"muted\" id=\"no-rules\">No rules armed.</p>" }
        let api = DashboardLayout.sandboxAPI(id)
        let rows = rules.map { rule -> HTML in
            let rendered = FaultRules.render(rule)
            let remaining: String = rule.schedule.times.map { "\(max(0, $0 - rule.fired)) of \($0)" } ?? "unlimited"
            return """
            <tr data-rule="\(rule.id)"><td class="mono">\(rule.id)</td>
            <td class="mono">\(rendered["match"].map { String(decoding: $0.encoded(), as: UTF8.self) } ?? "{}")</td>
            <td class="mono">\(rendered["action"].map { String(decoding: $0.encoded(), as: UTF8.self) } ?? "{}")</td>
            <td>\(rule.matched)</td><td>\(rule.fired)</td><td>\(remaining)</td>
            <td><button class="danger" data-api="\(api)/faults/\(pathSegment(rule.id))" data-method="DELETE">Remove</button></td></tr>
            """
        }
        return """
        <table><thead><tr><th>id</th><th>match</th><th>action</th><th>matched</th><th>fired</th><th>remaining</th><th></th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """
    }

    func journalPage(_ id: String) async throws -> HTML {
        _ = try await fleet.clock(id)
        let base = DashboardLayout.sandboxURL(id)
        let body: HTML = """
        <h1>Journal</h1>
        <section class="card">
        <form class="inline" data-filter-for="journal-list" id="journal-filter">
        <label>status <input name="status" inputmode="numeric" size="5"></label>
        <label>path contains <input name="path" size="24"></label>
        <label>vendor <select name="vendor"><option value="">any</option><option>smartcar</option><option>dimo</option><option>fleetmock</option></select></label>
        </form>
        <div id="journal-list" class="scroll" data-fragment="\(base)/fragments/journal" data-every="2000">\(try await journalFragment(id, query: [:]))</div>
        </section>
        """
        return DashboardLayout.page(title: "Journal · \(id)", sandbox: id, tab: .journal, body: body)
    }

    func journalFragment(_ id: String, query: [String: String]) async throws -> HTML {
        _ = try await fleet.clock(id)
        let entries = services.journal.entries(sandbox: id, limit: 200, status: query["status"].flatMap(Int.init),
                                               pathContains: query["path"].flatMap { $0.isEmpty ? nil : $0 },
                                               vendor: query["vendor"].flatMap { $0.isEmpty ? nil : $0 })
        guard !entries.isEmpty else { return "<p class=\"muted\">No requests yet.</p>" }
        let base = DashboardLayout.sandboxURL(id)
        let rows = entries.map { entry -> HTML in
            let target = entry.path + (entry.query.map { "?" + $0 } ?? "")
            return """
            <tr data-sequence="\(entry.sequence)" data-status="\(entry.status)"><td>\(DashboardLayout.time(entry.time))</td><td>\(entry.vendor)</td>
            <td>\(entry.method)</td><td class="mono"><a href="\(base)/journal/\(entry.sequence)">\(target)</a></td>
            <td><span class="pill status\(entry.status / 100)">\(entry.status)</span></td><td>\(entry.latencyMs, decimals: 1) ms</td>
            <td class="mono">\(entry.fault ?? "")</td></tr>
            """
        }
        return """
        <table><thead><tr><th>time</th><th>vendor</th><th>method</th><th>path</th><th>status</th><th>latency</th><th>fault</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """
    }

    func journalEntryPage(_ id: String, sequence text: String) async throws -> HTML {
        _ = try await fleet.clock(id)
        guard let sequence = Int(text), let entry = services.journal.entry(sandbox: id, sequence: sequence) else {
            throw ControlError(status: .notFound, code: "journal_entry_not_found", message: "no journal entry '\(text)' in sandbox \(id)")
        }
        func headers(_ lines: [JournalHeader]) -> HTML {
            "<table class=\"headers\"><tbody>\(lines.map { line -> HTML in "<tr><td class=\"mono\">\(line.name)</td><td class=\"mono\">\(line.value)</td></tr>" })</tbody></table>"
        }
        func body(_ text: String?, bytes: Int?) -> HTML {
            guard let text else { return bytes.map { "<p class=\"muted\">\($0) bytes, not kept.</p>" } ?? "<p class=\"muted\">No body.</p>" }
            let cut: HTML = (bytes ?? 0) > JournalExchange.bodyLimit ? "<p class=\"muted\">The first \(JournalExchange.bodyLimit) of \(bytes ?? 0) bytes.</p>" : .empty
            return text.isEmpty ? "<p class=\"muted\">Empty body.</p>" : "\(cut)<pre>\(DashboardLayout.prettyBody(text))</pre>"
        }
        let exchange = entry.exchange
        let page: HTML = """
        <h1>\(entry.method) <span class="mono">\(entry.path)</span> <span class="pill status\(entry.status / 100)">\(entry.status)</span></h1>
        <section class="card">
        \(DashboardLayout.keyValues([("time", "\(DashboardLayout.time(entry.time))"), ("request id", "<code>\(entry.requestId)</code>"),
                                     ("vendor", "\(entry.vendor)"), ("query", "<code>\(entry.query ?? "")</code>"),
                                     ("latency", "\(entry.latencyMs, decimals: 2) ms"),
                                     ("fault", entry.fault.map { "<code id=\"entry-fault\">\($0)</code>" } ?? "none")]))
        </section>
        <div class="grid even">
        <section class="card"><h2>Request</h2>\(headers(exchange?.requestHeaders ?? []))
        <h3>Body</h3>\(body(exchange?.requestBody, bytes: exchange?.requestBodyBytes))</section>
        <section class="card"><h2>Response</h2>\(headers(exchange?.responseHeaders ?? []))
        <h3>Body</h3><div id="response-body">\(body(exchange?.responseBody, bytes: exchange?.responseBodyBytes))</div></section>
        </div>
        """
        return DashboardLayout.page(title: "\(entry.method) \(entry.path)", sandbox: id, tab: .journal, body: page)
    }

    func webhooksPage(_ id: String) async throws -> HTML {
        let world = try await fleet.world(id)
        let api = DashboardLayout.sandboxAPI(id), base = DashboardLayout.sandboxURL(id)
        let receiver: HTML
        if let endpoint = try await SmartcarWebhookStore(fleet: fleet).endpoint(sandboxId: id) {
            receiver = """
            \(DashboardLayout.keyValues([("id", "<code>\(endpoint.webhookId)</code>"), ("name", "\(endpoint.name)"), ("url", "<code>\(endpoint.url)</code>"),
                                         ("verified", "\(endpoint.verified ? "yes" : "no: it gets no events")"),
                                         ("created", "\(DashboardLayout.time(endpoint.createdAt))")]))
            <button class="danger" data-api="\(api)/smartcar/webhooks" data-method="DELETE" data-then="reload">Remove</button>
            """
        } else {
            receiver = "<p class=\"muted\">No receiver registered.</p>"
        }
        let triggers = try await VehicleTriggerStore(fleet: fleet).webhooks(sandboxId: id, clientId: world.dimoLicense.clientId)
        let triggerRows = triggers.map { t -> HTML in
            "<tr><td class=\"mono\">\(t.displayName)</td><td>\(t.service)</td><td class=\"mono\">\(t.metricName)</td><td class=\"mono\">\(t.condition)</td><td class=\"mono\">\(t.targetURL)</td><td>\(t.status)</td><td>\(Int(t.failureCount))</td></tr>"
        }
        let body: HTML = """
        <h1>Webhooks</h1>
        <div class="grid even">
        <section class="card"><h2>Smartcar receiver</h2>\(receiver)
        <form class="inline" data-api="\(api)/smartcar/webhooks" data-then="reload" id="register-webhook">
        <label>url <input name="url" size="34" placeholder="http://127.0.0.1:9000/webhooks"></label><label>name <input name="name"></label>
        <button type="submit">Register and verify</button></form></section>
        <section class="card"><h2>DIMO vehicle triggers</h2>
        \(triggerRows.isEmpty ? HTML("<p class=\"muted\">None registered (DIMO's <code>POST /v1/webhooks</code>).</p>") : "<div class=\"scroll\"><table><thead><tr><th>name</th><th>service</th><th>metric</th><th>condition</th><th>target</th><th>status</th><th>failures</th></tr></thead><tbody>\(triggerRows)</tbody></table></div>")
        </section>
        </div>
        <section class="card"><h2>Deliveries</h2>
        <div id="deliveries" class="scroll" data-fragment="\(base)/fragments/deliveries" data-every="3000">\(try await deliveriesFragment(id))</div></section>
        """
        return DashboardLayout.page(title: "Webhooks · \(id)", sandbox: id, tab: .webhooks, body: body)
    }

    func deliveriesFragment(_ id: String) async throws -> HTML {
        _ = try await fleet.clock(id)
        let attempts = services.webhookLog.attempts(sandbox: id, limit: 200)
        guard !attempts.isEmpty else { return "<p class=\"muted\">No deliveries yet.</p>" }
        let rows = attempts.map { a -> HTML in
            let status: HTML = a.status.map { "<span class=\"pill status\($0 / 100)\">\($0)</span>" } ?? "<span class=\"bad\">no answer</span>"
            return "<tr><td>\(DashboardLayout.time(a.time))</td><td>\(a.vendor)</td><td>\(a.eventType)</td><td class=\"mono\">\(a.url)</td><td>\(a.attempt)</td><td>\(status)</td><td class=\"bad\">\(a.error ?? "")</td><td>\(a.durationMs, decimals: 1) ms</td></tr>"
        }
        return "<table><thead><tr><th>time</th><th>vendor</th><th>event</th><th>url</th><th>attempt</th><th>status</th><th>error</th><th>duration</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}
