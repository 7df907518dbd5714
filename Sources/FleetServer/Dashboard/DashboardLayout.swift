import FleetCore
import Foundation

/// The page shell: navigation, the message strip the script writes control-API errors into, and the assets.
enum DashboardLayout {
    static let root = "/__fleetmock/ui"
    static let api = "/__fleetmock"

    enum Tab: String, CaseIterable {
        case overview = "Overview", faults = "Faults", journal = "Journal", webhooks = "Webhooks"

        var path: String {
            switch self {
            case .overview: ""
            case .faults: "/faults"
            case .journal: "/journal"
            case .webhooks: "/webhooks"
            }
        }
    }

    static func sandboxURL(_ id: String) -> String { "\(root)/sandboxes/\(pathSegment(id))" }
    static func sandboxAPI(_ id: String) -> String { "\(api)/sandboxes/\(pathSegment(id))" }
    static func vehicleURL(_ id: String, vin: String) -> String { "\(sandboxURL(id))/vehicles/\(pathSegment(vin))" }

    static func page(title: String, sandbox: String? = nil, tab: Tab? = nil, body: HTML) -> HTML {
        let tabs: HTML
        if let sandbox {
            tabs = HTML.join(Tab.allCases.map { item in
                let current: HTML = item == tab ? " class=\"current\" aria-current=\"page\"" : .empty
                return "<a href=\"\(sandboxURL(sandbox) + item.path)\"\(current)>\(item.rawValue)</a>"
            })
        } else {
            tabs = .empty
        }
        let sandboxLabel: HTML = sandbox.map { "<span class=\"muted\">sandbox</span> <strong id=\"sandbox-id\">\($0)</strong>" } ?? .empty
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · fleetmock</title>
        <link rel="stylesheet" href="\(root)/assets/dashboard.css">
        </head>
        <body>
        <header class="top">
        <a class="brand" href="\(root)/">fleetmock</a>
        \(sandboxLabel)
        <nav class="tabs">\(tabs)</nav>
        <a href="\(root)/">all sandboxes</a>
        </header>
        <main>
        <div id="flash" role="status" aria-live="polite"></div>
        \(body)
        </main>
        <script src="\(root)/assets/dashboard.js"></script>
        </body>
        </html>
        """
    }

    /// `2026-12-05 19:02:11Z`: seconds are enough on a page.
    static func time(_ date: Date) -> String {
        let text = Timestamp.millis(date)
        return text.count >= 19 ? String(text.prefix(19)).replacingOccurrences(of: "T", with: " ") + "Z" : text
    }

    /// A definition list of label/value pairs.
    static func keyValues(_ pairs: [(String, HTML)]) -> HTML {
        "<dl class=\"kv\">\(pairs.map { pair -> HTML in "<dt>\(pair.0)</dt><dd>\(pair.1)</dd>" })</dl>"
    }

    /// Pretty-printed JSON for a `<pre>` (escaped when interpolated).
    static func pretty(_ value: JSONValue) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: value.encoded(), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]) else {
            return String(decoding: value.encoded(), as: UTF8.self)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A body as the journal kept it, pretty-printed when it is JSON.
    static func prettyBody(_ text: String) -> String {
        guard let data = text.data(using: .utf8), let value = JSONValue.parse(data) else { return text }
        return pretty(value)
    }
}

/// How a car looks on the map and in lists.
enum CarActivity: String {
    case driving, charging, parked, asleep

    init(_ state: VehicleState, asleep: Bool) {
        if state.ignitionOn { self = .driving }
        else if state.chargeState == .charging { self = .charging }
        else if asleep { self = .asleep }
        else { self = .parked }
    }

    var pill: HTML { "<span class=\"pill \(rawValue)\">\(rawValue)</span>" }
}
