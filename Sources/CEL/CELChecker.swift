import Foundation

/// A light version of cel-go's checker: declared variables, operator overloads with cross-type numeric
/// comparisons, the string functions and size(); `dyn` matches anything.
final class CELChecker {
    var variables: [String: CELType]
    let functions: Set<String>
    var error: CELError?

    init(variables: [String: CELType], functions: Set<String>) {
        self.variables = variables
        self.functions = functions
    }

    @discardableResult
    func fail(_ offset: Int, _ message: String) -> CELType {
        if error == nil { error = CELError(offset: offset, message: message) }
        return .error
    }

    func noOverload(_ name: String, _ types: [CELType], _ offset: Int) -> CELType {
        fail(offset, "found no matching overload for '\(name)' applied to '(\(types.map(\.name).joined(separator: ", ")))'")
    }

    func check(_ node: CELNode) -> CELType {
        switch node {
        case .literal(let type, _):
            return type
        case .ident(let name, let offset):
            if let type = variables[name] { return type }
            return fail(offset, "undeclared reference to '\(name)' (in container '')")
        case .select(let operand, let field, let offset):
            if case .ident(let name, _) = operand, let type = variables["\(name).\(field)"] { return type }
            let type = check(operand)
            switch type {
            case .error: return .error
            case .dyn, .map: return .dyn
            default: return fail(offset, "type '\(type.name)' does not support field selection")
            }
        case .list(let items, _):
            for item in items { _ = check(item) }
            return .list
        case .map(let items, _):
            for item in items { _ = check(item) }
            return .map
        case .call(let name, let args, let offset):
            return call(name, args, offset)
        case .method(let receiver, let name, let args, let offset):
            return method(receiver, name, args, offset)
        }
    }

    func call(_ name: String, _ args: [CELNode], _ offset: Int) -> CELType {
        if name == "has" {
            guard args.count == 1, case .select(let operand, _, _) = args[0] else {
                return fail(offset, "invalid argument to has() macro")
            }
            return check(operand) == .error ? .error : .bool
        }
        var types: [CELType] = []
        for arg in args { types.append(check(arg)) }
        if types.contains(.error) { return .error }
        let loose: (CELType) -> Bool = { $0 == .dyn }
        switch name {
        case "_&&_", "_||_":
            let logical: [CELType] = [.bool, .dyn]
            return types.allSatisfy({ logical.contains($0) }) ? .bool : noOverload(name, types, offset)
        case "!_":
            let logical: [CELType] = [.bool, .dyn]
            return logical.contains(types[0]) ? .bool : noOverload(name, types, offset)
        case "-_":
            let negatable: [CELType] = [.int, .double, .dyn]
            if negatable.contains(types[0]) { return types[0] }
            return noOverload(name, types, offset)
        case "_==_", "_!=_":
            let (a, b) = (types[0], types[1])
            let nullable = a == CELType.null || b == CELType.null
            if a == b || loose(a) || loose(b) || nullable { return .bool }
            return noOverload(name, types, offset)
        case "_<_", "_<=_", "_>_", "_>=_":
            let (a, b) = (types[0], types[1])
            if loose(a) || loose(b) || (a.isNumeric && b.isNumeric) { return .bool }
            if a == b, [CELType.string, CELType.bytes, CELType.bool].contains(a) { return .bool }
            return noOverload(name, types, offset)
        case "_+_", "_-_", "_*_", "_/_", "_%_":
            let allowed: [CELType]
            switch name {
            case "_+_": allowed = [.int, .uint, .double, .string, .bytes, .list]
            case "_%_": allowed = [.int, .uint]
            default: allowed = [.int, .uint, .double]
            }
            let (a, b) = (types[0], types[1])
            if loose(a), loose(b) { return .dyn }
            if loose(a) { return allowed.contains(b) ? b : noOverload(name, types, offset) }
            if loose(b) { return allowed.contains(a) ? a : noOverload(name, types, offset) }
            return a == b && allowed.contains(a) ? a : noOverload(name, types, offset)
        case "@in":
            let container: [CELType] = [.list, .map, .dyn]
            return container.contains(types[1]) ? .bool : noOverload(name, types, offset)
        case "_[_]":
            let (a, b) = (types[0], types[1])
            let indexes: [CELType] = [.int, .uint, .dyn]
            if a == CELType.list, indexes.contains(b) { return .dyn }
            if a == CELType.map || loose(a) { return .dyn }
            return noOverload(name, types, offset)
        case "_?_:_":
            let (c, a, b) = (types[0], types[1], types[2])
            guard c == CELType.bool || loose(c) else { return noOverload(name, types, offset) }
            if a == b { return a }
            let nullable = a == CELType.null || b == CELType.null
            if loose(a) || loose(b) || nullable { return .dyn }
            return noOverload(name, types, offset)
        case "size":
            guard types.count == 1, CELType.sized.contains(types[0]) else { return noOverload(name, types, offset) }
            return .int
        case "int", "uint", "double", "string", "bytes", "bool", "dyn":
            guard types.count == 1 else { return noOverload(name, types, offset) }
            let conversions: [String: CELType] = ["int": .int, "uint": .uint, "double": .double, "string": .string,
                                                  "bytes": .bytes, "bool": .bool, "dyn": .dyn]
            return conversions[name] ?? .dyn
        case "matches":
            let text: [CELType] = [.string, .dyn]
            guard types.count == 2, types.allSatisfy({ text.contains($0) }) else { return noOverload(name, types, offset) }
            return .bool
        case "geoDistance" where functions.contains("geoDistance"):
            guard types.count == 4 else { return noOverload(name, types, offset) }
            return .double
        default:
            return fail(offset, "undeclared reference to '\(name)' (in container '')")
        }
    }

    func method(_ receiver: CELNode, _ name: String, _ args: [CELNode], _ offset: Int) -> CELType {
        // The comprehension macros: `list.all(x, predicate)` and friends bind a variable.
        if ["all", "exists", "exists_one", "map", "filter"].contains(name), args.count >= 2, case .ident(let variable, _) = args[0] {
            let receiverType = check(receiver)
            let saved = variables[variable]
            variables[variable] = .dyn
            for arg in args.dropFirst() { _ = check(arg) }
            variables[variable] = saved
            if receiverType == .error { return .error }
            return name == "map" || name == "filter" ? .list : .bool
        }
        let receiverType = check(receiver)
        var types: [CELType] = []
        for arg in args { types.append(check(arg)) }
        if receiverType == .error || types.contains(.error) { return .error }
        let described = "\(receiverType.name).(\(types.map(\.name).joined(separator: ", ")))"
        switch name {
        case "contains", "startsWith", "endsWith", "matches":
            let text: [CELType] = [.string, .dyn]
            let ok = text.contains(receiverType) && types.count == 1 && text.contains(types[0])
            return ok ? .bool : fail(offset, "found no matching overload for '\(name)' applied to '\(described)'")
        case "size":
            let ok = types.isEmpty && CELType.sized.contains(receiverType)
            return ok ? .int : fail(offset, "found no matching overload for '\(name)' applied to '\(described)'")
        default:
            return fail(offset, "undeclared reference to '\(name)' (in container '')")
        }
    }
}
