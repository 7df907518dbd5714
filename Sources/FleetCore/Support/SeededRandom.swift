import Synchronization

/// A small deterministic generator (SplitMix64) so a sandbox's seed reproduces its world exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function: a bijection, so distinct states give distinct words.
    static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniformly distributed double in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &self)
    }
}

/// Identifiers in the shapes the vendors use.
public enum Identifiers {
    /// A lower-case UUID v4 string.
    public static func uuid<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A random-looking UUID v4 for request ids (one per response): SplitMix64 over a counter seeded
    /// once from the system generator, so no request pays a `getrandom` call. Not for secrets.
    public static func randomUUID() -> String {
        let step: UInt64 = 0x9E37_79B9_7F4A_7C15
        let state = requestIdCounter.wrappingAdd(2 &* step, ordering: .relaxed).newValue
        return uuidText(first: SeededRandom.mix(state &- step), second: SeededRandom.mix(state))
    }

    private static let requestIdCounter: Atomic<UInt64> = {
        var system = SystemRandomNumberGenerator()
        return Atomic(system.next())
    }()

    /// The v4 UUID text of sixteen bytes given as two words, low byte first (the bytes `uuid(using:)`
    /// would draw from them), written straight into the string's storage.
    static func uuidText(first: UInt64, second: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var position = 0
            for index in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: (index < 8 ? first : second) >> (8 * UInt64(index % 8)))
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = digits.utf8Start[Int(byte >> 4)]
                out[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }

    /// A random lower-case hex token of `length` characters.
    public static func hexToken<R: RandomNumberGenerator>(length: Int, using rng: inout R) -> String {
        let bytes = (0..<((length + 1) / 2)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return String(Hex.encode(bytes).prefix(length))
    }

    /// A random string over `alphabet`.
    public static func token<R: RandomNumberGenerator>(length: Int, alphabet: String, using rng: inout R) -> String {
        let chars = Array(alphabet)
        return String((0..<length).map { _ in chars[Int.random(in: 0..<chars.count, using: &rng)] })
    }
}
