import AsyncHTTPClient
import ArgumentParser
import Foundation
import NIOHTTP1
import NIOCore

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

    /// Starts the server, waits for its one "listening" line and its first health answer (at most
    /// `timeout`); a server that exits or stays silent is a readable error.
    static func launch(executable: String, extraArguments: [String] = [], stderr: FileHandle? = nil,
                       timeout: Duration = .seconds(60),
                       arguments: [String] = ["serve", "--memory", "--port", "0", "--log-level", "error"]) async throws -> StartedServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + extraArguments
        let pipe = Pipe()
        process.standardOutput = pipe
        if let stderr { process.standardError = stderr }
        let started = ContinuousClock.now
        do {
            try process.run()
        } catch {
            throw ValidationError("cannot start the server \(executable): \(error)")
        }
        // The one "listening" line.
        var line = Data()
        let handle = pipe.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty {
                process.waitUntilExit()
                throw ValidationError("the server exited (status \(process.terminationStatus)) before listening")
            }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else {
            process.terminate()
            throw ValidationError("unexpected first line from the server: \(text)")
        }
        let base = String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The first successful health response.
        while true {
            var request = HTTPClientRequest(url: base + "/__fleetmock/health")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)), response.status == .ok {
                _ = try? await response.body.collect(upTo: 1 << 16)
                break
            }
            guard process.isRunning, ContinuousClock.now - started < timeout else {
                if process.isRunning { process.terminate() }
                throw ValidationError("the server at \(base) did not answer its health check")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return StartedServer(process: process, baseURL: base, startupMs: ms)
    }

    /// VmHWM of the child, in KiB (Linux); 0 where /proc is absent.
    func peakRSSKiB() -> Int { statusKiB("VmHWM") }

    /// The child's resident pages now that are mapped from files (its own code and the libraries',
    /// clean and shared with the page cache), in KiB: the part of RSS no request load changes.
    func fileBackedRSSKiB() -> Int { statusKiB("RssFile") }

    /// A `kB` field of `/proc/{pid}/status`; 0 where it is absent.
    private func statusKiB(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
