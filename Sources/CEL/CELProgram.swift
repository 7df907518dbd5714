import Foundation

/// Why a condition was refused: cel-go's message layout (`ERROR: <input>:1:5: …\n | source\n | ....^`)
/// or a type complaint (`output type is not bool: int`).
public struct CELRejection: Error, Sendable, Equatable {
    public let message: String
}

/// A condition parsed (and, when compiled with a kind, type-checked) once, evaluated against many readings.
public struct CELProgram: Sendable {
    public let source: String
    let root: CELNode
    /// The literal tokens by source offset (the evaluator reads their text).
    let literals: [Int: CELToken]

    /// Parses and type-checks `source` for a webhook of `kind`, as upstream does when a webhook is registered.
    public static func compile(_ source: String, kind: CELCondition.Kind) -> Result<CELProgram, CELRejection> {
        let scalars = Array(source.unicodeScalars)
        switch parse(source, scalars: scalars) {
        case .failure(let rejection):
            return .failure(rejection)
        case .success(let program):
            if let problem = CELCondition.typeCheck(program.root, scalars: scalars, kind: kind) { return .failure(CELRejection(message: problem)) }
            return .success(program)
        }
    }

    /// Parses `source` without the type check (a stored condition that was checked when it was registered).
    public static func parse(_ source: String) -> Result<CELProgram, CELRejection> {
        parse(source, scalars: Array(source.unicodeScalars))
    }

    private static func parse(_ source: String, scalars: [Unicode.Scalar]) -> Result<CELProgram, CELRejection> {
        do {
            var lexer = CELLexer(scalars)
            let tokens = try lexer.tokenize()
            var parser = CELParser(tokens: tokens)
            let root = try parser.parse()
            let literals = Dictionary(tokens.map { ($0.offset, $0) }, uniquingKeysWith: { first, _ in first })
            return .success(CELProgram(source: source, root: root, literals: literals))
        } catch let error as CELError {
            return .failure(CELRejection(message: error.display(in: scalars)))
        } catch {
            return .failure(CELRejection(message: "\(error)"))
        }
    }

    /// True only when the condition evaluates to `true` over `variables`; a condition that does not
    /// evaluate (unknown variable, type mismatch, division by zero) does not hold.
    public func holds(_ variables: [String: CELValue]) -> Bool {
        (try? CELEvaluator(literals: literals, variables: variables).eval(root)) == .bool(true)
    }
}
