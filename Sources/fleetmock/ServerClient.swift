import AsyncHTTPClient
import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a running fleetmock server's control API.
struct ServerClient {
    let base: String

    init(_ server: String) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    /// Sends a request and returns status and body; throws a readable error when the server is unreachable.
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            throw ValidationError("cannot reach fleetmock at \(base): \(error). Is `fleetmock serve` running?")
        }
    }

    /// Like `send`, but a non-2xx answer is an error showing the server's message.
    func expectOK(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> Data {
        let (status, body) = try await send(method, path, json: json)
        guard (200..<300).contains(status) else {
            throw ValidationError("fleetmock answered \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return body
    }
}

/// Prints JSON indented.
func prettyJSON(_ data: Data) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: data),
          let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return String(decoding: data, as: UTF8.self) }
    return String(decoding: pretty, as: UTF8.self)
}
