import Foundation

/// The methods that can forecast progress (docs/METHODS.md, section 6): version 2's random walk
/// with drift, and version 3's local linear trend, whose pace itself may wander.
public enum ForecastMethod: String, Sendable, CaseIterable {
    case randomWalk = "2"
    case localTrend = "3"

    public static let current = ForecastMethod.localTrend
}

/// How progress is expected to move from the latest point to the deadline (docs/METHODS.md,
/// section 6). Over h days the change is `drift` · h, with variance
///
///   dispersion · (h + slopeVariance · h²) + wander · h³ / 3
///
/// — the increments still to come, the uncertainty of the current pace, and the pace's own
/// wandering after the latest point (zero in version 2, where slopeVariance is 1 / span).
/// Quantiles come from Student's t with `degreesOfFreedom`, so few points give a wider range.
struct Forecast: Equatable {
    /// Units per day: the pace expected from the latest point on.
    var drift: Double
    /// σ² per day: the dispersion of the increments (version 2: times the autocorrelation factor φ).
    var dispersion: Double
    /// The variance of the drift's estimate, in units of `dispersion`: 1 / span for a drift
    /// measured as a change over span days.
    var slopeVariance: Double
    /// q, per day³: the variance the pace gains per day as it wanders (a random walk of the rate).
    var wander: Double
    var degreesOfFreedom: Double

    /// The rates between points are pooled with this many pseudo-intervals of the prior dispersion.
    static let priorWeight = 1.0
    /// The prior: over a year, the total change has a standard deviation of this fraction of a
    /// year's change at the larger of the recent and the required pace.
    static let priorYearlySpread = 0.1
    /// Autocorrelation of the rates is capped here: beyond it a handful of points cannot tell
    /// drift from persistence.
    static let maximumAutocorrelation = 0.9
    /// Version 3: the pace wanders by at least this fraction of itself in a year (a standard
    /// deviation), however steady it has been: the reference class of programmes whose pace
    /// trends, wanders or jumps, which a short series cannot tell from a steady one.
    static let minimumYearlyPaceWander = 0.16
    /// Version 3: points closer together than this many days (or than a twenty-fifth of the span
    /// observed) are thinned out, so that short-run persistence and publication rhythm are not
    /// read as a wandering pace.
    static let minimumSpacingDays = 28.0
    static let spacingFraction = 0.04
    /// Version 3: twice the gain in log-likelihood a wander beyond the floor must bring (χ²₁ at 90%).
    static let wanderEvidence = 2.71
    /// Version 3: the signal-to-noise ratios tried, as q / σ² · L² (L the days observed): 0, then
    /// 10⁻² to 10² in steps of a quarter of a decade.
    static let wanderRatios: [Double] = [0] + (0...16).map { pow(10, -2 + Double($0) / 4) }

