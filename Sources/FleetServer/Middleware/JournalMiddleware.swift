import FleetCore
import FleetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Records every request that reached a sandbox in that sandbox's journal, with its headers and the
/// start of both bodies (so the dashboard and `GET …/journal/{sequence}` can show the exchange). It is also where
/// the sandbox a request settled on is known, so it marks that sandbox used (`SandboxActivity`, for idle expiry).
struct JournalMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    let services: FleetServices

    /// Request bodies announced up to this size are read for the journal; larger or streamed ones pass untouched.
    static let requestReadLimit = 64 * 1024
    /// Responses of known length up to this size are kept for the journal; the body sent is unchanged.
    static let responseReadLimit = 256 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        var requestBody: ByteBuffer?
        if let announced = request.headers[.contentLength].flatMap({ Int($0) }), announced <= Self.requestReadLimit {
            // The collected buffer replaces the stream, so the routes read the same bytes.
            requestBody = try? await request.collectBody(upTo: Self.requestReadLimit)
        }
        var response = try await next(request, context)
        // The sandbox a surface settled on, else the one the request named (a refused request is journaled too).
        guard let sandbox = context.scope.sandboxId ?? context.scope.resolution?.sandbox?.id else { return response }
        services.activity.touch(sandbox)
        let elapsed = ContinuousClock.now - started
        let latency = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        // The resolution's copy serves when the request stayed in the sandbox it named (most do).
        let resolved = context.scope.resolution?.sandbox
        guard let record = resolved?.id == sandbox ? resolved : try? await services.fleet.sandboxRecord(sandbox) else { return response }
        var responseBody: ByteBuffer?
        if let length = response.body.contentLength, length <= Self.responseReadLimit {
            let collector = BodyCollector()
            let body = response.body
            do {
                try await body.write(collector)
                response.body = ResponseBody(byteBuffer: collector.buffer)
            } catch {
                // A transport fault (reset, truncated) breaks its body off on purpose. The journal keeps what
                // was written before the break, and the client gets the original body, which replays the
                // same break (fault bodies are closures over fixed bytes, so writing them twice is safe).
            }
            responseBody = collector.buffer
        }
        let capture = CapturedExchange(requestHeaders: request.headers, requestBody: Self.kept(requestBody),
                                       requestBodyBytes: requestBody?.readableBytes ?? request.headers[.contentLength].flatMap { Int($0) },
                                       responseHeaders: response.headers, responseBody: Self.kept(responseBody),
                                       responseBodyBytes: response.body.contentLength)
        services.journal.record(
            JournalEntry(time: arrival(context, sandbox: sandbox) ?? record.clock.now(), requestId: context.scope.requestId ?? "", sandbox: sandbox,
                         vendor: context.scope.vendor?.rawValue ?? "fleetmock", method: request.method.rawValue,
                         path: request.uri.path, query: request.uri.query, status: response.status.code,
                         latencyMs: (latency * 1000).rounded() / 1000, fault: context.scope.fault, capture: capture),
            capacity: record.settings.journalSize)
        return response
    }

    /// The sandbox clock when the request arrived, when the first middleware read it (vendor requests):
    /// a request that moves the clock is listed at the time it was made.
    private func arrival(_ context: Context, sandbox: String) -> Date? {
        guard let resolution = context.scope.resolution, resolution.sandbox?.id == sandbox else { return nil }
        return resolution.now
    }

    /// The part of a body the journal keeps: a body past the journal's limit is copied down to it,
    /// so the entry does not hold the whole response alive.
    private static func kept(_ buffer: ByteBuffer?) -> ByteBuffer? {
        guard let buffer, buffer.readableBytes > JournalExchange.bodyLimit else { return buffer }
        return ByteBuffer(bytes: buffer.readableBytesView.prefix(JournalExchange.bodyLimit))
    }
}

/// Headers and bodies as they went over the wire: kept as they are (a retain each) and rendered as
/// journal text only when the journal is read.
final class CapturedExchange: JournalExchangeCapture {
    let requestHeaders: HTTPFields
    let requestBody: ByteBuffer?
    let requestBodyBytes: Int?
    let responseHeaders: HTTPFields
    let responseBody: ByteBuffer?
    let responseBodyBytes: Int?

    init(requestHeaders: HTTPFields, requestBody: ByteBuffer?, requestBodyBytes: Int?, responseHeaders: HTTPFields,
         responseBody: ByteBuffer?, responseBodyBytes: Int?) {
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.requestBodyBytes = requestBodyBytes
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseBodyBytes = responseBodyBytes
    }

    var keptBodyBytes: Int { (requestBody?.readableBytes ?? 0) + (responseBody?.readableBytes ?? 0) }

    func withoutBodies() -> any JournalExchangeCapture {
        CapturedExchange(requestHeaders: requestHeaders, requestBody: nil, requestBodyBytes: requestBodyBytes,
                         responseHeaders: responseHeaders, responseBody: nil, responseBodyBytes: responseBodyBytes)
    }

    func render() -> JournalExchange {
        JournalExchange(requestHeaders: Self.lines(requestHeaders), requestBody: requestBody.map(Self.text), requestBodyBytes: requestBodyBytes,
                        responseHeaders: Self.lines(responseHeaders), responseBody: responseBody.map(Self.text),
                        responseBodyBytes: responseBodyBytes)
    }

    /// A body as journal text: UTF-8 up to the journal's limit (invalid bytes become U+FFFD).
    private static func text(_ buffer: ByteBuffer) -> String {
        buffer.getString(at: buffer.readerIndex, length: min(buffer.readableBytes, JournalExchange.bodyLimit)) ?? ""
    }

    private static func lines(_ fields: HTTPFields) -> [JournalHeader] {
        fields.map { JournalHeader(name: $0.name.rawName, value: $0.value) }
    }
}

/// Gathers a response body in memory (used only for bodies of known, bounded length).
private struct BodyCollector: ResponseBodyWriter {
    final class Storage: @unchecked Sendable {
        var buffer = ByteBuffer()
    }
    private let storage = Storage()

    var buffer: ByteBuffer { storage.buffer }

    mutating func write(_ buffer: ByteBuffer) async throws {
        if storage.buffer.readableBytes == 0 {
            storage.buffer = buffer
        } else {
            var part = buffer
            storage.buffer.writeBuffer(&part)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Turns anything thrown past the routes into a JSON error, never a framework default body.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FleetRequestContext
    /// The addressed vendor's body for a path no route serves; nil for fleetmock's own.
    let notFound: @Sendable (Request, Context) -> Response?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ControlError {
            return error.response
        } catch let error as FleetError {
            return ControlError(error).response
        } catch let error as HTTPError {
            if error.status == .notFound {
                if let vendorAnswer = notFound(request, context) { return vendorAnswer }
                return ControlError(status: .notFound, code: "not_found", message: "no route for \(request.method.rawValue) \(request.uri.path)").response
            }
            return ControlError(status: error.status, code: "http_error", message: error.body ?? error.status.reasonPhrase).response
        } catch {
            context.logger.error("unhandled error: \(error)")
            return ControlError(status: .internalServerError, code: "internal", message: "internal error").response
        }
    }
}
