import FleetCore
import FleetHTTP
import Foundation
import GraphQL
import Hummingbird
import Synchronization

/// Serves one GraphQL schema the way gqlgen does: POST JSON (or GET with `query=`), 422 for parse
/// and validation errors, 200 with `errors[]` for resolver errors (only the failing field nulled).
struct GraphQLEndpoint: Sendable {
    let schema: GraphQLSchema
    /// gqlgen's fixed complexity limit, when the service sets one.
    let complexityLimit: Int?
    /// Answers some valid documents without the general executor (nil: not one of those; run it normally).
    var fastPath: (@Sendable (Document, Request, any Sendable) async -> JSONValue?)?

    /// Shared by the GraphQL services: how many documents execute at once (see ``execute(_:context:)``).
    let gate: AsyncGate

    /// Documents that parsed and validated, by their text (clients send the same few queries again and
    /// again, and parsing and validating one costs more than executing a small one).
    let validDocuments = ValidDocumentCache()

    init(schema: GraphQLSchema, complexityLimit: Int?, gate: AsyncGate,
         fastPath: (@Sendable (Document, Request, any Sendable) async -> JSONValue?)? = nil) {
        self.schema = schema
        self.complexityLimit = complexityLimit
        self.gate = gate
        self.fastPath = fastPath
    }

    struct Request {
        var query: String
        var variables: [String: Map]
        var operationName: String?
    }

    /// Reads the GraphQL request, or answers with gqlgen's transport errors.
    static func read(_ request: HBRequest, body: Data) -> Result<Request, ResponseError> {
        if request.method == .get {
            let items = request.queryItems
            guard let query = items["query"] else { return .failure(ResponseError(transportError("transport not supported"))) }
            var variables: [String: Map] = [:]
            if let text = items["variables"], let json = JSONValue.parse(Data(text.utf8)), let object = json.objectValue {
                for (k, v) in object { variables[k] = Map(json: v) }
            }
            return .success(Request(query: query, variables: variables, operationName: items["operationName"]))
        }
        guard request.method == .post else { return .failure(ResponseError(transportError("transport not supported"))) }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.contains("application/json") || contentType.contains("application/graphql-response+json") else {
            return .failure(ResponseError(transportError("transport not supported")))
        }
        guard let json = JSONValue.parse(body), json.objectValue != nil else {
            return .failure(ResponseError(transportError("json request body could not be decoded: body must be a JSON object")))
        }
        guard let query = json["query"]?.stringValue else {
            return .failure(ResponseError(Responses.json(.object([
                ("errors", .array([.object([("message", "no operation provided"), ("extensions", .object([("code", "GRAPHQL_VALIDATION_FAILED")]))])])),
                ("data", .null),
            ]), status: .unprocessableContent)))
        }
        var variables: [String: Map] = [:]
        if let object = json["variables"]?.objectValue {
            for (k, v) in object { variables[k] = Map(json: v) }
        }
        return .success(Request(query: query, variables: variables, operationName: json["operationName"]?.stringValue))
    }

    static func transportError(_ message: String) -> Response {
        Responses.json(.object([("errors", .array([.object([("message", .string(message))])])), ("data", .null)]), status: .badRequest)
    }

    /// Parses, validates and executes a document. Executions are CPU-bound and hold their whole
    /// result until they finish, so they pass a gate of a few at a time: 64 clients asking for 30 days
    /// of signals at once wait their turn instead of each holding megabytes of half-built answers
    /// (the same throughput on a machine's few cores, and a bounded peak memory).
    func execute(_ request: Request, context: any Sendable) async -> Response {
        await gate.run { await answer(request, context: context) }
    }

