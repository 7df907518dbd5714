import FleetCore
import Foundation
import Synchronization

/// Where a Login with DIMO visit starts and what it ends with (the `entryState` parameter).
enum LoginEntryState: String, Sendable {
    /// Log in and go back with the user's JWT.
    case emailInput = "EMAIL_INPUT"
    /// Log in, then share vehicles with the developer license.
    case vehicleManager = "VEHICLE_MANAGER"
}

/// One visit to the Login with DIMO page, from the first request to the redirect back.
struct LoginSession: Sendable {
    var id: String
    var sandboxId: String
    var clientId: String
    var redirectUri: String
    var entryState: LoginEntryState
    /// Privilege ids (1-8) the app asks for when sharing.
    var privileges: [Int]
    /// When the granted permissions end; nil for the default of one year.
    var expiresAt: Date?
    /// Offered vehicles, narrowed by the `vehicles`, `vehicleMakes` and `powertrainTypes` parameters.
    var tokenIdFilter: Set<Int64>
    var makeFilter: Set<String>
    var powertrainFilter: Set<String>
    var appName: String
    var utm: String
    var createdAt: Date
    var email: String?
    var otp: String?
    var otpAttempts = 0
    /// The owner record when the email belongs to one; nil for an account with no vehicles.
    var ownerId: Int64?
    var walletAddress: String?
    var authenticated = false
}

/// Login sessions in memory; they live 30 minutes, like the real page's state.
final class LoginSessions: Sendable {
    private let sessions = Mutex([String: LoginSession]())
    static let lifetime: TimeInterval = 1800

    func insert(_ session: LoginSession) {
        sessions.withLock { all in
            let cutoff = Date().addingTimeInterval(-Self.lifetime)
            all = all.filter { $0.value.createdAt > cutoff }
            all[session.id] = session
        }
    }

    func get(_ id: String?) -> LoginSession? {
        guard let id else { return nil }
        return sessions.withLock { all in
            guard let session = all[id], session.createdAt > Date().addingTimeInterval(-Self.lifetime) else { return nil }
            return session
        }
    }

    func update(_ session: LoginSession) {
        sessions.withLock { $0[session.id] = session }
    }

    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}

/// The permission names Login with DIMO shows and its `permissions` bit string order (privilege ids 1-8).
enum LoginPermissions {
    static let labels: [Int: String] = [
        1: "Non-location history (odometer, battery, fuel and the other signals)",
        2: "Commands (lock, unlock, start charging)",
        3: "Current location",
        4: "Location history",
        5: "Credentials (VIN)",
        6: "Live data streams",
        7: "Raw data",
        8: "Approximate location",
    ]

    /// The privileges a request asks for: the `permissions` bit string (position n is privilege n), else the
    /// template (`1` adds commands to the default set), else the default set.
    static func resolve(bits: String?, templateId: String?) -> Result<[Int], LoginFlow.StartError> {
        if let bits, !bits.isEmpty {
            guard bits.count <= 8, bits.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                return .failure(.init(message: "Invalid permissions: \(bits). Use a string of up to eight 0s and 1s."))
            }
            let ids = bits.enumerated().compactMap { $0.element == "1" ? $0.offset + 1 : nil }
            guard !ids.isEmpty else { return .failure(.init(message: "Invalid permissions: \(bits). Ask for at least one permission.")) }
            return .success(ids)
        }
        let base = [1, 3, 4, 5, 6]
        return .success(templateId == "1" ? [1, 2, 3, 4, 5, 6] : base)
    }
}
