import FleetCore
import Foundation
import Yams

/// A scenario file that breaks the format: where, and what is wrong.
public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    /// The path of the bad key, e.g. `steps[2].op`.
    public var path: String
    public var message: String

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return path.isEmpty ? "\(place): \(message)" : "\(place): \(path): \(message)"
    }
}

/// Reads scenario files (YAML) into `Scenario`s, rejecting anything outside the format with the file,
/// line and key path.
public enum ScenarioLoader {
    /// Every `*.yaml` / `*.yml` under `directory`, sorted, as paths.
    public static func files(in directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [String] = []
        for case let url as URL in walker where ["yaml", "yml"].contains(url.pathExtension) {
            found.append(url.path)
        }
        return found.sorted()
    }

    /// The scenario id for a file: its path under `directory`, without the extension.
    public static func id(of file: String, under directory: String?) -> String {
        var path = URL(fileURLWithPath: file).standardizedFileURL.path
        if let directory {
            let base = URL(fileURLWithPath: directory).standardizedFileURL.path + "/"
            if path.hasPrefix(base) { path.removeFirst(base.count) }
        } else {
            path = URL(fileURLWithPath: path).lastPathComponent
        }
        for ext in [".yaml", ".yml"] where path.hasSuffix(ext) { path.removeLast(ext.count) }
        return path
    }

