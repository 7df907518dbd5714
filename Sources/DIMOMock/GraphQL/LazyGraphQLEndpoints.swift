import Synchronization

/// DIMO's GraphQL schemas, built once, when DIMO is first used: building them takes longer than the
/// server takes to start and holds about 10 MB, which a server only ever asked Smartcar questions
/// never needs. The first DIMO request of any kind starts the build in the background (an SDK
/// logs in before it queries), and the first query waits for it.
final class LazyGraphQLEndpoints: Sendable {
    private let build = Mutex<Task<GraphQLEndpoints, any Error>?>(nil)

    /// The build, started now if it has not been.
    var task: Task<GraphQLEndpoints, any Error> {
        build.withLock { started in
            if let started { return started }
            let task = Task.detached(priority: .userInitiated) { try GraphQLEndpoints() }
            started = task
            return task
        }
    }

    /// Whether a DIMO request (or a caller of `task`) has started the build.
    var isStarted: Bool { build.withLock { $0 != nil } }

    /// Starts the build if it has not started.
    func warm() {
        _ = task
    }
}
