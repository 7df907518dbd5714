import Foundation

struct CELToken: Sendable {
    enum Kind: Equatable, Sendable { case ident, int, uint, double, string, bytes, op, eof }
    let kind: Kind
    let text: String
    let offset: Int

    var display: String { kind == .eof ? "<EOF>" : text }
}

struct CELLexer {
    let s: [Unicode.Scalar]
    var i = 0
    var tokens: [CELToken] = []

    init(_ scalars: [Unicode.Scalar]) {
        s = scalars
    }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    func text(_ start: Int, _ end: Int) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: s[start..<min(end, s.count)])
        return out
    }

    static func isDigit(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return (48...57).contains(c.value)
    }

    static func isHex(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return (48...57).contains(c.value) || (65...70).contains(c.value) || (97...102).contains(c.value)
    }

    static func isIdentStart(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c == "_" || (65...90).contains(c.value) || (97...122).contains(c.value)
    }

    static func isQuote(_ c: Unicode.Scalar?) -> Bool { c == "\"" || c == "'" }

    mutating func tokenize() throws -> [CELToken] {
        while i < s.count {
            let c = s[i]
            if " \t\n\r\u{0C}".unicodeScalars.contains(c) {
                i += 1
                continue
            }
            if c == "/", peek(1) == "/" {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            let start = i
            if Self.isIdentStart(c) {
                // String prefixes: r"raw", b"bytes", rb"…", br"…".
                let lower = Character(c).lowercased()
                let next = peek(1).map { Character($0).lowercased() }
                if lower == "r" || lower == "b" {
                    if Self.isQuote(peek(1)) {
                        i += 1
                        try lexString(start: start, raw: lower == "r", bytes: lower == "b")
                        continue
                    }
                    if let next, next != lower, next == "r" || next == "b", Self.isQuote(peek(2)) {
                        i += 2
                        try lexString(start: start, raw: true, bytes: true)
                        continue
                    }
                }
                while i < s.count, Self.isIdentStart(s[i]) || Self.isDigit(s[i]) { i += 1 }
                tokens.append(CELToken(kind: .ident, text: text(start, i), offset: start))
                continue
            }
            if Self.isDigit(c) || (c == "." && Self.isDigit(peek(1))) {
                lexNumber(start: start)
                continue
            }
            if Self.isQuote(c) {
                try lexString(start: start, raw: false, bytes: false)
                continue
            }
            let pair = text(start, start + 2)
            if ["==", "!=", "<=", ">=", "&&", "||"].contains(pair) {
                tokens.append(CELToken(kind: .op, text: pair, offset: start))
                i += 2
                continue
            }
            if "<>!+-*/%?:()[]{}.,".unicodeScalars.contains(c) {
                tokens.append(CELToken(kind: .op, text: text(start, start + 1), offset: start))
                i += 1
                continue
            }
            throw CELError(offset: start, message: "Syntax error: token recognition error at: '\(text(start, start + 1))'")
        }
        tokens.append(CELToken(kind: .eof, text: "<EOF>", offset: s.count))
        return tokens
    }

    mutating func lexNumber(start: Int) {
        if s[i] == "0", peek(1) == "x" || peek(1) == "X", Self.isHex(peek(2)) {
            i += 2
            while Self.isHex(peek()) { i += 1 }
            if peek() == "u" || peek() == "U" {
                i += 1
                tokens.append(CELToken(kind: .uint, text: text(start, i), offset: start))
            } else {
                tokens.append(CELToken(kind: .int, text: text(start, i), offset: start))
            }
            return
        }
        var isFloat = false
        while Self.isDigit(peek()) { i += 1 }
        if peek() == ".", Self.isDigit(peek(1)) {
            isFloat = true
            i += 1
            while Self.isDigit(peek()) { i += 1 }
        }
        if peek() == "e" || peek() == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, Self.isDigit(s[j]) {
                isFloat = true
                i = j
                while Self.isDigit(peek()) { i += 1 }
            }
        }
        if !isFloat, peek() == "u" || peek() == "U" {
            i += 1
            tokens.append(CELToken(kind: .uint, text: text(start, i), offset: start))
            return
        }
        tokens.append(CELToken(kind: isFloat ? .double : .int, text: text(start, i), offset: start))
    }

    /// A quoted string from `i` (at the quote); single, double or triple quotes; escapes are not validated.
    mutating func lexString(start: Int, raw: Bool, bytes: Bool) throws {
        let quote = s[i]
        let triple = peek(1) == quote && peek(2) == quote
        i += triple ? 3 : 1
        while true {
            guard i < s.count else {
                throw CELError(offset: start, message: "Syntax error: token recognition error at: '\(text(start, s.count))'")
            }
            let c = s[i]
            if triple {
                if c == quote, peek(1) == quote, peek(2) == quote {
                    i += 3
                    break
                }
            } else {
                if c == quote {
                    i += 1
                    break
                }
                if c == "\n" || c == "\r" {
                    throw CELError(offset: start, message: "Syntax error: token recognition error at: '\(text(start, i + 1))'")
                }
            }
            i += c == "\\" && !raw ? 2 : 1
        }
        tokens.append(CELToken(kind: bytes ? .bytes : .string, text: text(start, i), offset: start))
    }
}

/// CEL's syntax tree; operators are calls named as in cel-go (`_>_`, `!_`, `@in`, `_[_]`, `_?_:_`).
