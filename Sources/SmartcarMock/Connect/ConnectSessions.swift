import FleetCore
import FleetHTTP
import Foundation
import Synchronization

/// One Connect visit, from `/oauth/authorize` to the redirect back.
struct ConnectSession: Sendable {
    var id: String
    var sandboxId: String
    var clientId: String
    var appName: String
    var redirectUri: String
    var scopes: [String]
    var state: String?
    var mode: SmartcarMode
    var make: String?
    var singleSelect: Bool
    var singleSelectVin: String?
    var ownerId: Int64?
    var email: String?
    /// Vehicles offered on the permissions page.
    var vehicleIds: [Int64] = []
    var createdAt: Date
}

/// Connect sessions in memory (they last minutes; a restart simply starts Connect over).
final class ConnectSessions: Sendable {
    private let sessions = Mutex([String: ConnectSession]())
    static let lifetime: TimeInterval = 1800

    func insert(_ session: ConnectSession) {
        sessions.withLock { all in
            let cutoff = Date().addingTimeInterval(-Self.lifetime)
            all = all.filter { $0.value.createdAt > cutoff }
            all[session.id] = session
        }
    }

    func get(_ id: String?) -> ConnectSession? {
        guard let id else { return nil }
        return sessions.withLock { all in
            guard let session = all[id], session.createdAt > Date().addingTimeInterval(-Self.lifetime) else { return nil }
            return session
        }
    }

    func update(_ session: ConnectSession) {
        sessions.withLock { $0[session.id] = session }
    }

    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}

/// The Connect redirect errors, with Smartcar's exact descriptions.
enum ConnectError: String, Sendable, CaseIterable {
    case accessDenied = "access_denied"
    case invalidSubscription = "invalid_subscription"
    case configurationError = "configuration_error"
    case noVehicles = "no_vehicles"
    case vehicleIncompatible = "vehicle_incompatible"
    case serverError = "server_error"
    case oemCancelledLogin = "oem_cancelled_login"
    case userReturned = "user_manually_returned_to_application"
    case batteryCapacityNoSelection = "battery_capacity_no_selection"

    var description: String {
        switch self {
        case .accessDenied: return "User denied access to application."
        case .invalidSubscription: return "User does not have an active connected vehicle subscription"
        case .configurationError: return "There has been an error in the configuration of your application."
        case .noVehicles: return "No vehicles found. Please add vehicles to your account and try again."
        case .vehicleIncompatible: return "The user’s vehicle is not compatible."
        case .serverError: return "Unexpected server error. Please try again."
        case .oemCancelledLogin: return "The user did not complete authorization with the OEM"
        case .userReturned: return "The user exited Connect before granting your application access"
        case .batteryCapacityNoSelection: return "user did not know battery capacity"
        }
    }
}
