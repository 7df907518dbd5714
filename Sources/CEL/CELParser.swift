import Foundation

indirect enum CELNode: Sendable {
    case literal(CELType, Int)
    case ident(String, Int)
    case select(CELNode, String, Int)
    case call(String, [CELNode], Int)
    case method(CELNode, String, [CELNode], Int)
    case list([CELNode], Int)
    case map([CELNode], Int)
}

/// A recursive-descent parser of CEL's grammar (`CEL.g4`), without message construction and optional syntax.
struct CELParser {
    let tokens: [CELToken]
    var p = 0

    static let reserved: Set<String> = ["as", "break", "const", "continue", "else", "for", "function", "if", "import",
                                        "let", "loop", "package", "namespace", "return", "var", "void", "while"]
    static let primaryExpected = "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
    static let relations = ["<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_", "==": "_==_", "!=": "_!=_"]

    init(tokens: [CELToken]) {
        self.tokens = tokens
    }

    var current: CELToken { tokens[p] }

    func isOp(_ text: String) -> Bool { current.kind == .op && current.text == text }

    @discardableResult
    mutating func advance() -> CELToken {
        let token = tokens[p]
        if p < tokens.count - 1 { p += 1 }
        return token
    }

    func mismatched(_ expecting: String) -> CELError {
        CELError(offset: current.offset, message: "Syntax error: mismatched input '\(current.display)' expecting \(expecting)")
    }

    mutating func parse() throws -> CELNode {
        let node = try expr()
        guard current.kind == .eof else { throw mismatched("<EOF>") }
        return node
    }

    mutating func expr() throws -> CELNode {
        let condition = try or()
        guard isOp("?") else { return condition }
        let op = advance()
        let yes = try or()
        guard isOp(":") else { throw mismatched("':'") }
        advance()
        let no = try expr()
        return .call("_?_:_", [condition, yes, no], op.offset)
    }

    mutating func or() throws -> CELNode {
        var node = try and()
        while isOp("||") {
            let op = advance()
            let rhs = try and()
            node = .call("_||_", [node, rhs], op.offset)
        }
        return node
    }

    mutating func and() throws -> CELNode {
        var node = try relation()
        while isOp("&&") {
            let op = advance()
            let rhs = try relation()
            node = .call("_&&_", [node, rhs], op.offset)
        }
        return node
    }

    mutating func relation() throws -> CELNode {
        var node = try addition()
        while true {
            if current.kind == .op, let name = Self.relations[current.text] {
                let op = advance()
                let rhs = try addition()
                node = .call(name, [node, rhs], op.offset)
            } else if current.kind == .ident, current.text == "in" {
                let op = advance()
                let rhs = try addition()
                node = .call("@in", [node, rhs], op.offset)
            } else {
                return node
            }
        }
    }

    mutating func addition() throws -> CELNode {
        var node = try multiplication()
        while isOp("+") || isOp("-") {
            let op = advance()
            let rhs = try multiplication()
            node = .call(op.text == "+" ? "_+_" : "_-_", [node, rhs], op.offset)
        }
        return node
    }

    mutating func multiplication() throws -> CELNode {
        var node = try unary()
        while isOp("*") || isOp("/") || isOp("%") {
            let op = advance()
            let rhs = try unary()
            node = .call("_\(op.text)_", [node, rhs], op.offset)
        }
        return node
    }

    mutating func unary() throws -> CELNode {
        if isOp("!") {
            let op = advance()
            let operand = try unary()
            return .call("!_", [operand], op.offset)
        }
        if isOp("-") {
            let op = advance()
            let operand = try unary()
            return .call("-_", [operand], op.offset)
        }
        return try member()
    }

    mutating func member() throws -> CELNode {
        var node = try primary()
        while true {
            if isOp(".") {
                let dot = advance()
                guard current.kind == .ident else { throw mismatched("IDENTIFIER") }
                let name = advance()
                if isOp("(") {
                    let open = advance()
                    let args = try list(close: ")", trailingComma: false)
                    node = .method(node, name.text, args, open.offset)
                } else {
                    node = .select(node, name.text, dot.offset)
                }
            } else if isOp("[") {
                let open = advance()
                let index = try expr()
                guard isOp("]") else { throw mismatched("']'") }
                advance()
                node = .call("_[_]", [node, index], open.offset)
            } else {
                return node
            }
        }
    }

    /// Expressions up to `close` (consumed), comma-separated.
    mutating func list(close: String, trailingComma: Bool) throws -> [CELNode] {
        var items: [CELNode] = []
        if isOp(close) {
            advance()
            return items
        }
        while true {
            let item = try expr()
            items.append(item)
            if isOp(",") {
                advance()
                if trailingComma, isOp(close) {
                    advance()
                    return items
                }
                continue
            }
            guard isOp(close) else { throw mismatched("'\(close)'") }
            advance()
            return items
        }
    }

    mutating func primary() throws -> CELNode {
        let token = current
        switch token.kind {
        case .int:
            advance()
            return .literal(.int, token.offset)
        case .uint:
            advance()
            return .literal(.uint, token.offset)
        case .double:
            advance()
            return .literal(.double, token.offset)
        case .string:
            advance()
            return .literal(.string, token.offset)
        case .bytes:
            advance()
            return .literal(.bytes, token.offset)
        case .ident:
            if token.text == "true" || token.text == "false" {
                advance()
                return .literal(.bool, token.offset)
            }
            if token.text == "null" {
                advance()
                return .literal(.null, token.offset)
            }
            return try identifier()
        case .op:
            switch token.text {
            case "(":
                advance()
                let inner = try expr()
                guard isOp(")") else { throw mismatched("')'") }
                advance()
                return inner
            case "[":
                let open = advance()
                let items = try list(close: "]", trailingComma: true)
                return .list(items, open.offset)
            case "{":
                let open = advance()
                var items: [CELNode] = []
                if isOp("}") {
                    advance()
                    return .map(items, open.offset)
                }
                while true {
                    let key = try expr()
                    guard isOp(":") else { throw mismatched("':'") }
                    advance()
                    let value = try expr()
                    items += [key, value]
                    if isOp(",") {
                        advance()
                        if isOp("}") {
                            advance()
                            return .map(items, open.offset)
                        }
                        continue
                    }
                    guard isOp("}") else { throw mismatched("'}'") }
                    advance()
                    return .map(items, open.offset)
                }
            case ".":
                // A leading dot names the root scope: `.value`.
                advance()
                guard current.kind == .ident else { throw mismatched("IDENTIFIER") }
                return try identifier()
            default:
                throw mismatched(Self.primaryExpected)
            }
        case .eof:
            throw mismatched(Self.primaryExpected)
        }
    }

    /// An identifier, or a global call when `(` follows.
    mutating func identifier() throws -> CELNode {
        let token = current
        if ["in", "true", "false", "null"].contains(token.text) {
            throw mismatched(Self.primaryExpected)
        }
        if Self.reserved.contains(token.text) {
            throw CELError(offset: token.offset, message: "Syntax error: reserved identifier: \(token.text)")
        }
        advance()
        if isOp("(") {
            let open = advance()
            let args = try list(close: ")", trailingComma: false)
            return .call(token.text, args, open.offset)
        }
        return .ident(token.text, token.offset)
    }
}
