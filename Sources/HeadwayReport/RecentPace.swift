import HeadwayModel

/// The recent pace: the least-squares slope of progress against days over a recent window.
enum RecentPace {
    struct Fit {
        /// Units per day.
        var slope: Double
        /// The slope's standard error; nil with fewer than three points (no scatter to measure).
        var standardError: Double?
    }

    /// Fits the points from `windowDays` before `latest` to `latest`, with the baseline itself
    /// (progress 0 at offset 0) as a point when it falls in the window. At least two points are
    /// always used: the window widens to the two most recent.
    static func fit(points: [ProgressPoint], latest: CivilDate, windowDays: Int, offset: (CivilDate) -> Double) -> Fit {
        var all: [(x: Double, y: Double)] = [(0, 0)] + points.map { (offset($0.date), $0.progress.double) }
        all.sort { $0.x < $1.x }
        let start = offset(latest) - Double(windowDays)
        var window = all.filter { $0.x >= start }
        if window.count < 2 { window = Array(all.suffix(2)) }
        let n = Double(window.count)
        let meanX = window.map(\.x).reduce(0, +) / n
        let meanY = window.map(\.y).reduce(0, +) / n
        let sxx = window.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        let sxy = window.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
        guard sxx > 0 else { return Fit(slope: 0, standardError: nil) }
        let slope = sxy / sxx
        guard window.count >= 3 else { return Fit(slope: slope, standardError: nil) }
        let intercept = meanY - slope * meanX
        let residuals = window.map { $0.y - (intercept + slope * $0.x) }
        let variance = residuals.map { $0 * $0 }.reduce(0, +) / (n - 2)
        return Fit(slope: slope, standardError: (variance / sxx).squareRoot())
    }
}
