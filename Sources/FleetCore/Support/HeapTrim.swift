#if canImport(Glibc)
import Glibc
#endif

/// Asks the C allocator to return free heap memory to the system, where it can (glibc's `malloc_trim`,
/// looked up at run time: the Glibc module does not export it, and other C libraries lack it).
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Returns free heap pages to the system; a no-op where the allocator cannot.
    static func now() {
        _ = trim?(0)
    }
}
