import FleetCore
import Foundation

/// A JSON number as a Double (JSONSerialization gives NSNumber on Linux, Int/Double elsewhere).
public func number(_ value: Any?) -> Double? {
    if let n = value as? NSNumber { return n.doubleValue }
    if let d = value as? Double { return d }
    if let i = value as? Int { return Double(i) }
    return nil
}

/// A JSON number that is a whole number, as an Int.
public func integer(_ value: Any?) -> Int? {
    guard let d = number(value), d.rounded() == d, abs(d) < 9e15 else { return nil }
    return Int(d)
}

/// Parses JSON into the Foundation values JSONSerialization gives (`[String: Any]`, `[Any]`, `String`,
/// `NSNumber` for numbers and booleans, `NSNull`), but reads numbers exactly: JSONSerialization on
/// Linux can miss the last bit of a 17-digit number (`-122.31270924562597` came back as `…591`).
public func foundationJSON(_ data: Data) -> Any? {
    JSONValue.parse(data).map(foundationValue)
}

private func foundationValue(_ value: JSONValue) -> Any {
    switch value {
    case .null: NSNull()
    case .bool(let flag): NSNumber(value: flag)
    case .integer(let whole): NSNumber(value: whole)
    case .number(let real): NSNumber(value: real)
    case .string(let text): text
    case .array(let items): items.map(foundationValue)
    case .object(let members): Dictionary(members.map { ($0.0, foundationValue($0.1)) }, uniquingKeysWith: { _, last in last })
    }
}
