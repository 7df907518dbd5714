import Foundation
import Hummingbird
import Synchronization

/// What the layers of one request tell each other: which sandbox and vendor it reached, and
/// which fault was applied. A reference shared by every copy of the request context, so a
/// handler deep in a vendor surface can report back to the journal middleware.
public final class RequestScope: Sendable {
    private struct Values {
        var sandboxId: String?
        var vendor: String?
        var fault: String?
        var requestId: String?
    }

    private let values = Mutex(Values())

    public init() {}

    public var sandboxId: String? {
        get { values.withLock { $0.sandboxId } }
        set { values.withLock { $0.sandboxId = newValue } }
    }

    public var vendor: String? {
        get { values.withLock { $0.vendor } }
        set { values.withLock { $0.vendor = newValue } }
    }

    public var fault: String? {
        get { values.withLock { $0.fault } }
        set { values.withLock { $0.fault = newValue } }
    }

    public var requestId: String? {
        get { values.withLock { $0.requestId } }
        set { values.withLock { $0.requestId = newValue } }
    }
}

/// The request context every fleetmock route runs with.
public struct FleetRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let scope: RequestScope

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        scope = RequestScope()
    }

    /// Bodies up to 2 MB are read; the vendors reject larger ones long before that.
    public var maxUploadSize: Int { 2 * 1024 * 1024 }
}
