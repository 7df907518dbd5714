import FleetCore
import FleetHTTP
import Foundation
import Hummingbird
import GraphQL

/// DIMO's part of the fault catalogue, per service, each in that service's own error format.
public enum DIMOFaults {
    static func graphQLError(_ message: String, path: String, code: String?) -> Response {
        var error: [(String, JSONValue)] = [("message", .string(message)), ("path", .array([.string(path)]))]
        if let code { error.append(("extensions", .object([("code", .string(code))]))) }
        return Responses.json(.object([("errors", .array([.object(error)])), ("data", .null)]))
    }

    static let nginx503 = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

    public static var all: [RenderableFault] {
        func entry(_ id: String, _ service: String, _ status: Int, _ summary: String, _ render: @escaping @Sendable (FaultRenderContext) -> Response) -> RenderableFault {
            RenderableFault(entry: FaultCatalogEntry(id: "dimo.\(service).\(id)", vendor: "dimo", service: service, status: status, summary: summary), render: render)
        }
        let asset = "did:erc721:137:\(DIMOContracts.vehicle):1"
        return [
            entry("invalid-client", "auth", 404, "Unknown client_id: dex's HTML error page") { _ in WebAuth.htmlError(404, "Not Found", "Invalid client_id (\"0x0000000000000000000000000000000000000000\").") },
            entry("unregistered-redirect", "auth", 400, "domain is not a registered redirect URI") { c in WebAuth.htmlError(400, "Bad Request", "Unregistered redirect_uri (\"\(c.query["domain"] ?? "https://example.invalid")\").") },
            entry("invalid-address", "auth", 400, "address is not an Ethereum address") { _ in WebAuth.jsonError(400, "Invalid Ethereum address.") },
            entry("unknown-state", "auth", 400, "submit_challenge with an unknown or used state") { _ in WebAuth.jsonError(400, "Requested resource does not exist.") },
            entry("bad-signature", "auth", 400, "the signature does not recover the address") { _ in WebAuth.jsonError(400, "Could not verify signature.") },
            entry("session-expired", "auth", 400, "the challenge expired") { _ in WebAuth.jsonError(400, "User session has expired.") },
            entry("invalid-client-credentials", "auth", 401, "token step: unknown client") { _ in WebAuth.tokenError(401, "invalid_client", "Invalid client credentials.") },
            entry("missing-jwt", "token-exchange", 400, "no or malformed bearer JWT (text/plain)") { _ in TokenExchange.jwtError(missing: true) },
            entry("invalid-jwt", "token-exchange", 401, "bad signature or expired JWT (text/plain)") { _ in TokenExchange.jwtError(missing: false) },
            entry("not-a-license", "token-exchange", 403, "the JWT subject is not a developer license") { _ in TokenExchange.error(403, "not a dev license: 0x0000000000000000000000000000000000000000") },
            entry("no-permission", "token-exchange", 403, "the license lacks the privileges for the vehicle") { c in
                TokenExchange.error(403, c.message ?? "Address 0x0000000000000000000000000000000000000000 lacks permissions [1 4] for asset \(asset).")
            },
            entry("bad-body", "token-exchange", 400, "the body is not JSON") { _ in TokenExchange.error(400, "Couldn't parse request body.") },
            entry("unknown-privileges", "token-exchange", 400, "a privilege id that does not exist") { _ in TokenExchange.error(400, "unknown privileges [9]") },
            entry("sign-failure", "token-exchange", 500, "the roles-rights issuer failed to sign") { _ in TokenExchange.error(500, "Failed to sign privilege payload: rpc error: code = Unavailable desc = connection refused") },
            entry("not-found", "identity", 200, "NOT_FOUND error, data null (SDK-era schema)") { c in graphQLError(c.message ?? "No vehicle with token id 1.", path: "vehicle", code: "NOT_FOUND") },
            entry("validation", "identity", 422, "GRAPHQL_VALIDATION_FAILED") { _ in
                GraphQLEndpoint.unprocessable([.init(message: "Cannot query field \"nope\" on type \"Query\".")], code: "GRAPHQL_VALIDATION_FAILED")
            },
            entry("jwt-invalid", "telemetry", 401, "an invalid or expired vehicle JWT") { _ in Responses.json(.object([("message", "JWT is invalid.")]), status: .unauthorized) },
            entry("jwt-check-failed", "telemetry", 500, "an Authorization header that is not Bearer") { _ in
                Responses.json(.object([("message", "Something went wrong while checking the JWT.")]), status: .internalServerError)
            },
            entry("unauthorized", "telemetry", 200, "a privilege the token lacks (field nulled)") { c in
                graphQLError(c.message ?? "unauthorized: missing required privilege(s) privilege:GetLocationHistory", path: "signalsLatest", code: nil)
            },
            entry("bad-request", "telemetry", 200, "argument validation (BAD_REQUEST)") { c in
                Responses.json(.object([("errors", .array([.object([("message", .string(c.message ?? "invalid argument: from timestamp is after to timestamp")),
                                                                    ("path", .array(["signals"])),
                                                                    ("extensions", .object([("code", "BAD_REQUEST"), ("reason", "Internal Server Error")]))])])),
                                        ("data", .object([("signals", .null)]))]))
            },
            entry("complexity", "telemetry", 422, "the query exceeds complexity 100") { _ in
                GraphQLEndpoint.unprocessable([.init(message: "operation has complexity 130, which exceeds the limit of 100")], code: "COMPLEXITY_LIMIT_EXCEEDED")
            },
            entry("no-privileges", "attestation", 401, "the vehicle JWT lacks the privilege") { _ in Attestations.error(401, "Unauthorized! Token does not contain required privileges") },
            entry("invalid-token-id", "attestation", 400, "a token id that is not a number") { _ in Attestations.error(400, "invalid token_id format") },
            entry("internal", "attestation", 500, "attestation service failure") { _ in Attestations.error(500, "Internal error") },
            entry("decode-failed", "device-definitions", 500, "a VIN that cannot be decoded") { _ in DeviceDefinitions.problem(500, "Couldn't decode VIN.") },
            entry("invalid-token", "valuations", 401, "any JWT failure") { _ in VehicleServices.codeError(401, "Invalid privilege token.") },
            entry("method-not-allowed", "valuations", 405, "GET on a POST-only route") { _ in VehicleServices.codeError(405, "Method Not Allowed") },
            entry("internal", "valuations", 500, "valuation vendor failure") { _ in VehicleServices.codeError(500, "Internal error") },
            entry("unauthorized", "trips", 401, "privilege 4 missing (text/plain)") { _ in Responses.text("Unauthorized! Token does not contain required privileges", status: .unauthorized) },
            entry("not-found", "vehicle-triggers", 404, "unknown webhook") { _ in Attestations.error(404, "Webhook not found") },
            entry("not-a-license", "vehicle-triggers", 403, "the JWT is not a developer license's") { _ in Attestations.error(403, "JWT is not from a developer license") },
            entry("agent-not-found", "conversations", 404, "unknown agent id") { _ in Agents.error(404, "Agent not found") },
            entry("unauthorized", "conversations", 401, "missing, invalid or expired developer JWT") { _ in Agents.error(401, "Invalid or expired developer JWT") },
            RenderableFault(entry: FaultCatalogEntry(id: "dimo.rate-limit", vendor: "dimo", service: "any", status: 503,
                                                     summary: "ingress-nginx limit-rps rejection (503 HTML)")) { _ in Responses.html(nginx503, status: .serviceUnavailable) },
        ]
    }

    /// A DIMO-shaped body for any status, in the service's format.
    public static func status(_ status: Int, service: String, context: FaultRenderContext) -> Response {
        let message = context.message ?? HTTPResponse.Status(code: status).reasonPhrase
        switch service {
        case "auth": return WebAuth.jsonError(status, message)
        case "token-exchange", "valuations": return TokenExchange.error(status, message)
        case "device-definitions": return DeviceDefinitions.problem(status, message)
        case "trips": return Responses.text(message, status: .init(code: status))
        case "conversations": return Agents.error(status, message.isEmpty ? Agents.reasonPhrase(status) : message)
        case "identity", "telemetry", "fetch": return Responses.json(.object([("message", .string(message))]), status: .init(code: status))
        default: return Attestations.error(status, message)
        }
    }
}
