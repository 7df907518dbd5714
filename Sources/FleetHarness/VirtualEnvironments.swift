import Foundation

/// An SDK at a version: what one driver runs.
public struct SDKChoice: Sendable, Hashable, CustomStringConvertible {
    public var sdk: SDKName
    public var version: String

    public init(sdk: SDKName, version: String? = nil) {
        self.sdk = sdk
        self.version = version ?? sdk.pinnedVersion
    }

    /// Parses `smartcar6` or `smartcar6@6.18.0`.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let sdk = SDKName(rawValue: first) else { return nil }
        if parts.count == 2, parts[1].isEmpty { return nil }
        self.init(sdk: sdk, version: parts.count == 2 ? parts[1] : nil)
    }

    /// The virtualenv's folder name: the SDK name for the pinned version (shared with the contract
    /// suites), else `name-version`.
    public var venvName: String { version == sdk.pinnedVersion ? sdk.rawValue : "\(sdk.rawValue)-\(version)" }

    public var description: String { "\(sdk.package)==\(version)" }
}

/// A setup step that failed: a command and what it printed.
public struct SetupFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// One Python virtualenv per SDK version under a cache folder, created and filled from PyPI on first
/// use and reused afterwards.
public struct VirtualEnvironments: Sendable {
    /// The cache folder, e.g. `.fleetmock/venvs`.
    public var root: URL
    /// The Python that creates the virtualenvs.
    public var python: String

    public init(root: URL, python: String = ProcessInfo.processInfo.environment["PYTHON"] ?? "python3") {
        self.root = root
        self.python = python
    }

    /// The interpreter of `choice`'s virtualenv, created or repaired when needed.
    public func ensure(_ choice: SDKChoice, log: @Sendable (String) -> Void) throws -> String {
        let venv = root.appendingPathComponent(choice.venvName)
        let interpreter = venv.appendingPathComponent("bin/python").path
        let check = """
        import importlib, sys
        from importlib.metadata import version
        assert version(sys.argv[1]) == sys.argv[2], version(sys.argv[1])
        importlib.import_module(sys.argv[3])
        import requests
        """
        let module = choice.sdk == .dimo ? "dimo" : "smartcar"
        if FileManager.default.isExecutableFile(atPath: interpreter),
           (try? Self.run(interpreter, ["-c", check, choice.sdk.package, choice.version, module]))?.status == 0 {
            return interpreter
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if !FileManager.default.isExecutableFile(atPath: interpreter) {
            log("creating virtualenv \(venv.path)")
            let made = try Self.run(python, ["-m", "venv", venv.path])
            guard made.status == 0 else {
                throw SetupFailure(message: "cannot create a virtualenv with \(python) -m venv (is python3-venv installed?):\n\(made.output)")
            }
        }
        log("installing \(choice) into \(venv.path)")
        let installed = try Self.run(interpreter, ["-m", "pip", "install", "-q", "--disable-pip-version-check",
                                                   "\(choice.sdk.package)==\(choice.version)", "requests", "pytest"])
        guard installed.status == 0 else {
            throw SetupFailure(message: "pip could not install \(choice):\n\(installed.output)")
        }
        return interpreter
    }

    /// Runs a command to completion; returns its status and combined output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
