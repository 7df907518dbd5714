import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Starts a server as a child process and measures it: startup time, throughput and latency per
/// endpoint (as a ratio to the health endpoint measured in the same run), peak RSS.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure a fleetmock server (use a release build: swift build -c release).")

    @Option(help: "Concurrent keep-alive connections.")
    var connections = 8

    @Option(help: "Requests per endpoint.")
    var requests = 2000

    @Option(help: "The fleetmock binary to start (default: this one).")
    var binary: String?

    func validate() throws {
        guard (1...256).contains(connections) else { throw ValidationError("--connections must be 1...256") }
        guard (10...1_000_000).contains(requests) else { throw ValidationError("--requests must be 10...1000000") }
    }

    func run() async throws {
        let executable = binary ?? CommandLine.arguments[0]
        let server = try await StartedServer.launch(executable: executable)
        defer { server.stop() }
        print(String(format: "startup to first health response: %.1f ms", server.startupMs))

        var config = HTTPClient.Configuration()
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)

        let base = server.baseURL
        let sandbox = try await createSandbox(client, base: base)
        let vin = sandbox.vin
        let endpoints: [(String, HTTPMethod, String, String?)] = [
            ("GET /__fleetmock/health", .GET, "/__fleetmock/health", nil),
            ("GET sandbox", .GET, "/__fleetmock/sandboxes/\(sandbox.id)", nil),
            ("GET vehicle", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)", nil),
            ("PATCH vehicle", .PATCH, "/__fleetmock/sandboxes/\(sandbox.id)/vehicles/\(vin)", #"{"state":{"cabinTempC":21.5}}"#),
            ("GET clock", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/clock", nil),
            ("GET journal", .GET, "/__fleetmock/sandboxes/\(sandbox.id)/journal?limit=20", nil),
        ] + Self.vendorEndpoints(sandbox: sandbox)

        print("")
        print("endpoint".padding(toLength: 44, withPad: " ", startingAt: 0) + "   req/s     p50 ms   p99 ms   errors   vs health")
        var healthRate = 0.0
        for (name, method, path, body) in endpoints {
            let result = try await measure(client, method: method, url: base + path, body: body)
            if healthRate == 0 { healthRate = result.rate }
            let ratio = healthRate > 0 ? result.rate / healthRate : 0
            print(name.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: " %8.0f  %8.2f %8.2f %8d   %6.2fx", result.rate, result.p50, result.p99, result.errors, ratio))
        }
        try await client.shutdown()
        print("")
        print(String(format: "peak RSS of the server: %.1f MiB", Double(server.peakRSSKiB()) / 1024))
    }

    struct BenchSandbox {
        var id: String
        var vin: String
        var smartcarId: String
    }

    /// Endpoints of the vendor surfaces; extended as they are built.
    static func vendorEndpoints(sandbox: BenchSandbox) -> [(String, HTTPMethod, String, String?)] { [] }

    private func createSandbox(_ client: HTTPClient, base: String) async throws -> BenchSandbox {
        var request = HTTPClientRequest(url: base + "/__fleetmock/sandboxes")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: "{}"))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let id = object["id"] as? String, let vehicles = object["vehicles"] as? [[String: Any]],
              let first = vehicles.first, let vin = first["vin"] as? String, let smartcarId = first["smartcarId"] as? String
        else { throw ValidationError("could not create a sandbox to measure") }
        return BenchSandbox(id: id, vin: vin, smartcarId: smartcarId)
    }

    struct Result {
        var rate: Double
        var p50: Double
        var p99: Double
        var errors: Int
    }

    private func measure(_ client: HTTPClient, method: HTTPMethod, url: String, body: String?) async throws -> Result {
        let total = requests
        let workers = connections
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for worker in 0..<workers {
                let share = total / workers + (worker < total % workers ? 1 : 0)
                group.addTask {
                    var samples: [Double] = []
                    var errors = 0
                    samples.reserveCapacity(share)
                    for _ in 0..<share {
                        var request = HTTPClientRequest(url: url)
                        request.method = method
                        if let body {
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: body))
                        }
                        let t0 = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 16 * 1024 * 1024)
                            if response.status.code >= 400 { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        let d = ContinuousClock.now - t0
                        samples.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                    }
                    return (samples, errors)
                }
            }
            var all: [Double] = []
            var errors = 0
            for try await (samples, e) in group {
                all += samples
                errors += e
            }
            return (all.sorted(), errors)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sorted = latencies.0
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return Result(rate: Double(sorted.count) / seconds, p50: percentile(0.5), p99: percentile(0.99), errors: latencies.1)
    }
}

/// A `fleetmock serve --memory --port 0` child process.
final class StartedServer: @unchecked Sendable {
    let process: Process
    let baseURL: String
    let startupMs: Double

    private init(process: Process, baseURL: String, startupMs: Double) {
        self.process = process
        self.baseURL = baseURL
        self.startupMs = startupMs
    }

    static func launch(executable: String) async throws -> StartedServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--memory", "--port", "0", "--log-level", "error"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let started = ContinuousClock.now
        try process.run()
        // Read the one "listening" line.
        var line = Data()
        let handle = pipe.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { throw ValidationError("the server exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else { throw ValidationError("unexpected first line: \(text)") }
        let base = String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        // First successful health response.
        while true {
            var request = HTTPClientRequest(url: base + "/__fleetmock/health")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 16)
                break
            }
        }
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return StartedServer(process: process, baseURL: base, startupMs: ms)
    }

    /// VmHWM of the child, in KiB (Linux); 0 where /proc is absent.
    func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
