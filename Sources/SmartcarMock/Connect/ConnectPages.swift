import FleetCore
import FleetHTTP
import Foundation

/// The HTML of Smartcar Connect's pages, with the element ids the official SDKs' end-to-end tests use.
enum ConnectPages {
    static func escape(_ text: String) -> String { HTMLEscaping.escape(text) }

    static func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Smartcar Connect (fleetmock)</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
        h1{font-size:1.3rem} button{font-size:1rem;padding:.6rem 1rem;margin:.25rem 0;border-radius:.4rem;border:1px solid #9ca3af;background:#fff;cursor:pointer}
        button.primary{background:#2563eb;color:#fff;border-color:#2563eb} .brand-list-item{display:block;width:100%;text-align:left}
        label{display:block;margin:.5rem 0} input[type=text],input[type=email],input[type=password]{width:100%;padding:.5rem;font-size:1rem}
        .error{color:#b91c1c} .muted{color:#6b7280;font-size:.85rem} ul{padding-left:1.2rem}
        </style>
        </head>
        <body>
        \(body)
        <p class="muted">fleetmock — a local simulator of Smartcar Connect. No real account is used.</p>
        </body>
        </html>
        """
    }

    /// A make id as people write it: "BMW", "Tesla", "Volkswagen".
    static func displayMake(_ make: String) -> String {
        MakeNames.display(make)
    }

    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    static func preamble(_ session: ConnectSession) -> String {
        let next = session.make == nil ? "/connect/brands" : "/connect/login"
        let make = session.make.map { hidden("make", $0) } ?? ""
        return page("Connect your car", """
        <h1>\(escape(session.appName)) wants to connect to your car</h1>
        <p>Smartcar will share the data you allow with \(escape(session.appName)).</p>
        <form method="get" action="\(next)">
        \(hidden("session", session.id))\(make)
        <button id="continue-button" class="primary" type="submit">Continue</button>
        </form>
        <form method="get" action="/connect/exit">
        \(hidden("session", session.id))\(hidden("reason", "returned"))
        <button id="back-to-app-button" type="submit">Back to application</button>
        </form>
        """)
    }

    static func brands(_ session: ConnectSession, makes: [String]) -> String {
        let buttons = makes.map { (make: String) -> String in
            "<button id=\"\(escape(make))\" class=\"brand-list-item\" type=\"submit\" name=\"make\" value=\"\(escape(make))\">\(escape(displayMake(make)))</button>"
        }.joined(separator: "\n")
        return page("Select your brand", """
        <h1>Select your vehicle’s brand</h1>
        <form method="get" action="/connect/login">
        \(hidden("session", session.id))
        \(buttons)
        </form>
        """)
    }

    static func login(_ session: ConnectSession, make: String, error: String? = nil, email: String = "") -> String {
        let hint = session.mode == .live
            ? "Sign in with the email of one of this sandbox’s owners (any password)."
            : "Test mode: any email and password sign in. Use N-vehicles@smartcar.com for N vehicles, or TYPE.CODE@smartcar.com for an error."
        return page("Sign in", """
        <h1>Sign in to \(escape(displayMake(make)))</h1>
        \(error.map { "<p id=\"login-error\" class=\"error\">\(escape($0))</p>" } ?? "")
        <form method="post" action="/connect/login">
        \(hidden("session", session.id))\(hidden("make", make))
        <label>Email <input id="username" name="username" type="text" autocomplete="username" value="\(escape(email))"></label>
        <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
        <button id="sign-in-button" class="primary" type="submit">Sign in</button>
        </form>
        <form method="get" action="/connect/exit">
        \(hidden("session", session.id))\(hidden("reason", "oem"))
        <button id="cancel-login-button" type="submit">Cancel</button>
        </form>
        <p class="muted">\(escape(hint))</p>
        """)
    }

    static let permissionNames: [String: String] = [
        "read_vehicle_info": "Make, model and year", "read_vin": "VIN", "read_odometer": "Odometer",
        "read_location": "Location", "read_battery": "EV battery", "read_charge": "EV charging status",
        "control_charge": "Start or stop charging", "read_fuel": "Fuel tank", "read_tires": "Tire pressure",
        "read_engine_oil": "Engine oil life", "read_security": "Lock status", "control_security": "Lock and unlock",
        "control_navigation": "Send destination", "read_service_history": "Service history", "read_diagnostics": "Diagnostics",
    ]

    static func permissions(_ session: ConnectSession, vehicles: [VehicleRecord], error: String? = nil) -> String {
        let inputType = session.singleSelect ? "radio" : "checkbox"
        let items = vehicles.enumerated().map { (index: Int, v: VehicleRecord) -> String in
            let checked = session.singleSelect ? (index == 0 ? " checked" : "") : " checked"
            return "<label><input type=\"\(inputType)\" name=\"vehicle\" value=\"\(escape(v.smartcarId))\"\(checked)> \(v.year) \(escape(displayMake(v.make))) \(escape(v.model)) <span class=\"muted\">\(escape(v.vin))</span></label>"
        }.joined(separator: "\n")
        let scopes = session.scopes.map { scope -> String in
            let name = SmartcarScope.permission(of: scope)
            let required = SmartcarScope.isRequired(scope) ? " (required)" : ""
            return "<li>\(escape(permissionNames[name] ?? name))\(required)</li>"
        }.joined()
        return page("Allow access", """
        <h1>Allow \(escape(session.appName)) to access your vehicles</h1>
        \(error.map { "<p class=\"error\">\(escape($0))</p>" } ?? "")
        <form method="post" action="/connect/grant">
        \(hidden("session", session.id))
        \(items)
        <p>\(escape(session.appName)) will be able to:</p>
        <ul>\(scopes)</ul>
        <button id="approval-button" class="primary" type="submit" name="action" value="approve">Allow</button>
        <button id="deny-button" type="submit" name="action" value="deny">Deny access</button>
        </form>
        """)
    }

    static func error(_ title: String, _ message: String) -> String {
        page(title, "<h1>\(escape(title))</h1><p id=\"error-message\" class=\"error\">\(escape(message))</p>")
    }
}
