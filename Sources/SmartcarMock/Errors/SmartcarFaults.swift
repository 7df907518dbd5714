import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// Smartcar's part of the fault catalogue: every v2.0 type/code, the v1.0 statuses the v1 SDKs map
/// to exceptions, the OAuth token errors and the Connect redirect errors.
public enum SmartcarFaults {
    static func version(_ path: String) -> SmartcarAPIVersion {
        path.hasPrefix("/v1.") ? .v1 : .v2
    }

    static let v1Statuses: [(Int, String)] = [
        (400, "ValidationException"), (401, "AuthenticationException"), (403, "PermissionException"), (404, "ResourceNotFoundException"),
        (409, "StateException"), (429, "RateLimitingException"), (430, "MonthlyLimitExceeded"), (500, "ServerException"),
        (501, "NotCapableException"), (504, "GatewayTimeoutException"),
    ]

    public static var all: [RenderableFault] {
        var out: [RenderableFault] = []
        for definition in SmartcarErrorDefinition.catalogue {
            let id = "smartcar." + definition.type + (definition.code.map { ".\($0)" } ?? "")
            let service = definition.type == "RATE_LIMIT" || definition.type == "AUTHENTICATION" || definition.type == "VALIDATION" ? "api" : "api"
            out.append(RenderableFault(entry: FaultCatalogEntry(id: id, vendor: "smartcar", service: service, status: definition.status,
                                                              summary: definition.description)) { context in
                var error = SmartcarAPIError(definition)
                error.retryAfter = context.retryAfter ?? (definition.type == "RATE_LIMIT" ? 30 : nil)
                return error.response(version: version(context.path), requestId: context.requestId)
            })
        }
        for (status, exception) in v1Statuses {
            out.append(RenderableFault(entry: FaultCatalogEntry(id: "smartcar.v1.\(status)", vendor: "smartcar", service: "api", status: status,
                                                              summary: "API v1.0 error that smartcar 3.x raises as \(exception)")) { context in
                var headers = HTTPFields()
                headers[.scRequestId] = context.requestId
                if let retry = context.retryAfter { headers[.retryAfter] = String(retry) }
                if status == 504 {
                    // The load balancer's page, not JSON: the v1 SDKs show the raw text.
                    return Responses.html("<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n",
                                          status: .gatewayTimeout, headers: headers)
                }
                let definition = SmartcarErrorDefinition.catalogue.first { $0.status == status } ?? SmartcarErrorDefinition.catalogue[0]
                let error = SmartcarAPIError(definition)
                return Responses.json(error.v1Body(requestId: context.requestId), status: .init(code: status), headers: headers)
            })
        }
        let oauth: [(String, Int, String)] = [
            ("invalid_grant", 400, "Invalid code: THIS_SHOULD_NOT_WORK."),
            ("invalid_client", 401, "Invalid client credentials."),
            ("invalid_request", 400, "Missing required parameter: code."),
            ("unsupported_grant_type", 400, "Unsupported grant type: password."),
            ("unauthorized_client", 400, "Application not authorized to requested make(s): SEAT"),
            ("server_error", 500, "Unexpected server error. Please try again."),
        ]
        for (code, status, description) in oauth {
            out.append(RenderableFault(entry: FaultCatalogEntry(id: "smartcar.oauth.\(code)", vendor: "smartcar", service: "oauth", status: status,
                                                              summary: description)) { context in
                SmartcarOAuthError(status: status, error: code, description: context.message ?? description).response(requestId: context.requestId)
            })
        }
        for error in ConnectError.allCases {
            out.append(RenderableFault(entry: FaultCatalogEntry(id: "smartcar.connect.\(error.rawValue)", vendor: "smartcar", service: "connect",
                                                              status: 302, summary: error.description)) { context in
                guard let redirect = context.query["redirect_uri"], !redirect.isEmpty else {
                    return Responses.html(ConnectPages.error("Connect cannot start", "The redirect_uri parameter is missing."), status: .badRequest)
                }
                return Responses.redirect(to: RedirectURL.build(redirect, [("error", error.rawValue), ("error_description", error.description),
                                                                            ("state", context.query["state"])]))
            })
        }
        return out
    }

    /// A Smartcar body for any status (the catalogue's first error with that status, else SERVER.INTERNAL),
    /// whose `statusCode` is that status in both envelopes.
    public static func status(_ status: Int, context: FaultRenderContext) -> Response {
        let definition = SmartcarErrorDefinition.catalogue.first { $0.status == status }
        var error = definition.map { SmartcarAPIError($0) } ?? SmartcarAPIError.of("SERVER", "INTERNAL")
        error.retryAfter = context.retryAfter
        error.forcedStatus = status
        if let message = context.message { error.description = message }
        return error.response(version: version(context.path), requestId: context.requestId)
    }

    /// The vendor's own rate-limit error, for quota faults.
    public static func rateLimit(context: FaultRenderContext) -> Response {
        SmartcarAPIError.of("RATE_LIMIT", "SMARTCAR_API", retryAfter: context.retryAfter ?? 30)
            .response(version: version(context.path), requestId: context.requestId)
    }
}
