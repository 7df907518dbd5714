import FleetCore
import Foundation
import GraphQL
import OrderedCollections

/// Telemetry's most common query answered without the general executor: one `signals` field whose
/// selections are `timestamp` and scalar aggregations with a literal or variable `agg`. For 30 days at
/// 1 h the executor spends most of its time coercing the `agg` argument and completing values, once per
/// bucket and field; here the same resolvers are called directly. Anything else (fragments, directives,
/// filters, nested selections, `__typename`, a failing privilege, any resolver error) returns nil and the
/// executor answers, so errors and their paths stay exactly the executor's. A test compares both.
struct SignalsFastPath: Sendable {
    private struct Column {
        var key: String
        var field: String
        var agg: String?
        var directives: FieldDirectives
    }

    let rootDirectives: FieldDirectives
    let aggregationDirectives: [String: FieldDirectives]
    /// Aggregation fields of a scalar type (Float or String); the others need a selection set.
    let scalarFields: Set<String>

    /// Reads the directives and field types from the schema text (the executable schema's types build
    /// their fields lazily from a builder that is gone once the schema is made).
    init(sdl: String) throws {
        let schema = try buildSchema(source: sdl)
        let query = schema.queryType
        rootDirectives = ExecutableSchema.directives(of: (try? query?.fields())?["signals"]?.astNode)
        var directives: [String: FieldDirectives] = [:]
        var scalars = Set<String>()
        if let type = schema.getType(name: "SignalAggregations") as? GraphQLObjectType, let fields = try? type.fields() {
            for (name, field) in fields {
                directives[name] = ExecutableSchema.directives(of: field.astNode)
                var output: any GraphQLType = field.type
                if let nonNull = output as? GraphQLNonNull { output = nonNull.ofType }
                if output is GraphQLScalarType { scalars.insert(name) }
            }
        }
        aggregationDirectives = directives
        scalarFields = scalars
    }

    func answer(_ document: Document, request: GraphQLEndpoint.Request, context: any Sendable) async -> JSONValue? {
        guard let context = context as? TelemetryContext, document.definitions.count == 1,
              let operation = document.definitions.first as? OperationDefinition, operation.operation == .query,
              operation.directives.isEmpty, request.operationName == nil || request.operationName == operation.name?.value,
              operation.selectionSet.selections.count == 1, let root = operation.selectionSet.selections.first as? Field,
              root.name.value == "signals", root.directives.isEmpty, let selections = root.selectionSet?.selections else { return nil }
        var rootArgs = OrderedDictionary<String, Map>()
        for argument in root.arguments {
            guard argument.name.value != "filter", let value = Self.value(argument.value, request.variables) else { return nil }
            rootArgs[argument.name.value] = value
        }
        var columns: [Column] = []
        var keys = Set<String>()
        for selection in selections {
            guard let field = selection as? Field, field.directives.isEmpty, field.selectionSet == nil else { return nil }
            let name = field.name.value
            let key = field.alias?.value ?? name
            guard keys.insert(key).inserted else { return nil }
            if name == "timestamp" {
                guard field.arguments.isEmpty else { return nil }
                columns.append(Column(key: key, field: name, agg: nil, directives: [:]))
                continue
            }
            guard scalarFields.contains(name), field.arguments.count == 1, field.arguments[0].name.value == "agg",
                  let agg = Self.value(field.arguments[0].value, request.variables)?.stringArg else { return nil }
            columns.append(Column(key: key, field: name, agg: agg, directives: aggregationDirectives[name] ?? [:]))
        }
        let args = Map.dictionary(rootArgs)
        do {
            // The same guards the executor runs: any refusal goes back to it for the exact error.
            if !rootDirectives.isEmpty { try await TelemetryResolvers.fieldGuard("Query", rootDirectives, args, context) }
            for column in columns where !column.directives.isEmpty {
                try await TelemetryResolvers.fieldGuard("SignalAggregations", column.directives, .dictionary(["agg": .string(column.agg ?? "")]), context)
            }
            guard let buckets = try await TelemetryResolvers.signalBuckets(args, context) else {
                return .object([("data", .object([(root.alias?.value ?? "signals", .null)]))])
            }
            var rows: [JSONValue] = []
            rows.reserveCapacity(buckets.count)
            for bucket in buckets {
                var pairs: [(String, JSONValue)] = []
                for column in columns {
                    let value = try await TelemetryResolvers.aggregate(bucket, field: column.field, args: .dictionary(["agg": .string(column.agg ?? "")]),
                                                                       context: context)
                    guard let json = Self.json(value) else { return nil }
                    pairs.append((column.key, json))
                }
                rows.append(.object(pairs))
            }
            return .object([("data", .object([(root.alias?.value ?? "signals", .array(rows))]))])
        } catch {
            return nil
        }
    }

    /// A literal or variable argument as the executor would hand it to a resolver; nil when unsure.
    static func value(_ node: any Value, _ variables: [String: Map]) -> Map? {
        switch node {
        case let int as IntValue: return Int(int.value).map { .number(Number($0)) }
        case let string as StringValue: return .string(string.value)
        case let enumValue as EnumValue: return .string(enumValue.value)
        case let variable as Variable:
            guard let value = variables[variable.name.value] else { return nil }
            switch value {
            case .string, .number: return value
            default: return nil
            }
        default: return nil
        }
    }

    /// A resolver's scalar result as the executor serializes it; nil for anything else.
    static func json(_ value: (any Sendable)?) -> JSONValue? {
        switch value {
        case nil: return .null
        case let double as Double: return double.isFinite ? .number(double) : nil
        case let string as String: return .string(string)
        default: return nil
        }
    }
}
