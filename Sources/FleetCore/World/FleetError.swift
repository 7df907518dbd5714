/// Why a request about the world could not be carried out. Vendor surfaces and the control API
/// render these in their own envelopes.
public enum FleetError: Error, Sendable, Equatable {
    /// No such thing: `kind` is "sandbox", "vehicle", …
    case notFound(kind: String, id: String)
    /// A field of the request is wrong.
    case invalid(field: String, reason: String)
    /// The request conflicts with the current state (for example a sandbox id already taken).
    case conflict(String)
}

extension FleetError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "no \(kind) '\(id)'"
        case .invalid(let field, let reason): return "\(field): \(reason)"
        case .conflict(let message): return message
        }
    }
}
