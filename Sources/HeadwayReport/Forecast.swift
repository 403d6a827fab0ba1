import Foundation

/// How progress is expected to move from the latest point to the deadline: a random walk with
/// drift, estimated from the increments between consecutive points (docs/METHODS.md, section 6).
///
/// Over h days the change is drift · h, with variance σ² · φ · (h + h² / span): the increments
/// still to come (h σ² φ) and the uncertainty of the drift itself, measured over `span` days
/// (h² σ² φ / span). φ = (1 + ρ) / (1 − ρ) widens it for autocorrelated rates. Quantiles come
/// from Student's t with `degreesOfFreedom`, so few points give a wider range, never a narrower one.
struct Forecast: Equatable {
    /// Units per day: the change over the recent window divided by its length.
    var drift: Double
    /// Days the drift was measured over.
    var span: Double
    /// σ² · φ, per day: the dispersion of the increments, with the autocorrelation factor.
    var dispersion: Double
    var degreesOfFreedom: Double

    /// The rates between points are pooled with this many pseudo-intervals of the prior dispersion.
    static let priorWeight = 1.0
    /// The prior: over a year, the total change has a standard deviation of this fraction of a
    /// year's change at the larger of the recent and the required pace.
    static let priorYearlySpread = 0.1
    /// Autocorrelation of the rates is capped here: beyond it a handful of points cannot tell
    /// drift from persistence.
    static let maximumAutocorrelation = 0.9

