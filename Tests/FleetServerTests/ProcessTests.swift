import AsyncHTTPClient
import FleetTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Runs the real `fleetmock` executable: the startup line, persistence across restarts, a clean
/// SIGTERM, and durability of acknowledged writes across `kill -9`.
@Suite struct ProcessTests {
    final class Server: @unchecked Sendable {
        let process = Process()
        var base = ""
        var outputLines: [String] = []

        init(arguments: [String]) throws {
            guard let binary = fleetmockBinary() else { throw TestSkip("fleetmock binary not built") }
            process.executableURL = binary
            process.arguments = arguments
            process.currentDirectoryURL = repositoryRoot
            process.standardError = FileHandle.nullDevice
        }

        func start() throws {
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            outputLines = [line]
            if let range = line.range(of: "http://") { base = String(line[range.lowerBound...]) }
        }
    }

    struct TestSkip: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    static func send(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, json: String? = nil) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let json { request.body = .bytes(ByteBuffer(string: json)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }

    /// Writes a scenario file into a folder of its own and returns its URL.
    static func scenarioFile(_ name: String, _ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-scenario-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func tempDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-test-\(UUID().uuidString)/fleet.sqlite").path
    }

    @Test func printsOneLineAndStopsCleanlyOnSIGTERM() async throws {
        let server = try Server(arguments: ["serve", "--memory", "--port", "0"])
        try server.start()
        #expect(server.outputLines.first?.hasPrefix("fleetmock listening on http://127.0.0.1:") == true)
        let (status, body) = try await Self.send(HTTPClient.shared, .GET, server.base + "/__fleetmock/health")
        #expect(status == 200 && body["status"] as? String == "ok")
        server.process.terminate()
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
    }

    @Test func serveScenarioAppliesSetupAndFaultsToTheDefaultSandbox() async throws {
        let file = try Self.scenarioFile("door.yaml", """
        name: a door open and the odometer rate-limited
        sdks: [smartcar6]
        setup:
          clock: {freeze: true}
          vehicles:
            - {vehicle: 0, state: {doors: {frontLeft: OPEN}}}
        faults:
          - match: {path: /v2.0/vehicles/*/odometer}
            action: {kind: error, catalogId: smartcar.RATE_LIMIT.VEHICLE, retryAfter: 30}
        steps:
          - op: vehicle.odometer
        """)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let server = try Server(arguments: ["serve", "--memory", "--port", "0", "--scenario", file.path])
        try server.start()
        defer { server.process.terminate(); server.process.waitUntilExit() }
        #expect(server.outputLines.first?.hasPrefix("fleetmock listening on http://127.0.0.1:") == true)

        let (_, sandbox) = try await Self.send(HTTPClient.shared, .GET, server.base + "/__fleetmock/sandboxes/default")
        #expect((sandbox["clock"] as? [String: Any])?["frozen"] as? Bool == true)
        let vin = try #require(((sandbox["vehicles"] as? [[String: Any]])?.first)?["vin"] as? String)
        let (_, vehicle) = try await Self.send(HTTPClient.shared, .GET, server.base + "/__fleetmock/sandboxes/default/vehicles/\(vin)")
        let doors = ((vehicle["state"] as? [String: Any])?["doors"] as? [String: Any]) ?? [:]
        #expect(doors["frontLeft"] as? String == "OPEN")
        let (_, faults) = try await Self.send(HTTPClient.shared, .GET, server.base + "/__fleetmock/sandboxes/default/faults")
        let rules = (faults["faults"] as? [[String: Any]]) ?? (faults["rules"] as? [[String: Any]]) ?? []
        #expect(rules.count == 1)
    }

    @Test func aBadScenarioStopsTheStartWithFileAndLine() throws {
        let file = try Self.scenarioFile("bad.yaml", "name: bad\nsdks: [smartcar7]\nsteps: [{op: get_user}]\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        guard let binary = fleetmockBinary() else { return }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--memory", "--port", "0", "--scenario", file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("bad.yaml:2: sdks[0]: unknown SDK 'smartcar7'"))
    }