    /// Loads one file.
    public static func load(file: String, id: String? = nil) throws -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ScenarioError(file: file, line: nil, path: "", message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: file, id: id ?? Self.id(of: file, under: nil))
    }

    /// Parses scenario text; `file` is used in error messages.
    public static func parse(_ text: String, file: String, id: String) throws -> Scenario {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: yamlLine(error), path: "", message: "not valid YAML: \(yamlProblem(error))")
        } catch {
            throw ScenarioError(file: file, line: nil, path: "", message: "not valid YAML: \(error)")
        }
        guard let root else { throw ScenarioError(file: file, line: nil, path: "", message: "the file is empty") }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, path: "", allowed: ["name", "description", "sdks", "covers", "setup", "prepare", "faults", "steps"])

        guard let nameNode = top["name"] else { throw reader.error(root, "", "missing required key 'name'") }
        let name = try reader.string(nameNode, path: "name")
        let description = try top["description"].map { try reader.string($0, path: "description") }

        guard let sdksNode = top["sdks"] else { throw reader.error(root, "", "missing required key 'sdks' (a list of smartcar6, smartcar3, dimo)") }
        let sdks = try reader.sdkList(sdksNode, path: "sdks")
        guard !sdks.isEmpty else { throw reader.error(sdksNode, "sdks", "needs at least one SDK") }

        var covers = try top["covers"].map { node in
            try reader.sequence(node, path: "covers").enumerated().map { try reader.string($1, path: "covers[\($0)]") }
        } ?? []

        let setup = try top["setup"].map { try readSetup($0, reader: reader) } ?? ScenarioSetup()
        let prepare = try top["prepare"].map { try readSteps($0, path: "prepare", sdks: sdks, reader: reader) } ?? []
        var faults: [JSONValue] = []
        if let node = top["faults"] {
            for (index, item) in try reader.sequence(node, path: "faults").enumerated() {
                let value = try reader.json(item, path: "faults[\(index)]")
                guard value.objectValue != nil else { throw reader.error(item, "faults[\(index)]", "a fault rule is a mapping {match, action, schedule}") }
                if let id = value["action"]?["catalogId"]?.stringValue, !covers.contains(id) { covers.append(id) }
                faults.append(value)
            }
        }
        guard let stepsNode = top["steps"] else { throw reader.error(root, "", "missing required key 'steps'") }
        let steps = try readSteps(stepsNode, path: "steps", sdks: sdks, reader: reader)
        guard !steps.isEmpty else { throw reader.error(stepsNode, "steps", "needs at least one step") }

        return Scenario(id: id, file: file, name: name, description: description, sdks: sdks, covers: covers,
                        setup: setup, prepare: prepare, faults: faults, steps: steps)
    }

    private static func readSetup(_ node: Node, reader: NodeReader) throws -> ScenarioSetup {
        let map = try reader.mapping(node, path: "setup", allowed: ["sandbox", "clock", "vehicles", "dimoShare"])
        var setup = ScenarioSetup()
        if let sandbox = map["sandbox"] {
            setup.sandbox = try reader.json(sandbox, path: "setup.sandbox")
            guard setup.sandbox.objectValue != nil else { throw reader.error(sandbox, "setup.sandbox", "must be a mapping (the body of POST /__fleetmock/sandboxes)") }
        }
        if let clock = map["clock"] {
            let value = try reader.json(clock, path: "setup.clock")
            let bodies = value.arrayValue ?? [value]
            guard bodies.allSatisfy({ $0.objectValue != nil }) else {
                throw reader.error(clock, "setup.clock", "must be a clock body such as {advance: 2h} or a list of them")
            }
            setup.clock = bodies
        }
        if let vehicles = map["vehicles"] {
            for (index, item) in try reader.sequence(vehicles, path: "setup.vehicles").enumerated() {
                let path = "setup.vehicles[\(index)]"
                let entry = try reader.mapping(item, path: path, allowed: ["vehicle", "state"])
                guard let selector = entry["vehicle"] else { throw reader.error(item, path, "missing 'vehicle' (an index or a VIN)") }
                guard let state = entry["state"] else { throw reader.error(item, path, "missing 'state'") }
                let selectorValue = try reader.json(selector, path: path + ".vehicle")
                guard selectorValue.intValue != nil || selectorValue.stringValue != nil else {
                    throw reader.error(selector, path + ".vehicle", "must be an index or a VIN")
                }
                let stateValue = try reader.json(state, path: path + ".state")
                guard stateValue.objectValue != nil else { throw reader.error(state, path + ".state", "must be a mapping") }
                setup.vehicles.append((selectorValue, .object([("state", stateValue)])))
            }
        }
        if let share = map["dimoShare"] {
            let value = try reader.json(share, path: "setup.dimoShare")
            guard value.objectValue != nil else { throw reader.error(share, "setup.dimoShare", "must be a mapping {vehicles, permissions}") }
            setup.dimoShare = value
        }
        return setup
    }

    private static func readSteps(_ node: Node, path: String, sdks: [SDKName], reader: NodeReader) throws -> [ScenarioStep] {
        try reader.sequence(node, path: path).enumerated().map { index, item in
            let here = "\(path)[\(index)]"
            let map = try reader.mapping(item, path: here, allowed: ["op", "args", "sdk", "expect", "save"])
            guard let opNode = map["op"] else { throw reader.error(item, here, "missing 'op'") }
            let op = try reader.string(opNode, path: here + ".op")
            var args: JSONValue = .object([])
            if let argsNode = map["args"] {
                args = try reader.json(argsNode, path: here + ".args")
                guard args.objectValue != nil else { throw reader.error(argsNode, here + ".args", "must be a mapping of keyword arguments") }
            }
            var stepSDKs: [SDKName]?
            if let sdkNode = map["sdk"] {
                let list = sdkNode.string != nil && sdkNode.sequence == nil
                    ? [try reader.sdk(sdkNode, path: here + ".sdk")]
                    : try reader.sdkList(sdkNode, path: here + ".sdk")
                for sdk in list where !sdks.contains(sdk) {
                    throw reader.error(sdkNode, here + ".sdk", "'\(sdk)' is not one of the scenario's sdks \(sdks.map(\.rawValue))")
                }
                stepSDKs = list
            }
            var expect: [SDKName: Outcome] = [:]
            if let expectNode = map["expect"] {
                let expectMap = try reader.mapping(expectNode, path: here + ".expect", allowed: nil)
                let perSDK = expectMap.keys.allSatisfy { SDKName(rawValue: $0) != nil }
                if perSDK {
                    for (key, value) in expectMap.pairs {
                        guard let sdk = SDKName(rawValue: key) else { continue }
                        if let stepSDKs, !stepSDKs.contains(sdk) {
                            throw reader.error(value, here + ".expect.\(key)", "the step does not run for \(key)")
                        }
                        if stepSDKs == nil, !sdks.contains(sdk) {
                            throw reader.error(value, here + ".expect.\(key)", "'\(key)' is not one of the scenario's sdks")
                        }
                        expect[sdk] = try readOutcome(value, path: here + ".expect.\(key)", reader: reader)
                    }
                } else {
                    let outcome = try readOutcome(expectNode, path: here + ".expect", reader: reader)
                    for sdk in stepSDKs ?? sdks { expect[sdk] = outcome }
                }
            }
            var save: String?
            if let saveNode = map["save"] {
                let name = try reader.string(saveNode, path: here + ".save")
                guard !name.isEmpty, !name.contains(".") else { throw reader.error(saveNode, here + ".save", "must be a name without dots") }
                save = name
            }
            return ScenarioStep(op: op, args: args, sdks: stepSDKs, expect: expect, line: reader.line(item) ?? 0, save: save)
        }
    }

    private static func readOutcome(_ node: Node, path: String, reader: NodeReader) throws -> Outcome {
        let map = try reader.mapping(node, path: path, allowed: ["result", "error", "ok"])
        guard map.keys.count == 1, let key = map.keys.first, let value = map[key] else {
            throw reader.error(node, path, "an outcome is exactly one of result, error or ok")
        }
        switch key {
        case "result": return .result(try reader.json(value, path: path + ".result"))
        case "error":
            let match = try reader.json(value, path: path + ".error")
            guard match.objectValue != nil else { throw reader.error(value, path + ".error", "must be a mapping such as {class: SmartcarException, status_code: 429}") }
            return .error(match)
        default:
            guard value.bool == true else { throw reader.error(value, path + ".ok", "must be true") }
            return .ok
        }
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }
}

