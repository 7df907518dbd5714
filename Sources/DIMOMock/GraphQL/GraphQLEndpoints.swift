import FleetCore
import Foundation

/// DIMO's three GraphQL APIs, each with its executable schema built from the embedded SDL.
struct GraphQLEndpoints: Sendable {
    let identity: GraphQLEndpoint
    let telemetry: GraphQLEndpoint
    let fetch: GraphQLEndpoint

    /// Builds all three; fails only if the embedded schema text does not build.
    /// Documents executing at once, over all three services: two per core.
    static let concurrentExecutions = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)

    init() throws {
        let gate = AsyncGate(limit: Self.concurrentExecutions)
        identity = GraphQLEndpoint(schema: try ExecutableSchema.build(sdl: IdentitySchema.sdl, resolvers: IdentityResolvers.all), complexityLimit: nil,
                                   gate: gate)
        let telemetrySchema = try ExecutableSchema.build(sdl: TelemetrySchema.sdl, resolvers: TelemetryResolvers.all, guard: TelemetryResolvers.fieldGuard)
        let signals = try SignalsFastPath(sdl: TelemetrySchema.sdl)
        telemetry = GraphQLEndpoint(schema: telemetrySchema, complexityLimit: 100, gate: gate,
                                    fastPath: { document, request, context in await signals.answer(document, request: request, context: context) })
        fetch = GraphQLEndpoint(schema: try ExecutableSchema.build(sdl: FetchSchema.sdl, resolvers: FetchResolvers.all), complexityLimit: nil,
                                gate: gate)
    }
}
