/// One entry of the fault catalogue: a real error a client can meet, by a stable id.
public struct FaultCatalogEntry: Sendable, Equatable {
    public var id: String
    public var vendor: String
    public var service: String
    public var status: Int
    public var summary: String

    public init(id: String, vendor: String, service: String, status: Int, summary: String) {
        self.id = id
        self.vendor = vendor
        self.service = service
        self.status = status
        self.summary = summary
    }
}

/// Edit distance, for suggesting the closest catalogue ids.
public enum Closest {
    public static func ids(to text: String, in candidates: [String], count: Int = 5) -> [String] {
        let needle = text.lowercased()
        let scored: [(id: String, score: Int)] = candidates.map { (id: $0, score: distance(needle, $0.lowercased())) }
        let sorted = scored.sorted { lhs, rhs in lhs.score == rhs.score ? lhs.id < rhs.id : lhs.score < rhs.score }
        return sorted.prefix(count).map { $0.id }
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
