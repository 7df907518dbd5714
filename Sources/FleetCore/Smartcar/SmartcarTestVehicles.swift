import Foundation

/// The cars a Smartcar test-mode (`mode=test`) login is given.
///
/// Upstream's test vehicles answer every data endpoint (battery and charge, fuel and engine oil,
/// tires, location, security, …) and accept every command; a CHEVROLET login gets a Chevrolet Volt,
/// a plug-in hybrid. fleetmock keeps its test vehicles real fleet rows on the sandbox clock, so to
/// answer everything with consistent readings each one is built as a plug-in hybrid: a battery that
/// charges and a tank that empties, both in the one simulated car. A make with a plug-in hybrid of
/// its own gets that model; any other make gets one of its models, built as a plug-in hybrid
/// (upstream's test Tesla reported fuel too).
public enum SmartcarTestVehicles {
    /// Every test vehicle's tank: 30 L at the simulator's 16 km/L keeps a full tank's range within
    /// the 0–483 km upstream's test vehicles report.
    static let tankLiters = 30.0

    /// Makes whose test vehicle is a plug-in hybrid they really build (model, years, battery kWh).
    static let hybrids: [String: (model: String, years: ClosedRange<Int>, batteryKWh: Double)] = [
        "CHEVROLET": ("Volt", 2016...2019, 18.4),
        "FORD": ("Escape PHEV", 2020...2023, 14.4),
        "TOYOTA": ("RAV4 Prime", 2021...2024, 18.1),
        "BMW": ("X5 xDrive45e", 2019...2023, 24),
        "KIA": ("Niro Plug-In Hybrid", 2018...2022, 8.9),
        "HYUNDAI": ("Ioniq Plug-in Hybrid", 2018...2022, 8.9),
    ]

    /// The test vehicle model for a make (upper case).
    static func model(make: String) -> FleetGenerator.Model {
        if let hybrid = hybrids[make] {
            return FleetGenerator.Model(make: make, model: hybrid.model, wmi: "0SC", years: hybrid.years, powertrain: .phev,
                                        batteryKWh: hybrid.batteryKWh, tankLiters: tankLiters, hasSunroof: false, kmPerKWh: 4.5, kmPerLiter: 16)
        }
        let own = FleetGenerator.catalogue.first { $0.make == make }
        return FleetGenerator.Model(make: make, model: own?.model ?? "Test Vehicle", wmi: "0SC", years: own?.years ?? 2020...2024,
                                    powertrain: .phev, batteryKWh: min(own?.batteryKWh ?? 18, 60), tankLiters: tankLiters,
                                    hasSunroof: own?.hasSunroof ?? false, kmPerKWh: 4.5, kmPerLiter: 16)
    }

    /// Shapes a freshly parked state into upstream's test ranges: tires 175–237 kPa and an odometer
    /// of 10 000–300 000 km, each a decimal reading (never a whole number). The air starts at the
    /// simulator's mean of 14 °C, so tires that follow the day's temperature (±6 kPa) and warm up on
    /// the road (+6 kPa) stay within that range.
    static func shape<R: RandomNumberGenerator>(_ state: inout VehicleState, rng: inout R) {
        state.outsideTempC = 14
        state.cabinTempC = 14
        let base = rng.double(in: 210...220)
        func tire() -> Double { decimal(base + rng.double(in: -3...3)) }
        state.tirePressureKPa = Corners(frontLeft: tire(), frontRight: tire(), backLeft: tire(), backRight: tire())
        state.odometerKm = decimal(min(max(state.odometerKm, 10_000 + rng.double(in: 0...5_000)), 300_000))
    }

    /// `value` at one decimal, nudged off a whole number (219.0 becomes 219.1).
    static func decimal(_ value: Double) -> Double {
        let tenths = (value * 10).rounded()
        return (tenths.truncatingRemainder(dividingBy: 10) == 0 ? tenths + 1 : tenths) / 10
    }
}