    private func answer(_ request: Request, context: any Sendable) async -> Response {
        let document: Document
        if let known = validDocuments.document(for: request.query) {
            document = known
        } else {
            switch prepare(request.query) {
            case .success(let parsed):
                validDocuments.insert(parsed, for: request.query)
                document = parsed
            case .failure(let refusal):
                return refusal.response
            }
        }
        if let limit = complexityLimit {
            let complexity = Complexity.of(document, operationName: request.operationName)
            if complexity > limit {
                return Self.unprocessable([GraphQLError(message: "operation has complexity \(complexity), which exceeds the limit of \(limit)")],
                                          code: "COMPLEXITY_LIMIT_EXCEEDED")
            }
        }
        if let fastPath, let answer = await fastPath(document, request, context) {
            return Responses.json(answer)
        }
        do {
            let result = try await GraphQL.execute(schema: schema, documentAST: document, rootValue: (), context: context,
                                                   variableValues: request.variables, operationName: request.operationName)
            return Responses.json(Self.render(result))
        } catch let error as GraphQLError {
            return Self.unprocessable([error], code: "GRAPHQL_VALIDATION_FAILED")
        } catch {
            return Self.unprocessable([GraphQLError(message: "\(error)")], code: "GRAPHQL_VALIDATION_FAILED")
        }
    }

    /// A document that parsed and validated against the schema, or gqlgen's 422 for it.
    private func prepare(_ query: String) -> Result<Document, ResponseError> {
        let document: Document
        // The GraphQL parser and validator recurse once per nesting level; a document nested deeper than
        // this overflowed the stack and killed the whole server (issue 14). gqlgen's Go parser has no
        // such limit (its stacks grow), so there is no upstream message: a parse error in gqlgen's shape.
        if let column = Self.excessiveNesting(query) {
            return .failure(ResponseError(Self.unprocessable([GraphQLError(message: "query nesting exceeds \(Self.maxNesting) levels",
                                                                           locations: [SourceLocation(line: column.line, column: column.column)])],
                                                             code: "GRAPHQL_PARSE_FAILED")))
        }
        do {
            document = try parse(source: Source(body: query, name: "GraphQL request"))
        } catch let error as GraphQLError {
            return .failure(ResponseError(Self.unprocessable([error], code: "GRAPHQL_PARSE_FAILED")))
        } catch {
            return .failure(ResponseError(Self.unprocessable([GraphQLError(message: "\(error)")], code: "GRAPHQL_PARSE_FAILED")))
        }
        let errors = validate(schema: schema, ast: document, rules: specifiedRules)
        if !errors.isEmpty { return .failure(ResponseError(Self.unprocessable(errors, code: "GRAPHQL_VALIDATION_FAILED"))) }
        return .success(document)
    }

    /// Deepest nesting of `{`, `(` and `[` a document may have (far beyond any real query).
    static let maxNesting = 128

    /// Where a document first nests deeper than `maxNesting` (outside strings and comments), or nil.
    static func excessiveNesting(_ query: String) -> (line: Int, column: Int)? {
        var depth = 0, line = 1, column = 0
        var inString = false, inBlockString = false, inComment = false, escaped = false
        let scalars = Array(query.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            column += 1
            if c == "\n" { line += 1; column = 0; inComment = false; i += 1; continue }
            if inComment { i += 1; continue }
            if inBlockString {
                if c == "\"", i + 2 < scalars.count, scalars[i + 1] == "\"", scalars[i + 2] == "\"" { inBlockString = false; i += 3; column += 2; continue }
                i += 1; continue
            }
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                i += 1; continue
            }
            switch c {
            case "#": inComment = true
            case "\"":
                if i + 2 < scalars.count, scalars[i + 1] == "\"", scalars[i + 2] == "\"" { inBlockString = true; i += 3; column += 2; continue }
                inString = true
            case "{", "(", "[":
                depth += 1
                if depth > maxNesting { return (line, column) }
            case "}", ")", "]": depth = max(0, depth - 1)
            default: break
            }
            i += 1
        }
        return nil
    }

    static func unprocessable(_ errors: [GraphQLError], code: String) -> Response {
        let rendered: [JSONValue] = errors.map { error in
            var pairs = errorPairs(error)
            pairs.append(("extensions", .object([("code", .string(code))])))
            return .object(pairs)
        }
        return Responses.json(.object([("errors", .array(rendered)), ("data", .null)]), status: .unprocessableContent)
    }

    static func errorPairs(_ error: GraphQLError) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = [("message", .string(error.message))]
        if !error.locations.isEmpty {
            pairs.append(("locations", .array(error.locations.map { .object([("line", .integer(Int64($0.line))), ("column", .integer(Int64($0.column)))]) })))
        }
        if !error.path.elements.isEmpty {
            pairs.append(("path", .array(error.path.elements.map { element in
                switch element {
                case .index(let i): return .integer(Int64(i))
                case .key(let k): return .string(k)
                }
            })))
        }
        return pairs
    }

    /// gqlgen's response: `errors` (when any) before `data`.
    static func render(_ result: GraphQLResult) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        if !result.errors.isEmpty {
            pairs.append(("errors", .array(result.errors.map { error in
                var items = errorPairs(error)
                if let field = error.originalError as? FieldError, !field.extensions.isEmpty {
                    items.append(("extensions", .object(field.extensions)))
                } else if !error.extensions.isEmpty {
                    items.append(("extensions", .object(error.extensions.map { ($0.key, $0.value.json) })))
                }
                if error.originalError is FieldError, let index = items.firstIndex(where: { $0.0 == "message" }) {
                    items[index].1 = .string((error.originalError as? FieldError)?.message ?? error.message)
                }
                return .object(items)
            })))
        }
        pairs.append(("data", result.data?.json ?? .null))
        return .object(pairs)
    }
}