    /// - Parameters:
    ///   - points: (offset in days, progress), increasing offsets, the origin (0, 0) first.
    ///   - windowDays: the drift is measured over the points of this many days before the latest
    ///     (at least the last two).
    ///   - requiredPace: progress per day the plan needs, for the prior's scale.
    init?(points: [(x: Double, y: Double)], windowDays: Double, requiredPace: Double) {
        guard points.count >= 2, let last = points.last else { return nil }
        var first = points.count - 2
        while first > 0 && points[first - 1].x >= last.x - windowDays { first -= 1 }
        span = last.x - points[first].x
        guard span > 0 else { return nil }
        drift = (last.y - points[first].y) / span

        // Every interval since the origin, standardized by its length: e = (Δy − μ̄ d) / √d.
        let totalDays = last.x - points[0].x
        let meanRate = (last.y - points[0].y) / totalDays
        var standardized: [Double] = []
        for (a, b) in zip(points, points.dropFirst()) where b.x > a.x {
            let days = b.x - a.x
            standardized.append(((b.y - a.y) - meanRate * days) / days.squareRoot())
        }
        let sumOfSquares = standardized.reduce(0) { $0 + $1 * $1 }
        var autocorrelation = 0.0
        if standardized.count >= 3, sumOfSquares > 0 {
            let lagged = zip(standardized, standardized.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
            // The lag-1 estimate falls short by about (1 + 3ρ) / n in short series (Kendall, 1954).
            let estimate = lagged / sumOfSquares
            let corrected = estimate + (1 + 3 * estimate) / Double(standardized.count)
            autocorrelation = min(max(corrected, 0), Self.maximumAutocorrelation)
        }
        let scale = max(abs(drift), abs(requiredPace))
        let prior = Self.priorYearlySpread * Self.priorYearlySpread * scale * scale * 365
        let freedom = Double(standardized.count - 1) + Self.priorWeight
        let variance = (Self.priorWeight * prior + sumOfSquares) / freedom
        dispersion = variance * (1 + autocorrelation) / (1 - autocorrelation)
        degreesOfFreedom = freedom
    }

    /// The standard deviation of the change over the next `days` days.
    func spread(days: Double) -> Double {
        guard days > 0 else { return 0 }
        return (dispersion * (days + days * days / span)).squareRoot()
    }

    /// Student's t quantile of the upper end of a two-sided `level` interval: the one number the
    /// interval and both ends of the completion range need.
    func quantile(level: Double) -> Double { StudentT.quantile(0.5 + level / 2, degreesOfFreedom: degreesOfFreedom) }

    /// The prediction interval of the progress `days` after `from`, `t` the quantile of its upper end.
    func interval(from progress: Double, days: Double, t: Double) -> (low: Double, high: Double) {
        let central = progress + drift * max(0, days)
        let half = t * spread(days: days)
        return (central - half, central + half)
    }

    /// The probability that progress `days` after `from` is at least (`above`) or at most `target`.
    func probability(from progress: Double, days: Double, reaching target: Double, above: Bool) -> Double {
        let central = progress + drift * max(0, days)
        let sd = spread(days: days)
        guard sd > 0 else { return (above ? central >= target : central <= target) ? 1 : 0 }
        let score = (central - target) / sd
        return StudentT.cdf(above ? score : -score, degreesOfFreedom: degreesOfFreedom)
    }

    /// The first day (after the latest point) on which the quantile `k` (in Student's t units, in
    /// the direction of the target) of progress reaches the target: the upper quantile (k > 0)
    /// gives the earliest plausible date, the lower (k < 0) the latest. Nil when that quantile
    /// never reaches it within `horizon` days.
    func daysUntil(gap: Double, k: Double, horizon: Double = 36_525) -> Double? {
        // Work in the direction of the target: reach g > 0 with drift m.
        let direction = gap >= 0 ? 1.0 : -1.0
        let g = abs(gap), m = drift * direction
        func reached(_ h: Double) -> Bool { m * h + k * spread(days: h) >= g }
        guard g > 0 else { return 0 }
        // Scan outwards in steps of a quarter for a whole day on which the quantile's path
        // m h + k σ √(h + h²/span) reaches g, then search back for the first such day.
        var before = 0.0
        var step = 1.0
        while step <= horizon {
            if reached(step) {
                var (low, high) = (before, step)  // not reached at low (or low = 0), reached at high
                while high - low > 1 {
                    let mid = ((low + high) / 2).rounded(.down)
                    if reached(mid) { high = mid } else { low = mid }
                }
                return high
            }
            before = step
            step = (step * 1.25).rounded(.up)
        }
        return nil
    }
}

/// Student's t distribution: its CDF through the regularized incomplete beta function, and its
/// quantile by Newton's method on the CDF, kept within a bracket (bisecting when a step leaves it).
enum StudentT {
    static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let x = nu / (nu + t * t)
        let tail = 0.5 * IncompleteBeta.regularized(x, a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    static func density(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let logScale: Double = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
        return exp(logScale - (nu + 1) / 2 * log(1 + t * t / nu))
    }

    static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard p != 0.5 else { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        var (low, high) = (0.0, 1.0)
        while cdf(high, degreesOfFreedom: nu) < p { (low, high) = (high, high * 2) }
        var t = (low + high) / 2
        for _ in 0..<100 {
            let error = cdf(t, degreesOfFreedom: nu) - p
            if abs(error) < 1e-13 { break }
            if error < 0 { low = t } else { high = t }
            let step = t - error / density(t, degreesOfFreedom: nu)
            t = step > low && step < high ? step : (low + high) / 2
            if high - low < 1e-12 { break }
        }
        return t
    }
}

/// I_x(a, b), by the continued fraction of Numerical Recipes (Lentz's method).
enum IncompleteBeta {
    static func regularized(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logFront: Double = a * log(x) + b * log(1 - x) - logBeta
        if x < (a + 1) / (a + b + 2) { return exp(logFront) * continuedFraction(x, a: a, b: b) / a }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < tiny ? tiny : d)
        var h = d
        for m in 1...300 {
            let m = Double(m)
            let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            for numerator in [even, odd] {
                d = 1 + numerator * d
                d = 1 / (abs(d) < tiny ? tiny : d)
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                h *= d * c
            }
            if abs(d * c - 1) < 1e-14 { break }
        }
        return h
    }
}
