import FleetCore
import Foundation
import Synchronization

/// What a driver answered for one operation.
public enum DriverReply: Sendable, Equatable {
    /// The SDK call returned.
    case returned(JSONValue)
    /// The SDK call raised: `{"class", "module", "message", "attributes"}`.
    case raised(JSONValue)
    /// The driver could not run the operation (unknown op, bad arguments, missing prerequisite).
    case driverError(String)
    /// The installed SDK version cannot express the request (an argument or mode it lacks).
    case unsupported(String)

    /// The value expectations are matched against: the result, or the exception's attributes with its
    /// `class` and `message`.
    public var observed: JSONValue {
        switch self {
        case .returned(let value): return value
        case .raised(let error):
            var pairs: [(String, JSONValue)] = [("class", error["class"] ?? .null), ("message", error["message"] ?? .null)]
            for (key, value) in error["attributes"]?.objectValue ?? [] where key != "class" && key != "message" {
                pairs.append((key, value))
            }
            return .object(pairs)
        case .driverError(let message), .unsupported(let message): return .string(message)
        }
    }
}

/// A driver's answer: the reply, and the paths (`""`, `meta`, `items[0]`) of objects whose keys the
/// SDK version's own types fix, where a missing key is a field that version does not have.
public struct DriverAnswer: Sendable, Equatable {
    public var reply: DriverReply
    public var typed: [String]

    public init(reply: DriverReply, typed: [String] = []) {
        self.reply = reply
        self.typed = typed
    }
}

/// A driver process that died or could not start.
public struct DriverFailure: Error, CustomStringConvertible, Sendable {
    public var sdk: SDKName
    public var message: String
    /// The last lines the driver wrote on stderr.
    public var stderr: String
    /// The driver's name in messages (`smartcar6`, `smartcar6@6.0.0`).
    public var label: String?

    public init(sdk: SDKName, message: String, stderr: String, label: String? = nil) {
        self.sdk = sdk
        self.message = message
        self.stderr = stderr
        self.label = label
    }

    public var description: String {
        let name = label ?? sdk.rawValue
        return stderr.isEmpty ? "\(name) driver: \(message)" : "\(name) driver: \(message)\n--- its stderr (last lines):\n\(stderr)"
    }
}

/// One long-lived Python process running an SDK, spoken to in JSON lines (see scenarios/README.md).
/// Requests from many scenarios share it; answers are matched to requests by id. (Unchecked: the
/// process and pipe handles are only used through calls that are safe from any thread.)
public final class SDKDriver: @unchecked Sendable {
    public let sdk: SDKName
    /// The SDK version this driver's virtualenv holds.
    public let choice: SDKChoice
    private let process: Process
    private let input: FileHandle
    private let stderrFile: URL
    private let state = Mutex(State())
    private let writeLock = Mutex(())

    private struct State {
        var nextId = 1
        var pending: [Int: CheckedContinuation<DriverAnswer, any Error>] = [:]
        var exited: String?
    }

    /// Starts `python driver.py --sdk NAME --server URL`; stderr goes to `stderrFile`.
    public init(sdk: SDKName, version: String? = nil, python: String, script: String, server: String, stderrFile: URL) throws {
        self.sdk = sdk
        let choice = SDKChoice(sdk: sdk, version: version)
        self.choice = choice
        self.stderrFile = stderrFile
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", script, "--sdk", sdk.rawValue, "--server", server]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        do {
            try process.run()
        } catch {
            throw DriverFailure(sdk: sdk, message: "cannot start \(python): \(error)", stderr: "", label: choice.label)
        }
        self.process = process
        self.input = stdinPipe.fileHandleForWriting
        let output = stdoutPipe.fileHandleForReading
        let thread = Thread { [weak self] in self?.readLoop(output) }
        thread.name = "fleetmock-driver-\(choice.label)"
        thread.start()
    }

    /// Sends one operation and waits for its reply.
    public func send(op: String, session: String, args: JSONValue = .object([]), context: JSONValue = .null) async throws -> DriverReply {
        try await exchange(op: op, session: session, args: args, context: context).reply
    }

    /// Sends one operation and waits for its answer (the reply and its typed paths).
    public func exchange(op: String, session: String, args: JSONValue = .object([]), context: JSONValue = .null) async throws -> DriverAnswer {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLock { state in
                if state.exited != nil { return nil }
                let id = state.nextId
                state.nextId += 1
                state.pending[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(throwing: failure("the driver has exited"))
                return
            }
            let message = JSONValue.object([
                ("id", .integer(Int64(id))), ("session", .string(session)), ("op", .string(op)),
                ("args", args), ("context", context),
            ])
            var line = message.encoded()
            line.append(UInt8(ascii: "\n"))
            do {
                try writeLock.withLock { _ in try input.write(contentsOf: line) }
            } catch {
                let waiting = state.withLock { $0.pending.removeValue(forKey: id) }
                waiting?.resume(throwing: failure("cannot write to the driver: \(error)"))
            }
        }
    }

    /// `__describe__`: the operations the driver knows and the SDK version it runs.
    public func describe() async throws -> (version: String, ops: [String]) {
        let reply = try await send(op: "__describe__", session: "")
        guard case .returned(let value) = reply, let ops = value["ops"]?.arrayValue?.compactMap(\.stringValue) else {
            throw failure("unexpected answer to __describe__: \(reply)")
        }
        return (value["version"]?.stringValue ?? "?", ops)
    }

    /// Stops the driver: closes its stdin, then terminates it if it lingers.
    public func stop() {
        try? input.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// The last lines of the driver's stderr.
    public func stderrTail(lines: Int = 30) -> String {
        guard let text = try? String(contentsOf: stderrFile, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func failure(_ message: String) -> DriverFailure {
        DriverFailure(sdk: sdk, message: message, stderr: stderrTail(), label: choice.label)
    }

    private func readLoop(_ output: FileHandle) {
        var buffer = Data()
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                deliver(Data(line))
            }
        }
        // The pipe closed: the driver is exiting. Wait for that without `waitUntilExit`, which `stop()`
        // may be running on another thread (Foundation's Process is not safe to wait on twice at once).
        var waited = 0
        while process.isRunning, waited < 5000 {
            usleep(1000)
            waited += 1
        }
        let status = process.isRunning ? -1 : process.terminationStatus
        let waiting = state.withLock { state in
            state.exited = "exited with status \(status)"
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        let error = failure(status < 0 ? "the driver closed its output with requests in flight" : "the driver exited (status \(status)) with requests in flight")
        for continuation in waiting { continuation.resume(throwing: error) }
    }

    private func deliver(_ line: Data) {
        guard let message = JSONValue.parse(line), let id = message["id"]?.intValue else { return }
        let reply: DriverReply
        if message["ok"]?.boolValue == true {
            reply = .returned(message["result"] ?? .null)
        } else if let problem = message["driverError"]?.stringValue {
            reply = .driverError(problem)
        } else if let reason = message["unsupported"]?.stringValue {
            reply = .unsupported(reason)
        } else {
            reply = .raised(message["error"] ?? .null)
        }
        let typed = message["typed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let continuation = state.withLock { $0.pending.removeValue(forKey: Int(id)) }
        continuation?.resume(returning: DriverAnswer(reply: reply, typed: typed))
    }
}