    init(drift: Double, dispersion: Double, slopeVariance: Double, wander: Double, degreesOfFreedom: Double) {
        self.drift = drift
        self.dispersion = dispersion
        self.slopeVariance = slopeVariance
        self.wander = wander
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// - Parameters:
    ///   - points: (offset in days, progress), increasing offsets, the origin (0, 0) first.
    ///   - windowDays: the recent pace is measured over the points of this many days before the
    ///     latest (at least the last two).
    ///   - requiredPace: progress per day the plan needs, for the prior's scale.
    init?(_ method: ForecastMethod, points: [(x: Double, y: Double)], windowDays: Double, requiredPace: Double) {
        guard let walk = Self.randomWalk(points: points, windowDays: windowDays, requiredPace: requiredPace) else { return nil }
        switch method {
        case .randomWalk: self = walk.forecast
        case .localTrend: self = Self.localTrend(points: points, walk: walk)
        }
    }

    /// Version 2: a random walk with drift, the drift measured over the recent window.
    private static func randomWalk(
        points: [(x: Double, y: Double)], windowDays: Double, requiredPace: Double
    ) -> (forecast: Forecast, priorScale: Double)? {
        guard points.count >= 2, let last = points.last else { return nil }
        var first = points.count - 2
        while first > 0 && points[first - 1].x >= last.x - windowDays { first -= 1 }
        let span = last.x - points[first].x
        guard span > 0 else { return nil }
        let drift = (last.y - points[first].y) / span

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
        let freedom = Double(standardized.count - 1) + Self.priorWeight
        let variance = (Self.priorWeight * Self.priorDispersion(scale) + sumOfSquares) / freedom
        let forecast = Forecast(
            drift: drift, dispersion: variance * (1 + autocorrelation) / (1 - autocorrelation), slopeVariance: 1 / span, wander: 0,
            degreesOfFreedom: freedom)
        return (forecast, scale)
    }

    /// The prior dispersion per day: a year's change at `scale` a day, scattered by 10% of itself.
    private static func priorDispersion(_ scale: Double) -> Double { priorYearlySpread * priorYearlySpread * scale * scale * 365 }

    /// Version 3: a local linear trend on the progress series — progress moves at a pace that
    /// itself wanders as a random walk — filtered by Kalman's recursions over the thinned points,
    /// its signal-to-noise ratio chosen by maximum likelihood (Harvey 1989; Durbin & Koopman 2012).
    private static func localTrend(points: [(x: Double, y: Double)], walk: (forecast: Forecast, priorScale: Double)) -> Forecast {
        let floor = pow(minimumYearlyPaceWander * walk.priorScale, 2) / 365
        // Where the filter cannot tell a wandering pace from noise: version 2, with the floor's wander.
        var walkWithFloor = walk.forecast
        walkWithFloor.wander = floor
        let thinned = thin(points)
        guard thinned.count >= 4, let observed = thinned.last?.x else { return walkWithFloor }
        let prior = priorDispersion(walk.priorScale)
        func likelihood(_ fit: TrendFilter.Fit) -> (value: Double, variance: Double) {
            let freedom = Double(fit.innovations) + priorWeight
            let variance = (priorWeight * prior + fit.sumOfSquares) / freedom
            return (-0.5 * freedom * log(variance) - 0.5 * fit.sumOfLogVariances, variance)
        }
        // The pace wanders at least as the floor says, so the filter discounts old points that
        // much even for a steady series: its ratio q / σ² is the floor over σ², found by iterating
        // (σ² itself depends on the ratio; three rounds settle it to well within a percent).
        var floorFit = TrendFilter.run(thinned, ratio: 0)
        for _ in 0..<3 {
            let variance = likelihood(floorFit).variance
            guard variance > 0, floor > 0 else { break }
            floorFit = TrendFilter.run(thinned, ratio: floor / variance)
        }
        // A wander beyond the floor must earn its place: the most likely of the ratios tried,
        // taken only when twice its log-likelihood gains `wanderEvidence` over the floor's, so
        // that a steady series is not read as a wandering one by chance.
        let within = (likelihood: likelihood(floorFit).value, fit: floorFit)
        var beyond: (likelihood: Double, fit: TrendFilter.Fit)?
        for ratio in wanderRatios {
            let fit = TrendFilter.run(thinned, ratio: ratio / (observed * observed))
            let (value, variance) = likelihood(fit)
            guard variance > 0 else { break }
            if fit.ratio * variance > floor, beyond == nil || value > beyond!.likelihood { beyond = (value, fit) }
        }
        guard within.likelihood.isFinite else { return walkWithFloor }
        let fit = beyond.map { 2 * ($0.likelihood - within.likelihood) >= wanderEvidence ? $0.fit : within.fit } ?? within.fit
        let freedom = Double(fit.innovations) + priorWeight
        let variance = (priorWeight * prior + fit.sumOfSquares) / freedom
        return Forecast(
            drift: fit.slope, dispersion: variance, slopeVariance: fit.slopeVariance, wander: max(fit.ratio * variance, floor),
            degreesOfFreedom: freedom)
    }

    /// The points kept for version 3: the latest, then going back, each at least the spacing
    /// before the one kept after it; and the origin.
    static func thin(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard let last = points.last, points.count > 2 else { return points }
        let spacing = max(minimumSpacingDays, (last.x - points[0].x) * spacingFraction)
        var kept = [last]
        for point in points.dropFirst().dropLast().reversed() where kept[kept.count - 1].x - point.x >= spacing {
            kept.append(point)
        }
        kept.append(points[0])
        return kept.reversed()
    }

    /// The standard deviation of the change over the next `days` days.
    func spread(days: Double) -> Double { spreadOfChange(from: 0, to: days) }
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

    /// The standard deviation of the change from `from` to `to` days after the latest point
    /// (0 ≤ from ≤ to): the increments over those days, the pace's uncertainty over their length,
    /// and its wander: with β(s) = β̂ + Z(s), Var ∫ₐᵇ Z = q ((b³ − a³)/3 − a²(b − a)).
    func spreadOfChange(from a: Double, to b: Double) -> Double {
        let days = b - a
        guard days > 0 else { return 0 }
        return (dispersion * (days + slopeVariance * days * days) + wander * ((b * b * b - a * a * a) / 3 - a * a * days)).squareRoot()
    }

    /// The probability that progress reaches `target` at some time within the next `days` days
    /// rather than at their end: a pledge for a rate is met by any window by the deadline. By the
    /// reflection principle for a Brownian motion with drift m and variance σ² a day, started a
    /// gap a short of the target (Karlin & Taylor 1975, ch. 7): P = F((mH − a)/σ√H) +
    /// e^{2ma/σ²} F((−a − mH)/σ√H), with σ² = s(H)²/H so that the end's spread is the forecast's,
    /// and F Student's t in place of the normal, as everywhere else.
    func probabilityOfReaching(from progress: Double, days: Double, target: Double, above: Bool) -> Double {
        let gap = above ? target - progress : progress - target
        let m = above ? drift : -drift
        guard gap > 0 else { return 1 }
        let sd = spread(days: days)
        guard sd > 0 else { return m * days >= gap ? 1 : 0 }
        let variance = sd * sd / days
        let direct = StudentT.cdf((m * days - gap) / sd, degreesOfFreedom: degreesOfFreedom)
        let mirrored = StudentT.cdf((-gap - m * days) / sd, degreesOfFreedom: degreesOfFreedom)
        let reflected = mirrored > 0 ? exp(2 * m * gap / variance + log(mirrored)) : 0
        return min(1, direct + (reflected.isFinite ? reflected : 0))
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
        // m h + k · spread(h) reaches g, then search back for the first such day. Where the pace
        // wanders, the pessimistic path may turn back before it reaches g: then there is no date.
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
