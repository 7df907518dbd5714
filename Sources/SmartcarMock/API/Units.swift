/// Smartcar's unit systems and the conversions it applies (`SC-Unit-System`).
public enum UnitSystem: String, Sendable {
    case metric, imperial

    static let milesPerKm = 0.621371
    static let psiPerKPa = 0.145038
    static let gallonsPerLiter = 0.264172

    /// Parses the header value; anything else is metric, as upstream defaults.
    init(header: String?) {
        self = header?.lowercased() == "imperial" ? .imperial : .metric
    }

    func distance(_ km: Double) -> Double { self == .metric ? km : km * Self.milesPerKm }
    func pressure(_ kPa: Double) -> Double { self == .metric ? kPa : kPa * Self.psiPerKPa }
    func volume(_ liters: Double) -> Double { self == .metric ? liters : liters * Self.gallonsPerLiter }
}

/// Rounds for the wire so values look like an OEM's, not like floating-point noise.
func rounded(_ value: Double, _ places: Int = 2) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (value * scale).rounded() / scale
}
