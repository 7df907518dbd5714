import CEL
import Foundation
import Synchronization

/// Webhook conditions compiled once: when a webhook is registered or changed (checked as upstream
/// checks them), or on the first reading after a restart; deliveries evaluate the compiled program.
final class TriggerConditions: Sendable {
    static let shared = TriggerConditions()

    private let programs = Mutex<[String: CELProgram]>([:])
    /// Distinct conditions kept; past it the table starts again (a program is cheap to rebuild).
    let capacity = 4096

    /// Compiles and type-checks a condition for a webhook of `kind`; nil when accepted (and kept), else
    /// the error text upstream puts after `invalid CEL condition: `.
    func register(_ condition: String, kind: CELCondition.Kind) -> String? {
        switch CELProgram.compile(condition, kind: kind) {
        case .failure(let rejection): return rejection.message
        case .success(let program):
            keep(program)
            return nil
        }
    }

    /// The compiled program of a stored condition (parsed now if this process has not seen it).
    func program(_ condition: String) -> CELProgram? {
        if let known = programs.withLock({ $0[condition] }) { return known }
        guard case .success(let program) = CELProgram.parse(condition) else { return nil }
        keep(program)
        return program
    }

    private func keep(_ program: CELProgram) {
        programs.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[program.source] = program
        }
    }
}
