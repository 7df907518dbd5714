import FleetCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// When each sandbox was last used (a request that reached it, vendor or control API), since this server started.
public final class SandboxActivity: Sendable {
    private let lastSeen = Mutex<[String: Date]>([:])
    /// When the server started: a sandbox nobody has used since counts as idle from here (or from its creation, if later).
    public let startedAt: Date

    public init(startedAt: Date = Date()) {
        self.startedAt = startedAt
    }

    /// Records a use of `sandbox` at `time` (real time).
    public func touch(_ sandbox: String, at time: Date = Date()) {
        lastSeen.withLock { $0[sandbox] = time }
    }

    /// The latest use of `sandbox` this server has seen.
    public func lastUse(_ sandbox: String) -> Date? {
        lastSeen.withLock { $0[sandbox] }
    }

    func forget(_ sandbox: String) {
        lastSeen.withLock { $0[sandbox] = nil }
    }
}

/// Deletes sandboxes nobody has used for `idleLimit` seconds (`serve --sandbox-idle-expiry`), so a long-running
/// server that tests create sandboxes on does not grow without bound. The default sandbox is never deleted.
struct SandboxExpiry: Service {
    let services: FleetServices
    let idleLimit: TimeInterval
    let logger: Logger

    func run() async throws {
        try await runPeriodically(every: idleLimit > 0 ? min(60, max(1, idleLimit / 4)) : 0) { await sweep() }
    }

    /// Deletes every sandbox idle for at least `idleLimit` at real time `now`; returns their ids.
    @discardableResult
    func sweep(now: Date = Date()) async -> [String] {
        var expired: [String] = []
        do {
            for sandbox in try await services.fleet.sandboxes() where sandbox.id != Fleet.defaultSandboxId {
                let since = services.activity.lastUse(sandbox.id) ?? max(sandbox.createdAt, services.activity.startedAt)
                guard now.timeIntervalSince(since) >= idleLimit else { continue }
                // A request may have arrived while the list was read: look again just before deleting.
                if let latest = services.activity.lastUse(sandbox.id), now.timeIntervalSince(latest) < idleLimit { continue }
                do {
                    try await services.deleteSandbox(sandbox.id)
                    expired.append(sandbox.id)
                } catch FleetError.notFound(_, _) {
                    continue  // deleted meanwhile
                }
            }
        } catch {
            logger.warning("sandbox expiry failed: \(error)")
        }
        if !expired.isEmpty { logger.info("deleted \(expired.count) sandbox(es) idle for \(Int(idleLimit)) s: \(expired.joined(separator: ", "))") }
        return expired
    }
}
