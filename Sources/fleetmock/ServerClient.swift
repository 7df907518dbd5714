import ArgumentParser
import FleetControl
import FleetCore
import Foundation

/// The CLI's side of a running server: the shared ``ControlClient``, with failures worded for a terminal.
struct ServerConnection {
    let control: ControlClient

    init(_ server: String) {
        control = ControlClient(server: server)
    }

    /// The server origin, without a trailing slash.
    var base: String { control.server }

    /// Runs control calls; a non-2xx answer shows the server's message, a transport failure asks
    /// whether the server runs.
    func run<T>(_ body: (ControlClient) async throws -> T) async throws -> T {
        do {
            return try await body(control)
        } catch let error as ControlAPIError {
            throw ValidationError("fleetmock answered \(error.status): \(error.body)")
        } catch {
            throw ValidationError("cannot reach fleetmock at \(base): \(error). Is `fleetmock serve` running?")
        }
    }
}

/// JSON indented, keys sorted.
func prettyJSON(_ data: Data) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: data),
          let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return String(decoding: data, as: UTF8.self) }
    return String(decoding: pretty, as: UTF8.self)
}

/// A control-API value as indented JSON (the same text the server sent).
func prettyJSON(_ value: some Encodable) -> String {
    prettyJSON((try? WireJSON.encoder().encode(value)) ?? Data())
}

/// A JSON value indented.
func prettyJSON(_ value: JSONValue) -> String {
    prettyJSON(value.encoded())
}
