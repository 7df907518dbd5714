import FleetCore
import FleetHTTP
import Foundation
import GraphQL
import OrderedCollections

/// A resolver error with the message and `extensions` the upstream service sends.
public struct FieldError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var extensions: [(String, JSONValue)]

    public init(_ message: String, extensions: [(String, JSONValue)] = []) {
        self.message = message
        self.extensions = extensions
    }

    public var description: String { message }

    public static func notFound(_ message: String) -> FieldError { FieldError(message, extensions: [("code", "NOT_FOUND")]) }
}

/// Resolves one field: `(source, args, context, info)`.
typealias FieldResolver = @Sendable (_ source: any Sendable, _ args: Map, _ context: any Sendable, _ info: GraphQLResolveInfo) async throws -> (any Sendable)?

/// The schema directives on one field, as `directive name → enum values of its arguments`.
typealias FieldDirectives = [String: [String]]

/// Runs before a field's resolver with the field's directives; throws to null the field with an error.
typealias FieldGuard = @Sendable (_ typeName: String, _ directives: FieldDirectives, _ args: Map, _ context: any Sendable) async throws -> Void

/// An object value handed to GraphQL: its type name (for interfaces and unions) and its fields.
/// Fields not present are resolved by registered resolvers.
struct GQLObject: Sendable {
    let typeName: String
    let fields: [String: any Sendable]

    init(_ typeName: String, _ fields: [String: any Sendable]) {
        self.typeName = typeName
        self.fields = fields
    }

    subscript(key: String) -> (any Sendable)? { fields[key] }
}

/// Turns schema text into an executable schema: the same types, arguments, directives and
/// introspection, with every object field answered by `resolvers["Type.field"]`, or else by the
/// source object's value of that name.
enum ExecutableSchema {
    /// A field's schema directives (`@requiresAllOfPrivileges(privileges: [...])` → its enum values).
    static func directives(of node: FieldDefinition?) -> FieldDirectives { Builder.directives(of: node) }

    static func build(sdl: String, resolvers: [String: FieldResolver], guard fieldGuard: FieldGuard? = nil) throws -> GraphQLSchema {
        let base = try buildSchema(source: sdl)
        let builder = Builder(base: base, resolvers: resolvers, fieldGuard: fieldGuard)
        return try builder.build()
    }

    private final class Builder: @unchecked Sendable {
        let base: GraphQLSchema
        let resolvers: [String: FieldResolver]
        let fieldGuard: FieldGuard?
        var objects: [String: GraphQLObjectType] = [:]
        var interfaces: [String: GraphQLInterfaceType] = [:]
        var unions: [String: GraphQLUnionType] = [:]

        init(base: GraphQLSchema, resolvers: [String: FieldResolver], fieldGuard: FieldGuard?) {
            self.base = base
            self.resolvers = resolvers
            self.fieldGuard = fieldGuard
        }

        /// A field's directives from its definition in the schema text.
        static func directives(of node: FieldDefinition?) -> FieldDirectives {
            var out: FieldDirectives = [:]
            for directive in node?.directives ?? [] {
                var values: [String] = []
                for argument in directive.arguments {
                    if let list = argument.value as? ListValue {
                        values += list.values.compactMap { ($0 as? EnumValue)?.value }
                    } else if let single = argument.value as? EnumValue {
                        values.append(single.value)
                    }
                }
                out[directive.name.value] = values
            }
            return out
        }

        static let resolveType: GraphQLTypeResolve = { value, _ in
            if let object = value as? GQLObject { return object.typeName }
            throw FieldError("cannot tell the type of \(value)")
        }