/// An ordered mapping read from YAML, its values still nodes (for their line numbers).
struct NodeMap {
    var pairs: [(String, Node)]
    var keys: [String] { pairs.map(\.0) }
    subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
}

/// Reads Yams nodes with errors that name the file, line and key path.
struct NodeReader {
    let file: String

    func line(_ node: Node) -> Int? { node.mark?.line }

    func error(_ node: Node, _ path: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line(node), path: path, message: message)
    }

    /// A mapping with string keys; `allowed` (when given) closes the set of keys.
    func mapping(_ node: Node, path: String, allowed: Set<String>?) throws -> NodeMap {
        guard case .mapping(let mapping) = node else { throw error(node, path, "must be a mapping, not \(kind(node))") }
        var pairs: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { throw error(keyNode, path, "keys must be strings") }
            let here = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                throw error(keyNode, here, "unknown key '\(key)' (expected one of \(allowed.sorted().joined(separator: ", ")))")
            }
            if pairs.contains(where: { $0.0 == key }) { throw error(keyNode, here, "duplicate key '\(key)'") }
            pairs.append((key, value))
        }
        return NodeMap(pairs: pairs)
    }

    func sequence(_ node: Node, path: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(node, path, "must be a list, not \(kind(node))") }
        return Array(sequence)
    }

    func string(_ node: Node, path: String) throws -> String {
        guard case .scalar(let scalar) = node, node.tag.description == Tag.Name.str.rawValue else { throw error(node, path, "must be a string, not \(kind(node))") }
        return scalar.string
    }

    func sdk(_ node: Node, path: String) throws -> SDKName {
        let text = try string(node, path: path)
        guard let sdk = SDKName(rawValue: text) else {
            throw error(node, path, "unknown SDK '\(text)' (expected one of \(SDKName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return sdk
    }

    func sdkList(_ node: Node, path: String) throws -> [SDKName] {
        var list: [SDKName] = []
        for (index, item) in try sequence(node, path: path).enumerated() {
            let sdk = try self.sdk(item, path: "\(path)[\(index)]")
            if !list.contains(sdk) { list.append(sdk) }
        }
        return list
    }

    /// Any YAML value as JSON (YAML's own types: int, float, bool, null, string).
    func json(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .integer(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { try json($1, path: "\(path)[\($0)]") })
        case .mapping:
            let map = try mapping(node, path: path, allowed: nil)
            return .object(try map.pairs.map { key, value in (key, try json(value, path: path.isEmpty ? key : "\(path).\(key)")) })
        case .alias:
            throw error(node, path, "YAML aliases are not supported")
        }
    }

    private func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return node.tag.description == Tag.Name.str.rawValue ? "a string" : "'\(node.scalar?.string ?? "")'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
