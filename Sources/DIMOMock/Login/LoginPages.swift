import FleetCore
import Foundation

/// The HTML of the Login with DIMO pages. Element ids are stable so browser tests can drive them.
enum LoginPages {
    static func escape(_ text: String) -> String {
        var out = ""
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(char)
            }
        }
        return out
    }

    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    /// A page; forms opened in a popup carry `popup=1` so the last step answers the opener instead of redirecting.
    static func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Login with DIMO (fleetmock)</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#111827}
        h1{font-size:1.3rem} button{font-size:1rem;padding:.6rem 1rem;margin:.25rem 0;border-radius:1.2rem;border:1px solid #9ca3af;background:#fff;cursor:pointer}
        button.primary{background:#000;color:#fff;border-color:#000} label{display:block;margin:.5rem 0}
        input[type=email],input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        .error{color:#b91c1c} .muted{color:#6b7280;font-size:.85rem} .vehicle-item{padding:.4rem 0;border-bottom:1px solid #e5e7eb}
        code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.2rem}
        </style>
        </head>
        <body>
        \(body)
        <p class="muted">fleetmock — a local simulator of Login with DIMO. No real account, passkey or email is used.</p>
        <script>
        if (window.opener) {
          for (const form of document.forms) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = "popup"; input.value = "1";
            form.appendChild(input);
          }
        }
        </script>
        </body>
        </html>
        """
    }

    static func email(_ session: LoginSession, error: String? = nil) -> String {
        let errorLine = error.map { "<p id=\"email-error\" class=\"error\">\(escape($0))</p>" } ?? ""
        return page("Log in", """
        <h1>Log in or sign up to continue to \(escape(session.appName))</h1>
        \(errorLine)
        <form method="post" action="/login/email">
        \(hidden("session", session.id))
        <label>Email <input id="email-input" type="email" name="email" autocomplete="email" required></label>
        <button id="email-submit" class="primary" type="submit">Continue</button>
        </form>
        """)
    }

    static func otp(_ session: LoginSession, error: String? = nil) -> String {
        let errorLine = error.map { "<p id=\"otp-error\" class=\"error\">\(escape($0))</p>" } ?? ""
        return page("Enter your code", """
        <h1>Check your email</h1>
        <p>We sent a 6-digit code to <strong id="otp-email">\(escape(session.email ?? ""))</strong>.</p>
        <p class="muted">fleetmock sends no email: your code is <code id="otp-hint">\(escape(session.otp ?? ""))</code></p>
        \(errorLine)
        <form method="post" action="/login/otp">
        \(hidden("session", session.id))
        <label>Code <input id="otp-input" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
        <button id="otp-submit" class="primary" type="submit">Verify</button>
        </form>
        """)
    }

    /// One vehicle on the vehicle manager page.
    struct OfferedVehicle {
        var tokenId: Int64
        var title: String
        var alreadyShared: Bool
    }

    static func vehicleManager(_ session: LoginSession, vehicles: [OfferedVehicle], expires: Date, error: String? = nil) -> String {
        let permissions = session.privileges.map { id in
            "<li data-privilege=\"\(id)\">\(escape(LoginPermissions.labels[id] ?? "Privilege \(id)"))</li>"
        }.joined(separator: "\n")
        let shareable = vehicles.filter { !$0.alreadyShared }
        let shared = vehicles.filter(\.alreadyShared)
        var list = shareable.map { vehicle in
            """
            <label class="vehicle-item"><input class="vehicle-checkbox" id="vehicle-\(vehicle.tokenId)" type="checkbox" name="vehicle" value="\(vehicle.tokenId)"> \(escape(vehicle.title)) <span class="muted">#\(vehicle.tokenId)</span></label>
            """
        }.joined(separator: "\n")
        if shareable.isEmpty {
            list = "<p id=\"no-vehicles\">There are no vehicles in this account that \(escape(session.appName)) can ask for.</p>"
        }
        let sharedList = shared.isEmpty ? "" : "<p>Already shared:</p><ul id=\"shared-vehicles\">" + shared.map { vehicle in
            "<li class=\"vehicle-shared\" data-token-id=\"\(vehicle.tokenId)\">\(escape(vehicle.title)) <span class=\"muted\">#\(vehicle.tokenId)</span></li>"
        }.joined() + "</ul>"
        let errorLine = error.map { "<p id=\"share-error\" class=\"error\">\($0)</p>" } ?? ""
        return page("Share your vehicles", """
        <h1>\(escape(session.appName)) wants access to your vehicles</h1>
        <p>Signed in as <strong id="signed-in-email">\(escape(session.email ?? ""))</strong></p>
        <p>It asks for:</p>
        <ul id="permissions">\(permissions)</ul>
        <p>Until <span id="expiration">\(Timestamp.seconds(expires))</span></p>
        \(errorLine)
        <form method="post" action="/login/share">
        \(hidden("session", session.id))
        \(list)
        \(sharedList)
        <button id="share-button" class="primary" type="submit" name="action" value="share"\(shareable.isEmpty ? " disabled" : "")>Share selected vehicles</button>
        <button id="cancel-button" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
        </form>
        """)
    }

    static func error(_ title: String, _ message: String) -> String {
        page(title, "<h1>\(escape(title))</h1>\n<p id=\"login-error\" class=\"error\">\(escape(message))</p>")
    }

    /// The end of a popup visit: the payload goes to the opener (at the redirect URI's origin), then the popup closes.
    static func popupResult(redirect: String, origin: String, payload: [(String, String)]) -> String {
        let fields = payload.map { "\(jsonString($0.0)): \(jsonString($0.1))" }.joined(separator: ", ")
        return page("Done", """
        <h1>Done</h1>
        <p>You can close this window. <a id="continue-link" href="\(escape(redirect))">Continue to the app</a></p>
        <script>
        if (window.opener) {
          window.opener.postMessage({eventType: "authResponse", authType: "popup", mode: "popup", \(fields)}, \(jsonString(origin)));
          window.close();
        } else {
          window.location.replace(\(jsonString(redirect)));
        }
        </script>
        """)
    }

    /// A JavaScript string literal, safe inside a script element.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
