import DIMOMock
import FleetCore
import Foundation
import GRDB

/// The long-lived parts of a server, shared by every route.
public struct FleetServices: Sendable {
    public let fleet: Fleet
    public let journal: Journal
    /// DIMO's surface, built once: its GraphQL schemas are compiled at start.
    public let dimo: DIMOSurface
    /// Every sandbox's fault rules.
    public let faults: FaultBook

    public init(fleet: Fleet, journal: Journal) throws {
        self.fleet = fleet
        self.journal = journal
        dimo = try DIMOSurface(fleet: fleet)
        faults = FaultBook()
    }

    /// Opens the database, checks the fixtures and makes sure the default sandbox exists.
    public static func start(_ configuration: ServerConfiguration) async throws -> FleetServices {
        let database: any DatabaseWriter
        switch configuration.storage {
        case .memory: database = try FleetDatabase.inMemory()
        case .file(let path): database = try FleetDatabase.open(path: path)
        }
        let fleet = Fleet(database: database, fixtures: FixtureLibrary(directory: configuration.fixturesDirectory))
        // The default sandbox's 30-day past is written right after the server starts listening.
        try await fleet.bootstrapDefault(historyDays: 0)
        return try FleetServices(fleet: fleet, journal: Journal())
    }

    /// Fills in the default sandbox's simulated past (deferred so startup stays fast).
    public func completeBootstrap() async {
        try? await fleet.writeHistory(Fleet.defaultSandboxId)
    }
}
