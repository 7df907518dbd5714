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
