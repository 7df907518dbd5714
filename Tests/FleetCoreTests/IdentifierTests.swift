@testable import FleetCore
import Foundation
import Testing

@Suite struct IdentifierTests {
    /// Hands out the bytes of two words, low byte first, one per draw: what `uuidText` formats.
    struct ByteDraws: RandomNumberGenerator {
        var words: (UInt64, UInt64)
        var index = 0

        mutating func next() -> UInt64 {
            defer { index += 1 }
            let word = index < 8 ? words.0 : words.1
            return (word >> (8 * UInt64(index % 8))) & 0xFF
        }
    }

    @Test(arguments: [(UInt64(0), UInt64(0)), (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210), (.max, .max)])
    func requestIdsFormatTheSameBytesAsTheGenericUUID(first: UInt64, second: UInt64) {
        var draws = ByteDraws(words: (first, second))
        #expect(Identifiers.uuidText(first: first, second: second) == Identifiers.uuid(using: &draws))
    }

    @Test func requestIdsAreVersionFourUUIDsAndDiffer() {
        let ids = (0..<1000).map { _ in Identifiers.randomUUID() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(UUID(uuidString: id) != nil)
            #expect(id == id.lowercased())
            let characters = Array(id)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
        }
    }

    @Test(arguments: [("2.0", true), ("1.10", true), ("10.0", true), ("2", false), ("2.", false), (".0", false),
                      ("2.0.1", false), ("2a.0", false), ("", false), ("٢.٠", false)])
    func majorMinorVersions(text: String, numeric: Bool) {
        #expect(RequestTarget.isMajorMinor(text) == numeric)
        #expect(RequestTarget.isMajorMinor(Substring(text)) == numeric)
    }
}
