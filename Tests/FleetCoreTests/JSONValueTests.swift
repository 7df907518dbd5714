@testable import FleetCore
import Foundation
import Testing

/// The JSON writer every vendor body goes through: key order kept, strings escaped as RFC 8259 asks.
@Suite struct JSONValueTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("quote \" and back\\slash", #""quote \" and back\\slash""#),
        ("line\nreturn\rtab\t", #""line\nreturn\rtab\t""#),
        ("\u{01}\u{1f}\u{7f}", "\"\\u0001\\u001f\u{7f}\""),
        ("héllo ✓ 🚗", "\"héllo ✓ 🚗\""),
        ("\"", #""\"""#),
    ])
    func stringsAreEscaped(_ text: String, _ expected: String) {
        #expect(JSONValue.string(text).text == expected)
    }

    @Test func documentsKeepTheirOrderAndNumbers() {
        let value = JSONValue.object([("b", .integer(-3)), ("a", .array([.number(1.5), .number(2), .null, .bool(true)])), ("k\"", .string("v"))])
        #expect(value.text == #"{"b":-3,"a":[1.5,2,null,true],"k\"":"v"}"#)
        #expect(value.encoded() == Data(value.text.utf8))
        // What it writes, it reads back the same.
        #expect(JSONValue.parse(value.encoded())?.text == value.text)
    }
}
