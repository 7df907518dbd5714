import FleetCore
import FleetHTTP
import Foundation
import Hummingbird

/// `POST /oauth/token`: the authorization-code and refresh-token grants.
struct TokenEndpoint: Sendable {
    let access: SmartcarAccess

    func handle(_ request: Request, body: Data, scope: RequestScope, requestId: String) async -> Response {
        do {
            let token = try await exchange(request, body: body, scope: scope)
            var headers = HTTPFields()
            headers[.scRequestId] = requestId
            headers[.cacheControl] = "no-store"
            headers[.pragma] = "no-cache"
            return Responses.json(.object([
                ("access_token", .string(token.accessToken)),
                ("token_type", "Bearer"),
                ("expires_in", .integer(Int64(SmartcarAccess.accessLifetime))),
                ("refresh_token", .string(token.refreshToken)),
            ]), headers: headers)
        } catch let error as SmartcarOAuthError {
            return error.response(requestId: requestId)
        } catch {
            return SmartcarOAuthError(status: 500, error: "server_error", description: "Unexpected server error. Please try again.").response(requestId: requestId)
        }
    }

    private func exchange(_ request: Request, body: Data, scope: RequestScope) async throws -> SmartcarTokenRecord {
        let form = FormEncoding.decode(String(decoding: body, as: UTF8.self))
        let query = request.queryItems
        // Client credentials: HTTP Basic, else the form body, else the query string (all three are documented).
        let credentials = ManagementAPI.basic(request)
            ?? (form["client_id"]).map { ($0, form["client_secret"] ?? "") }
            ?? (query["client_id"]).map { ($0, query["client_secret"] ?? "") }
        guard let (clientId, secret) = credentials else {
            throw SmartcarOAuthError(status: 401, error: "invalid_client", description: "Invalid or missing client credentials.")
        }
        guard let (app, sandbox) = try await access.app(clientId: clientId), app.clientSecret == secret else {
            throw SmartcarOAuthError(status: 401, error: "invalid_client", description: "Invalid client credentials.")
        }
        scope.sandboxId = sandbox.id
        guard let grantType = form["grant_type"] ?? query["grant_type"], !grantType.isEmpty else {
            throw SmartcarOAuthError(error: "invalid_request", description: "Missing required parameter: grant_type.")
        }
        do {
            switch grantType {
            case "authorization_code":
                guard let code = form["code"] ?? query["code"], !code.isEmpty else {
                    throw SmartcarOAuthError(error: "invalid_request", description: "Missing required parameter: code.")
                }
                return try await access.exchange(code: code, app: app, redirectUri: form["redirect_uri"] ?? query["redirect_uri"])
            case "refresh_token":
                guard let refresh = form["refresh_token"] ?? query["refresh_token"], !refresh.isEmpty else {
                    throw SmartcarOAuthError(error: "invalid_request", description: "Missing required parameter: refresh_token.")
                }
                return try await access.refresh(refresh, app: app)
            default:
                throw SmartcarOAuthError(error: "unsupported_grant_type", description: "Unsupported grant type: \(grantType).")
            }
        } catch let failure as SmartcarAccessFailure {
            switch failure {
            case .invalidCode(let code): throw SmartcarOAuthError(error: "invalid_grant", description: "Invalid code: \(code).")
            case .invalidRefreshToken(let token): throw SmartcarOAuthError(error: "invalid_grant", description: "Invalid refresh_token: \(token).")
            case .redirectMismatch(let uri): throw SmartcarOAuthError(error: "invalid_grant", description: "Unauthorized redirect_uri: \(uri)")
            case .invalidClient: throw SmartcarOAuthError(status: 401, error: "invalid_client", description: "Invalid client credentials.")
            }
        }
    }
}
