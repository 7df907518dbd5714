import Foundation

/// A vehicle's day, planned deterministically from the sandbox seed: commutes on weekdays, errands,
/// weekend outings. Times are in the owner's local time (a fixed offset by longitude).
struct Routine {
    struct Leg {
        var start: Date
        var duration: TimeInterval
        var from: (Double, Double)
        var to: (Double, Double)
        var distanceKm: Double
        var endsAtHome: Bool
    }

    let home: (Double, Double)
    let work: (Double, Double)
    let commuteKm: Double
    let activity: Double
    let seed: UInt64

    init(seed: UInt64, vehicleKey: Int64, home: (Double, Double)) {
        var rng = SeededRandom(seed: seed ^ UInt64(bitPattern: vehicleKey &* 0x9E37_79B9))
        self.seed = rng.next()
        self.home = home
        let bearing = rng.double(in: 0...(2 * .pi))
        let km = rng.double(in: 8...24)
        work = Geo.offset(home, km: km, bearing: bearing)
        commuteKm = km * rng.double(in: 1.15...1.35)
        activity = rng.double(in: 0.6...1.0)
    }

    /// Local-time offset in seconds, from the home's longitude (15° per hour).
    var utcOffset: TimeInterval { (home.1 / 15).rounded() * 3600 }

    /// The legs that start on the local day `dayStart` (a UTC instant of local midnight).
    func legs(dayStart: Date, dayIndex: Int64) -> [Leg] {
        var rng = SeededRandom(seed: seed ^ UInt64(bitPattern: dayIndex &* 0x632B_E59B_D9B4_E019))
        // 1 = Sunday … 7 = Saturday; 1970-01-01 was a Thursday.
        let weekday = Int(((dayIndex % 7) + 7 + 4) % 7) + 1
        var out: [Leg] = []
        func leg(at hour: Double, from: (Double, Double), to: (Double, Double), km: Double, home: Bool) {
            let speed = km > 30 ? rng.double(in: 55...85) : rng.double(in: 28...45)
            out.append(Leg(start: dayStart.addingTimeInterval(hour * 3600), duration: km / speed * 3600, from: from, to: to, distanceKm: km, endsAtHome: home))
        }
        if weekday >= 2 && weekday <= 6 {
            if rng.double(in: 0...1) < activity {
                leg(at: rng.double(in: 7.0...8.25), from: home, to: work, km: commuteKm, home: false)
                leg(at: rng.double(in: 16.75...18.5), from: work, to: home, km: commuteKm, home: true)
            }
            if rng.double(in: 0...1) < 0.35 * activity {
                let errandKm = rng.double(in: 3...8)
                let shop = Geo.offset(home, km: errandKm * 0.8, bearing: rng.double(in: 0...(2 * .pi)))
                let at = rng.double(in: 19.0...20.0)
                leg(at: at, from: home, to: shop, km: errandKm, home: false)
                leg(at: at + rng.double(in: 0.6...1.2), from: shop, to: home, km: errandKm, home: true)
            }
        } else if rng.double(in: 0...1) < 0.6 * activity {
            let km = rng.double(in: 20...80)
            let place = Geo.offset(home, km: km * 0.8, bearing: rng.double(in: 0...(2 * .pi)))
            let at = rng.double(in: 10.0...13.0)
            leg(at: at, from: home, to: place, km: km, home: false)
            leg(at: at + km / 60 + rng.double(in: 2...4), from: place, to: home, km: km, home: true)
        }
        return out
    }

    /// The distance driven within `[from, to)`, counting legs cut by either end only in part
    /// (exactly what the simulator will drive over that interval). A leg begun before `from` counts only
    /// when the car is on it at `from` (`driving`); a parked car does not resume it.
    func distance(from: Date, to: Date, driving: Bool) -> Double {
        legs(from: from.addingTimeInterval(-12 * 3600), to: to).filter { driving || $0.start >= from }.reduce(0) { total, leg in
            let end = leg.start.addingTimeInterval(leg.duration)
            let overlap = min(end, to).timeIntervalSince(max(leg.start, from))
            return overlap > 0 ? total + leg.distanceKm * overlap / leg.duration : total
        }
    }

    /// A diagnostic trouble code the car sets at `start` and clears by itself at `end`.
    struct TroubleEpisode: Equatable {
        var code: String
        var start: Date
        var end: Date
    }

    /// Codes a powertrain plausibly sets (OBD-II, SAE J2012).
    static func troubleCodes(for powertrain: Powertrain) -> [String] {
        switch powertrain {
        case .ice: return ["P0420", "P0171", "P0300", "P0456", "P0128", "C0750"]
        case .hev: return ["P0420", "P0A80", "P0128", "P0456", "C0750"]
        case .phev: return ["P0A80", "P0AA6", "P0456", "P0420", "C0750"]
        case .bev: return ["P0AA6", "P0A7F", "U0100", "C0750"]
        }
    }

    /// Trouble-code episodes overlapping `[from, to)`, by start: about one a month, each lasting one to nine days.
    func troubleEpisodes(_ powertrain: Powertrain, from: Date, to: Date) -> [TroubleEpisode] {
        guard to > from else { return [] }
        let codes = Self.troubleCodes(for: powertrain)
        var day = Int64(((from.timeIntervalSince1970 + utcOffset) / 86400).rounded(.down)) - 10
        var out: [TroubleEpisode] = []
        while true {
            let dayStart = Date(timeIntervalSince1970: Double(day) * 86400 - utcOffset)
            if dayStart >= to { break }
            var rng = SeededRandom(seed: seed ^ 0xD7C0_5EED ^ UInt64(bitPattern: day &* 0x2545_F491_4F6C_DD1D))
            if rng.double(in: 0...1) < 0.035 {
                let code = codes[Int(rng.next() % UInt64(codes.count))]
                let start = dayStart.addingTimeInterval((rng.double(in: 7...21) * 3600).rounded())
                let end = start.addingTimeInterval((rng.double(in: 1...9) * 86400).rounded())
                if start < to, end > from { out.append(TroubleEpisode(code: code, start: start, end: end)) }
            }
            day += 1
        }
        return out
    }

    /// Every leg starting in `[from, to)`.
    func legs(from: Date, to: Date) -> [Leg] {
        guard to > from else { return [] }
        let local = from.timeIntervalSince1970 + utcOffset
        var day = Int64((local / 86400).rounded(.down))
        var out: [Leg] = []
        while true {
            let dayStart = Date(timeIntervalSince1970: Double(day) * 86400 - utcOffset)
            if dayStart >= to { break }
            out += legs(dayStart: dayStart, dayIndex: day).filter { $0.start >= from && $0.start < to }
            day += 1
        }
        return out
    }
}

/// Small geometry on a sphere.
enum Geo {
    static func offset(_ point: (Double, Double), km: Double, bearing: Double) -> (Double, Double) {
        let dLat = km / 111.0 * cos(bearing)
        let dLon = km / (111.0 * max(0.2, cos(point.0 * .pi / 180))) * sin(bearing)
        return (point.0 + dLat, point.1 + dLon)
    }

    static func heading(from a: (Double, Double), to b: (Double, Double)) -> Double {
        let y = (b.1 - a.1) * cos(a.0 * .pi / 180)
        let x = b.0 - a.0
        let degrees = atan2(y, x) * 180 / .pi
        return (degrees + 360).truncatingRemainder(dividingBy: 360)
    }
}
