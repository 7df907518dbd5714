import FleetCore
import Foundation
import Hummingbird

/// The methods a vendor route registered with `onAny` answers; the handler refuses the ones its
/// upstream does not serve, in that upstream's own words.
public let everyRequestMethod: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]

/// A vendor route's handler.
public typealias VendorHandler = @Sendable (Request, FleetRequestContext) async throws -> Response

extension RouterMethods where Context == FleetRequestContext {
    /// Registers one handler for every method at `path`.
    @discardableResult
    public func onAny(_ path: RouterPath, use handler: @escaping VendorHandler) -> Self {
        for method in everyRequestMethod {
            on(path, method: method, use: handler)
        }
        return self
    }
}

extension FleetRequestContext {
    /// Where the resolution found the request going (set before any route runs).
    public var target: RequestTarget? { scope.resolution?.target }

    /// The path without a `/sandbox/{id}` prefix, as the resolution found it.
    public var barePath: String { target?.path ?? "/" }

    /// A path parameter, percent-decoded (the router matches the raw path).
    public func pathParameter(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    /// The route template the router matched, without a `/sandbox/{sandbox}` prefix; nil when no
    /// route matched. Fault rules may name it in place of a raw path.
    public var routeTemplate: String? {
        guard let path = endpointPath, path != "NotFound" else { return nil }
        let prefix = "/sandbox/{sandbox}"
        if path.hasPrefix(prefix + "/") { return String(path.dropFirst(prefix.count)) }
        return path
    }
}
