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

    /// Parses `smartcar6`, `smartcar6@6.18.0` or a version list `smartcar6@6.0.0,6.10.0,6.19.1` (a
    /// matrix: one choice per version, in the order given, duplicates dropped).
    public static func list(_ text: String) -> [SDKChoice]? {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return SDKChoice(text).map { [$0] } }
        let versions = parts[1].split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var choices: [SDKChoice] = []
        for version in versions {
            guard let choice = SDKChoice("\(parts[0])@\(version)") else { return nil }
            if !choices.contains(choice) { choices.append(choice) }
        }
        return choices
    }

    /// Whether this is the version the project pins (scenarios are written against it).
    public var isPinned: Bool { version == sdk.pinnedVersion }

    /// How reports name the choice: `smartcar6` for the pinned version, else `smartcar6@6.0.0`.
    public var label: String { isPinned ? sdk.rawValue : "\(sdk.rawValue)@\(version)" }

    /// Order for reports: by SDK, then by version number.
    public static func ordered(_ lhs: SDKChoice, _ rhs: SDKChoice) -> Bool {
        if lhs.sdk != rhs.sdk { return lhs.sdk < rhs.sdk }
        return lhs.version.compare(rhs.version, options: .numeric) == .orderedAscending
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