typealias HBRequest = Hummingbird.Request

/// Valid documents by query text, for one schema. Bounded twice, so a client generating queries cannot
/// grow it without limit: past `capacity` entries it starts again empty, and a text longer than
/// `maxQueryBytes` (far beyond a hand-written query) is parsed every time instead of kept.
final class ValidDocumentCache: Sendable {
    static let capacity = 128
    static let maxQueryBytes = 8 * 1024
    private let documents = Mutex([String: Document]())

    func document(for query: String) -> Document? {
        guard query.utf8.count <= Self.maxQueryBytes else { return nil }
        return documents.withLock { $0[query] }
    }

    func insert(_ document: Document, for query: String) {
        guard query.utf8.count <= Self.maxQueryBytes else { return }
        documents.withLock { documents in
            if documents.count >= Self.capacity { documents.removeAll(keepingCapacity: true) }
            documents[query] = document
        }
    }
}

/// gqlgen's FixedComplexityLimit: every field costs 1 plus its children.
enum Complexity {
    static func of(_ document: Document, operationName: String?) -> Int {
        var fragments: [String: FragmentDefinition] = [:]
        var operations: [OperationDefinition] = []
        for definition in document.definitions {
            if let fragment = definition as? FragmentDefinition { fragments[fragment.name.value] = fragment }
            if let operation = definition as? OperationDefinition { operations.append(operation) }
        }
        let operation = operations.first { $0.name?.value == operationName } ?? operations.first
        guard let operation else { return 0 }
        var memo: [String: Int] = [:]
        return cost(operation.selectionSet, fragments: fragments, depth: 0, memo: &memo)
    }

    /// A selection set's cost. Each fragment's cost is computed once: spreading a fragment that spreads
    /// another twice, forty levels down, cost 2^40 walks and held a core for minutes (issue 14). Sums
    /// saturate instead of overflowing.
    static func cost(_ set: SelectionSet, fragments: [String: FragmentDefinition], depth: Int, memo: inout [String: Int]) -> Int {
        guard depth < 50 else { return 0 }
        var total = 0
        for selection in set.selections {
            var part = 0
            if let field = selection as? Field {
                if field.name.value.hasPrefix("__") { continue }
                part = 1 &+ (field.selectionSet.map { cost($0, fragments: fragments, depth: depth + 1, memo: &memo) } ?? 0)
            } else if let spread = selection as? FragmentSpread, let fragment = fragments[spread.name.value] {
                if let known = memo[spread.name.value] {
                    part = known
                } else {
                    memo[spread.name.value] = 0  // a cycle (refused by validation before this) costs nothing more
                    part = cost(fragment.selectionSet, fragments: fragments, depth: depth + 1, memo: &memo)
                    memo[spread.name.value] = part
                }
            } else if let inline = selection as? InlineFragment {
                part = cost(inline.selectionSet, fragments: fragments, depth: depth + 1, memo: &memo)
            }
            let (sum, overflow) = total.addingReportingOverflow(max(0, part))
            total = overflow || sum > Int.max / 4 ? Int.max / 4 : sum
        }
        return total
    }
}