    @Test func badFixtureFailsAtStartNamingFileAndField() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fleetmock-fixtures-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("default"), withIntermediateDirectories: true)
        var text = try String(contentsOf: repositoryFixtures.appendingPathComponent("default/fleet.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"powertrain\": \"BEV\"", with: "\"powertrain\": \"STEAM\"")
        try text.write(to: dir.appendingPathComponent("default/fleet.json"), atomically: true, encoding: .utf8)
        guard let binary = fleetmockBinary() else { return }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--memory", "--port", "0", "--fixtures", dir.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("default/fleet.json"))
        #expect(message.contains("vehicles[0].powertrain"))
    }

    @Test func stateSurvivesRestartAndKill9KeepsAcknowledgedWrites() async throws {
        let db = tempDatabase()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: db).deletingLastPathComponent().path) }

        // 1. Create a sandbox, stop cleanly, start again: it is still there.
        let first = try Server(arguments: ["serve", "--db", db, "--port", "0"])
        try first.start()
        let (_, sandbox) = try await Self.send(HTTPClient.shared, .POST, first.base + "/__fleetmock/sandboxes", json: #"{"vehicles": 8, "seed": 5}"#)
        let id = try #require(sandbox["id"] as? String)
        let vins = try #require((sandbox["vehicles"] as? [[String: Any]])?.compactMap { $0["vin"] as? String })
        first.process.terminate()
        first.process.waitUntilExit()

        let second = try Server(arguments: ["serve", "--db", db, "--port", "0"])
        try second.start()
        let (status, again) = try await Self.send(HTTPClient.shared, .GET, second.base + "/__fleetmock/sandboxes/\(id)")
        #expect(status == 200)
        #expect((again["vehicles"] as? [Any])?.count == 8)

        // 2. A burst of PATCH writes; kill -9 part-way. Each vehicle's odometer only rises, so the
        //    stored value must be at least the last acknowledged one.
        let acknowledged = AcknowledgedWrites()
        let base = second.base
        let burst = Task {
            await withTaskGroup(of: Void.self) { group in
                for vin in vins {
                    group.addTask {
                        for step in 1...400 {
                            let body = #"{"state":{"odometerKm":\#(100_000 + step)}}"#
                            guard let (code, _) = try? await Self.send(HTTPClient.shared, .PATCH, base + "/__fleetmock/sandboxes/\(id)/vehicles/\(vin)", json: body) else { return }
                            if code == 200 { acknowledged.record(vin: vin, value: 100_000 + step) }
                        }
                    }
                }
            }
        }
        // Wait (without sleeping) until enough writes are acknowledged, or the burst ends by itself.
        while acknowledged.count < 150, !acknowledged.finished { await Task.yield() }
        kill(second.process.processIdentifier, SIGKILL)
        second.process.waitUntilExit()
        await burst.value
        #expect(second.process.terminationReason == .uncaughtSignal)

        let third = try Server(arguments: ["serve", "--db", db, "--port", "0"])
        try third.start()
        defer { third.process.terminate(); third.process.waitUntilExit() }
        for vin in vins {
            let (code, vehicle) = try await Self.send(HTTPClient.shared, .GET, third.base + "/__fleetmock/sandboxes/\(id)/vehicles/\(vin)")
            #expect(code == 200)
            let stored = (vehicle["state"] as? [String: Any])?["odometerKm"] as? Double ?? 0
            if let last = acknowledged.last(vin) {
                #expect(stored >= Double(last), "\(vin): stored \(stored) < acknowledged \(last)")
            }
        }
        #expect(acknowledged.count >= 150)
    }
}

final class AcknowledgedWrites: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int] = [:]
    private var total = 0

    func record(vin: String, value: Int) {
        lock.lock(); defer { lock.unlock() }
        values[vin] = max(values[vin] ?? 0, value)
        total += 1
    }

    func last(_ vin: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        return values[vin]
    }

    private var done = false

    func finish() {
        lock.lock(); defer { lock.unlock() }
        done = true
    }

    var finished: Bool {
        lock.lock(); defer { lock.unlock() }
        return done
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return total
    }
}
