/// Escaping for text placed in HTML, shared by every page fleetmock serves (Connect, Login with DIMO, the dashboard).
public enum HTMLEscaping {
    /// Escapes the five characters that matter in text and in quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
