import FleetCore
import FleetHTTP
import Hummingbird

/// The control API's error: `{"error": {"code", "message", "field"?}}` with a 4xx status.
struct ControlError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?

    init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    init(_ error: FleetError) {
        switch error {
        case .notFound(let kind, let id):
            self.init(status: .notFound, code: "\(kind)_not_found", message: "no \(kind) '\(id)'")
        case .invalid(let field, let reason):
            self.init(status: .badRequest, code: "invalid_field", message: "\(field): \(reason)", field: field)
        case .conflict(let message):
            self.init(status: .conflict, code: "conflict", message: message)
        }
    }

    static func invalid(_ field: String, _ reason: String) -> ControlError {
        ControlError(status: .badRequest, code: "invalid_field", message: "\(field): \(reason)", field: field)
    }

    var response: Response {
        var body: [(String, JSONValue)] = [("code", .string(code)), ("message", .string(message))]
        if let field { body.append(("field", .string(field))) }
        return Responses.json(.object([("error", .object(body))]), status: status)
    }
}