        func build() throws -> GraphQLSchema {
            let named = base.typeMap.values.filter { !$0.name.hasPrefix("__") }
            for type in named {
                if let iface = type as? GraphQLInterfaceType {
                    let name = iface.name
                    interfaces[name] = try GraphQLInterfaceType(
                        name: name, description: nil,
                        fields: { [unowned self] in try self.fields(of: try iface.fields(), typeName: name) },
                        interfaces: { [unowned self] in try iface.interfaces().compactMap { self.interfaces[$0.name] } },
                        resolveType: Self.resolveType)
                }
            }
            for type in named {
                if let object = type as? GraphQLObjectType {
                    let name = object.name
                    objects[name] = try GraphQLObjectType(
                        name: name, description: nil,
                        fields: { [unowned self] in try self.fields(of: try object.fields(), typeName: name) },
                        interfaces: { [unowned self] in try object.interfaces().compactMap { self.interfaces[$0.name] } })
                }
            }
            for type in named {
                if let union = type as? GraphQLUnionType {
                    unions[union.name] = try GraphQLUnionType(
                        name: union.name, resolveType: Self.resolveType,
                        types: try union.types().compactMap { objects[$0.name] })
                }
            }
            let others: [any GraphQLNamedType] = named.filter { !($0 is GraphQLObjectType || $0 is GraphQLInterfaceType || $0 is GraphQLUnionType) }
            let types: [any GraphQLNamedType] = Array(objects.values) + Array(interfaces.values) + Array(unions.values) + others
            return try GraphQLSchema(query: objects[base.queryType?.name ?? "Query"], types: types, directives: base.directives)
        }

        func remap(_ type: any GraphQLType) -> any GraphQLType {
            if let nonNull = type as? GraphQLNonNull {
                let inner = remap(nonNull.ofType)
                if let nullable = inner as? any GraphQLNullableType { return GraphQLNonNull(nullable) }
                return inner
            }
            if let list = type as? GraphQLList { return GraphQLList(remap(list.ofType)) }
            if let named = type as? any GraphQLNamedType {
                if let object = objects[named.name] { return object }
                if let iface = interfaces[named.name] { return iface }
                if let union = unions[named.name] { return union }
            }
            return type
        }

        func fields(of definitions: GraphQLFieldMap, typeName: String) throws -> GraphQLFieldMap {
            var map = GraphQLFieldMap()
            for (name, definition) in definitions {
                guard let output = remap(definition.type) as? any GraphQLOutputType else { continue }
                let args = definition.args
                let resolver = resolvers["\(typeName).\(name)"] ?? resolvers["\(typeName).*"]
                let directives = Self.directives(of: definition.astNode)
                let fieldGuard = directives.isEmpty ? nil : self.fieldGuard
                map[name] = GraphQLField(
                    type: output, description: nil, deprecationReason: definition.deprecationReason, args: args,
                    resolve: { source, args, context, info in
                        if let fieldGuard { try await fieldGuard(typeName, directives, args, context) }
                        if let resolver { return try await resolver(source, args, context, info) }
                        if let object = source as? GQLObject { return object[info.fieldName] }
                        if let dict = source as? [String: any Sendable] { return dict[info.fieldName] }
                        return nil
                    },
                    astNode: definition.astNode)
            }
            return map
        }
    }
}

/// Map ↔ JSON.
extension Map {
    var json: JSONValue {
        switch self {
        case .undefined, .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n):
            switch n.storageType {
            case .int: return .integer(Int64(n.intValue))
            case .bool: return .bool(n.boolValue)
            default: return .number(n.doubleValue)
            }
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.json))
        case .dictionary(let dict): return .object(dict.map { ($0.key, $0.value.json) })
        }
    }

    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .number(Number(Int(i)))
        case .number(let d): self = .number(Number(d))
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(Map.init(json:)))
        case .object(let pairs):
            var dict = OrderedDictionary<String, Map>()
            for (k, v) in pairs { dict[k] = Map(json: v) }
            self = .dictionary(dict)
        }
    }

    /// Argument helpers.
    subscript(key: String) -> Map {
        if case .dictionary(let dict) = self { return dict[key] ?? .undefined }
        return .undefined
    }

    var isAbsent: Bool {
        switch self {
        case .undefined, .null: return true
        default: return false
        }
    }

    var intArg: Int? {
        if case .number(let n) = self { return n.intValue }
        return nil
    }

    var doubleArg: Double? {
        if case .number(let n) = self { return n.doubleValue }
        return nil
    }

    var stringArg: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayArg: [Map]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
