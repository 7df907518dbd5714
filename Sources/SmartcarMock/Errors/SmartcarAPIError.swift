import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Which Smartcar API generation a request spoke, and so which error envelope it gets.
public enum SmartcarAPIVersion: Sendable, Equatable {
    /// `/v1.0`: `{"error","message","code","statusCode","requestId"}`.
    case v1
    /// `/v2.0` and any later numeric version: the typed envelope.
    case v2
}

/// An error of the vehicle API, rendered in the envelope of the version the client used.
public struct SmartcarAPIError: Error, Sendable {
    public var definition: SmartcarErrorDefinition
    /// Replaces the catalogue description when set.
    public var description: String?
    /// The `detail` array of validation errors.
    public var detail: JSONValue?
    /// Seconds for `Retry-After` on rate-limit errors.
    public var retryAfter: Int?
    /// A status forced on the error (an injected `status` fault): the HTTP status and the body's
    /// `statusCode` both take it, in either envelope.
    public var forcedStatus: Int?

    public init(_ definition: SmartcarErrorDefinition, description: String? = nil, detail: JSONValue? = nil, retryAfter: Int? = nil) {
        self.definition = definition
        self.description = description
        self.detail = detail
        self.retryAfter = retryAfter
    }

    /// The catalogue entry for `type`/`code`.
    public static func of(_ type: String, _ code: String? = nil, description: String? = nil, detail: JSONValue? = nil, retryAfter: Int? = nil) -> SmartcarAPIError {
        let definition = SmartcarErrorDefinition.catalogue.first { $0.type == type && $0.code == code }
            ?? SmartcarErrorDefinition.catalogue.first { $0.type == type }
            ?? SmartcarErrorDefinition(type: type, code: code, status: 500, description: "Unexpected server error.",
                                       docURL: "https://smartcar.com/docs/errors/api-errors/server-errors#internal",
                                       resolutionType: "RETRY_LATER", resolutionURL: nil, suggestedUserMessage: nil)
        var resolved = definition
        resolved.code = code ?? definition.code
        return SmartcarAPIError(resolved, description: description, detail: detail, retryAfter: retryAfter)
    }

    public static let authentication = of("AUTHENTICATION")
    public static let permission = of("PERMISSION")

    public static func validation(_ message: String? = nil, field: String? = nil) -> SmartcarAPIError {
        var detail: JSONValue?
        if let field, let message {
            detail = .array([.object([("field", .array([.string(field)])), ("message", .string(message))])])
        }
        return of("VALIDATION", nil, detail: detail)
    }

    public var status: Int { forcedStatus ?? definition.status }

    /// The v2.0 body, keys in the live order: statusCode, type, code, description, docURL, resolution, …
    public func v2Body(requestId: String) -> JSONValue {
        var resolution: [(String, JSONValue)] = [("type", .string(definition.resolutionType))]
        if let url = definition.resolutionURL { resolution.append(("url", .string(url))) }
        var pairs: [(String, JSONValue)] = [
            ("statusCode", .integer(Int64(status))),
            ("type", .string(definition.type)),
            ("code", .string(definition.code)),
            ("description", .string(description ?? definition.description)),
            ("docURL", .string(definition.docURL)),
            ("resolution", .object(resolution)),
        ]
        if let message = definition.suggestedUserMessage { pairs.append(("suggestedUserMessage", .string(message))) }
        if let detail { pairs.append(("detail", detail)) }
        pairs.append(("requestId", .string(requestId)))
        return .object(pairs)
    }

    /// The v1.0 body: the error name the v1 SDKs map from the status, with VS_/VOA_ codes.
    public func v1Body(requestId: String) -> JSONValue {
        let (name, message, code) = v1Parts
        return .object([
            ("error", .string(name)),
            ("message", .string(message)),
            ("code", .string(code)),
            ("statusCode", .integer(Int64(v1Status))),
            ("requestId", .string(requestId)),
        ])
    }

    /// v1 had no 502; upstream failures surfaced as 500 server errors.
    public var v1Status: Int { forcedStatus ?? (definition.status == 502 ? 500 : definition.status) }

    var v1Parts: (String, String, String?) {
        switch definition.type {
        case "VALIDATION": return ("validation_error", description ?? "Invalid or missing request parameters", nil)
        case "AUTHENTICATION": return ("authentication_error", "Invalid or expired token provided.", nil)
        case "PERMISSION": return ("permission_error", "Insufficient permissions to access requested resource.", nil)
        case "RESOURCE_NOT_FOUND": return ("resource_not_found_error", "The requested resource was not found", nil)
        case "RATE_LIMIT": return ("rate_limiting_error", "The application has sent too many requests and cannot be served due to the application's rate limit being exhausted", nil)
        case "BILLING": return ("monthly_limit_exceeded", "The application has exceeded its monthly limit. Please upgrade the billing plan on the account dashboard", nil)
        case "COMPATIBILITY":
            if definition.code == "SMARTCAR_NOT_CAPABLE" { return ("smartcar_not_capable_error", "Smartcar is not capable of performing request.", nil) }
            return ("vehicle_not_capable_error", "Vehicle is not capable of performing request.", nil)
        case "CONNECTED_SERVICES_ACCOUNT":
            if definition.code == "SUBSCRIPTION" {
                return ("vehicle_owner_action_required", "Connected services subscription invalid or expired. Please prompt the vehicle owner to reactivate their subscription.", "VOA_001")
            }
            return ("vehicle_owner_action_required", "Vehicle authentication failed. Please prompt the vehicle owner to log in again using Connect.", "VOA_000")
        case "VEHICLE_STATE":
            switch definition.code {
            case "DOOR_OPEN": return ("vehicle_state_error", "Some of the vehicle's doors are open.", "VS_001")
            case "TRUNK_OPEN": return ("vehicle_state_error", "Some of the vehicle's trunks are open.", "VS_002")
            case "HOOD_OPEN": return ("vehicle_state_error", "The vehicle's hood is open.", "VS_003")
            default: return ("vehicle_state_error", "Vehicle state cannot be determined.", "VS_000")
            }
        default: return ("server_error", "Unexpected server error", nil)
        }
    }

    /// The response in the given version's envelope.
    public func response(version: SmartcarAPIVersion, requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.scRequestId] = requestId
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        switch version {
        case .v1:
            let status = HTTPResponse.Status(code: v1Status)
            return Responses.json(v1Body(requestId: requestId), status: status, headers: headers)
        case .v2:
            return Responses.json(v2Body(requestId: requestId), status: HTTPResponse.Status(code: status), headers: headers)
        }
    }
}

/// An OAuth error of the token endpoint: `{"error","error_description"}`.
public struct SmartcarOAuthError: Error, Sendable {
    public var status: Int
    public var error: String
    public var errorDescription: String

    public init(status: Int = 400, error: String, description: String) {
        self.status = status
        self.error = error
        errorDescription = description
    }

    /// The token endpoint called with another method than POST.
    static let postOnly = SmartcarOAuthError(status: 405, error: "invalid_request", description: "The token endpoint accepts POST only.")

    public func response(requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.scRequestId] = requestId
        headers[.cacheControl] = "no-store"
        return Responses.json(.object([("error", .string(error)), ("error_description", .string(errorDescription))]),
                              status: HTTPResponse.Status(code: status), headers: headers)
    }
}
