import Foundation

/// A small SVG line chart of one signal over a time window, drawn on the server.
struct LineChart {
    var title: String
    var unit: String
    var from: Date
    var to: Date
    var points: [(time: Date, value: Double)]

    func render() -> HTML {
        let width = 560.0, height = 150.0, left = 46.0, right = 8.0, top = 8.0, bottom = 20.0
        guard !points.isEmpty else {
            return "<figure class=\"chart\"><h3>\(title)</h3><p class=\"muted\">No samples in this window.</p></figure>"
        }
        let values = points.map(\.value)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 1; high += 1 }
        let span = max(to.timeIntervalSince(from), 1)
        func x(_ time: Date) -> Double { left + (width - left - right) * min(max(time.timeIntervalSince(from) / span, 0), 1) }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - low) / (high - low)) }
        let line = points.map { HTML.format(x($0.time), decimals: 1) + "," + HTML.format(y($0.value), decimals: 1) }.joined(separator: " ")
        let decimals = high - low >= 100 ? 0 : 1
        let last = values.last ?? 0
        return """
        <figure class="chart" data-signal="\(title)">
        <h3>\(title) <span class="muted">now \(last, decimals: decimals) \(unit)</span></h3>
        <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(title)">
        <line class="grid" x1="\(left, decimals: 0)" y1="\(y(high), decimals: 1)" x2="\(width - right, decimals: 0)" y2="\(y(high), decimals: 1)"/>
        <line class="grid" x1="\(left, decimals: 0)" y1="\(y(low), decimals: 1)" x2="\(width - right, decimals: 0)" y2="\(y(low), decimals: 1)"/>
        <text class="axis" x="2" y="\(y(high) + 4, decimals: 1)">\(high, decimals: decimals)</text>
        <text class="axis" x="2" y="\(y(low) + 4, decimals: 1)">\(low, decimals: decimals)</text>
        <text class="axis" x="\(left, decimals: 0)" y="\(height - 4, decimals: 0)">\(DashboardLayout.time(from))</text>
        <text class="axis" x="\(width - right - 120, decimals: 0)" y="\(height - 4, decimals: 0)">\(DashboardLayout.time(to))</text>
        <polyline class="line" points="\(line)"/>
        </svg>
        </figure>
        """
    }
}
