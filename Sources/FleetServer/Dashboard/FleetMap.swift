import FleetCore
import Foundation

/// The fleet drawn as SVG from its own coordinates: no tiles, nothing fetched. Cars far apart (other
/// cities) get a panel each, so a fleet spread over continents stays readable.
struct FleetMap {
    struct Car {
        var vin: String
        var label: String
        var latitude: Double
        var longitude: Double
        var activity: CarActivity
        var link: String
        /// Oldest first.
        var track: [(latitude: Double, longitude: Double)]
    }

    /// Cars within this many degrees of a panel's first car share it.
    static let regionDegrees = 1.5
    static let width = 800.0

    var cars: [Car]

    /// Greedy grouping by distance to each panel's first car, in the given order (stable across refreshes).
    var regions: [[Car]] {
        var groups: [[Car]] = []
        for car in cars {
            if let index = groups.firstIndex(where: { abs($0[0].latitude - car.latitude) < Self.regionDegrees
                && abs($0[0].longitude - car.longitude) < Self.regionDegrees * 1.5 }) {
                groups[index].append(car)
            } else {
                groups.append([car])
            }
        }
        return groups
    }

    func render() -> HTML {
        guard !cars.isEmpty else { return "<p class=\"muted\">No vehicles in this sandbox.</p>" }
        return HTML.join(regions.enumerated().map { index, region in panel(region, index: index) })
    }

    private func panel(_ region: [Car], index: Int) -> HTML {
        var lats = region.map(\.latitude), lons = region.map(\.longitude)
        for car in region { lats += car.track.map(\.latitude); lons += car.track.map(\.longitude) }
        let minLat = lats.min() ?? 0, maxLat = lats.max() ?? 0, minLon = lons.min() ?? 0, maxLon = lons.max() ?? 0
        let midLat = (minLat + maxLat) / 2
        let xScale = cos(midLat * .pi / 180)
        // At least ~2 km across, so one parked car is not a point at infinity.
        let spanX = max((maxLon - minLon) * xScale, 0.02), spanY = max(maxLat - minLat, 0.02)
        let pad = 28.0
        let height = min(520, max(260, (Self.width - 2 * pad) * spanY / spanX + 2 * pad))
        let scale = min((Self.width - 2 * pad) / spanX, (height - 2 * pad) / spanY)
        let centerX = (minLon + maxLon) / 2, centerY = midLat
        func project(_ lat: Double, _ lon: Double) -> (Double, Double) {
            (Self.width / 2 + (lon - centerX) * xScale * scale, height / 2 - (lat - centerY) * scale)
        }
        var shapes: [HTML] = []
        for car in region where car.track.count > 1 {
            let points = car.track.map { fix -> String in
                let (x, y) = project(fix.latitude, fix.longitude)
                return HTML.format(x, decimals: 1) + "," + HTML.format(y, decimals: 1)
            }.joined(separator: " ")
            shapes.append("<polyline class=\"track \(car.activity.rawValue)\" points=\"\(points)\"/>")
        }
        var labelled: [(Double, Double)] = []
        for car in region {
            let (x, y) = project(car.latitude, car.longitude)
            // A label only where it does not sit on another one; the tooltip always names the car.
            let crowded = labelled.contains { abs($0.0 - x) < 90 && abs($0.1 - y) < 12 }
            if !crowded { labelled.append((x, y)) }
            let label: HTML = crowded ? .empty : "<text class=\"label\" x=\"\(x + 9, decimals: 1)\" y=\"\(y + 3, decimals: 1)\">\(car.label)</text>"
            shapes.append("""
            <a href="\(car.link)"><circle class="car \(car.activity.rawValue)" r="7" cx="\(x, decimals: 1)" cy="\(y, decimals: 1)" \
            data-vin="\(car.vin)" data-latitude="\(car.latitude, decimals: 6)" data-longitude="\(car.longitude, decimals: 6)" \
            data-activity="\(car.activity.rawValue)"><title>\(car.label) · \(car.vin) · \(car.activity.rawValue)</title></circle>\
            \(label)</a>
            """)
        }
        let caption = "around \(HTML.format(midLat, decimals: 3)), \(HTML.format((minLon + maxLon) / 2, decimals: 3)) · \(region.count) car\(region.count == 1 ? "" : "s")"
        return """
        <figure class="map" data-region="\(index)">
        <svg viewBox="0 0 \(Int(Self.width)) \(Int(height))" role="img" aria-label="\(caption)">
        <text class="region" x="8" y="16">\(caption)</text>
        \(shapes)
        </svg>
        </figure>
        """
    }

    static var legend: HTML {
        let items = [CarActivity.driving, .parked, .charging, .asleep].map { activity -> HTML in
            "<span><svg viewBox=\"0 0 10 10\"><circle class=\"\(activity.rawValue)\" cx=\"5\" cy=\"5\" r=\"5\"/></svg> \(activity.rawValue)</span>"
        }
        return "<div class=\"legend\">\(items)</div>"
    }
}
