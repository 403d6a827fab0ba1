import Foundation
import HeadwayModel

/// Computes a commitment's assessment at an as-of date. Every formula is in docs/METHODS.md.
public enum Assessor {
    /// Recent pace looks back this far from the latest point.
    public static let recentWindowDays = 365
    /// The projection's range is a prediction interval of this level.
    public static let projectionLevel = 0.9
    /// `on_track` from this probability of meeting the target, `at_risk` from the next, below it `off_track`.
    public static let onTrackProbability = 0.5
    public static let atRiskProbability = 0.05

    /// - Parameters:
    ///   - figures: the metric's figures as known at `asOf`: each the revision current then.
    ///   - derivations: a cache of derived series, for assessing many commitments on one metric.
    ///   - method: the forecast's methods version (the backtest compares them).
    public static func assess(
        _ commitment: Commitment, metric: Metric, figures: [ObservedFigure], asOf: CivilDate, derivations: DerivationCache? = nil,
        method: ForecastMethod = .current
    ) -> Assessment {
        let visible = { (figure: ObservedFigure) in figure.publishedOn <= asOf && figure.periodEnd <= asOf }
        let known = figures.allSatisfy(visible) ? figures : figures.filter(visible)
        let baseline = commitment.baseline.date
        let deadline = commitment.deadline.last
        // A pledge for a rate reads the total over its window at each date as a level.
        let window = commitment.over.flatMap { $0.months == nil ? nil : $0 }
        let measuresLevel = metric.kind == .level || window != nil
        // Offsets count days from the end of the day progress starts at: the day before the
        // baseline for amounts (which include the baseline day), the baseline day for levels.
        let origin = measuresLevel ? baseline : baseline.adding(days: -1)
        let offset = { (date: CivilDate) in Double(origin.days(until: date)) }

        var baselineValue: Decimal? = measuresLevel ? commitment.baseline.value : 0
        var baselineQualifier = Qualifier.exact
        if baselineValue == nil, let window, let observed = ProgressDeriver.windowTotal(window, endingBy: baseline, figures: known) {
            baselineValue = observed.value
            baselineQualifier = observed.qualifier
        } else if baselineValue == nil, metric.kind == .level, let observed = ProgressDeriver.levelAt(baseline, figures: known) {
            baselineValue = observed.value
            baselineQualifier = observed.qualifier
        }
        let kind: Metric.Kind = measuresLevel ? .level : .additive
        let targetProgress = Self.targetProgress(commitment.target, kind: kind, baselineValue: baselineValue)
        let comparison = commitment.comparison ?? ((targetProgress ?? 0) >= 0 ? .atLeast : .atMost)
        let plan = Trajectory(commitment: commitment, origin: offset, baselineValue: baselineValue ?? 0, target: targetProgress ?? 0, kind: kind)

        var assessment = Assessment(
            key: commitment.key, title: commitment.title, metric: metric.key, unit: metric.unit, kind: metric.kind,
            status: .insufficientData, asOf: asOf, baselineDate: baseline, baselineValue: baselineValue,
            targetValue: targetProgress.map { $0 + (baselineValue ?? 0) } ?? Self.statedTarget(commitment.target),
            targetProgress: targetProgress ?? 0, comparison: comparison, deadline: deadline, latest: nil, percentComplete: nil,
            percentTimeElapsed: offset(asOf) / offset(deadline) * 100, achievedOn: nil, daysEarly: nil, pace: Assessment.Pace(),
            projection: Assessment.Projection(), probabilityMet: nil, reason: nil, scheduleVarianceDays: nil, over: commitment.over,
            points: [], series: [])

        if baseline > asOf {
            assessment.status = .notStarted
            assessment.series = plan.series(points: [], origin: origin, deadline: deadline, offset: offset)
            return assessment
        }
        guard let baselineValue, let targetProgress else {
            if baselineValue == nil, let window {
                assessment.reason = "no \(window.rawValue)'s total ending at or before \(baseline) can be made from the figures: give baseline.value"
            } else if baselineValue == nil {
                assessment.reason = "no level known at or before \(baseline): give baseline.value"
            } else {
                assessment.reason = "a percentage change needs a level metric"
            }
            return assessment
        }
        var points: [ProgressPoint]
        if let window {
            points = ProgressDeriver.window(window, baseline: baseline, baselineValue: baselineValue, baselineQualifier: baselineQualifier, figures: known)
            assessment.reason = ProgressDeriver.untiledWindow(window, after: points.last?.date ?? baseline, figures: known)
        } else if metric.kind == .additive {
            points = derivations?.additive(baseline: baseline, figures: known) ?? ProgressDeriver.additive(baseline: baseline, figures: known)
        } else {
            points = ProgressDeriver.level(baseline: baseline, baselineValue: baselineValue, baselineQualifier: baselineQualifier, figures: known)
        }
        // A pledge for one period counts only what falls inside it: a figure for a later period
        // never changes its outcome, so it is never achieved late (docs/METHODS.md, section 12).
        if commitment.over == .period, points.last.map({ $0.date > deadline }) == true { points = points.filter { $0.date <= deadline } }
        assessment.points = points
        assessment.series = plan.series(points: points, origin: origin, deadline: deadline, offset: offset)
        guard let latest = points.last else { return assessment }
        assessment.latest = latest

        let target = targetProgress.double
        let progress = latest.progress.double
        if target != 0 { assessment.percentComplete = progress / target * 100 }

        // Achieved: the first point whose figure proves the target met ("over 2,100" proves
        // at least 2,000; "about 1,990" or "about 2,010" proves nothing).
        if let first = points.first(where: { provesMet($0, target: targetProgress, comparison: comparison) }) {
            assessment.achievedOn = first.date
            assessment.daysEarly = first.date.days(until: deadline)
        }

        // Pace, and the forecast from the increments between points (docs/METHODS.md, section 6).
        let latestOffset = offset(latest.date)
        let deadlineOffset = offset(deadline)
        let requiredPace = target / deadlineOffset
        let path = [(x: 0.0, y: 0.0)] + points.map { (x: offset($0.date), y: $0.progress.double) }.filter { $0.x > 0 }
        let forecast = Forecast(method, points: path, windowDays: Double(recentWindowDays), requiredPace: requiredPace)
        assessment.pace = Assessment.Pace(
            averagePerDay: latestOffset > 0 ? progress / latestOffset : nil, recentPerDay: forecast?.drift,
            requiredPerDay: requiredPace,
            requiredFromNowPerDay: asOf < deadline ? (target - progress) / Double(asOf.days(until: deadline)) : nil)

        // The projection from the latest point to the deadline, while the deadline lies ahead of it.
        let remaining = deadlineOffset - latestOffset
        if let forecast, remaining > 0 {
            let base = baselineValue.double
            let t = forecast.quantile(level: projectionLevel)
            let range = forecast.interval(from: progress, days: remaining, t: t)
            var projection = Assessment.Projection(
                valueAtDeadline: progress + forecast.drift * remaining + base, valueAtDeadlineLow: range.low + base,
                valueAtDeadlineHigh: range.high + base)
            if assessment.achievedOn == nil {
                let gap = target - progress
                projection.completionDate = completion(latest.date, gap: gap, pace: forecast.drift)
                projection.completionDateLow = forecast.daysUntil(gap: gap, k: t).map { latest.date.adding(days: Int($0)) }
                projection.completionDateHigh = forecast.daysUntil(gap: gap, k: -t).map { latest.date.adding(days: Int($0)) }
            }
            assessment.projection = projection
            assessment.probabilityMet =
                window == nil
                ? forecast.probability(from: progress, days: remaining, reaching: target, above: comparison == .atLeast)
                : forecast.probabilityOfReaching(from: progress, days: remaining, target: target, above: comparison == .atLeast)
            // A rate pledge's total at the deadline and its chance come from the flow itself,
            // where the figures make one unbroken series (docs/METHODS.md, section 12).
            if let window, let months = window.months,
                let flow = WindowForecast(
                    window, figures: known, windowEnds: points.map(\.date), method: method,
                    requiredPace: (target + base) / (Double(months) * 365.25 / 12))
            {
                let t = flow.flow.quantile(level: projectionLevel)
                let total = flow.total(endingOn: deadline)
                assessment.projection.valueAtDeadline = total.central
                assessment.projection.valueAtDeadlineLow = total.central - t * total.spread
                assessment.projection.valueAtDeadlineHigh = total.central + t * total.spread
                assessment.probabilityMet = flow.probability(
                    reaching: target + base, by: deadline, above: comparison == .atLeast, cadence: Self.cadence(of: known, before: latest.date))
            }
            if metric.minimum != nil || metric.maximum != nil {
                Self.keepWithin(metric, measuresLevel: measuresLevel, progress: progress + base, target: target + base, comparison: comparison, &assessment)
            }
        }

        if let achievedOn = assessment.achievedOn {
            assessment.projection.completionDate = achievedOn
            assessment.projection.completionDateLow = achievedOn
            assessment.projection.completionDateHigh = achievedOn
        }

        // Status. A figure covering the deadline (or later) is the evidence a verdict needs.
        let evidence = points.first { $0.date >= deadline }
        if let achievedOn = assessment.achievedOn {
            assessment.status = achievedOn <= deadline ? .achieved : .achievedLate
            assessment.probabilityMet = achievedOn <= deadline ? 1 : 0
        } else if let evidence, provesUnmet(evidence, target: targetProgress, comparison: comparison) {
            assessment.status = .missed
            assessment.probabilityMet = 0
        } else if asOf > deadline || evidence != nil {
            assessment.status = .awaitingData
            if let evidence {
                assessment.reason = "the figure for \(evidence.date) (\(evidence.qualifier.rawValue)) neither proves the target met nor missed"
            }
        } else if let probability = assessment.probabilityMet {
            assessment.status = probability >= onTrackProbability ? .onTrack : probability >= atRiskProbability ? .atRisk : .offTrack
        } else {
            // Only a figure at the baseline itself: no change to measure a pace from yet.
            assessment.status = .insufficientData
            assessment.reason = "no figure after the baseline yet"
        }
        assessment.scheduleVarianceDays = plan.offsetReaching(progress).map { Int(($0 - latestOffset).rounded()) }
        return assessment
    }

    /// The target as progress: the amount since the baseline, or the change in level.
    static func targetProgress(_ target: Commitment.Target, kind: Metric.Kind, baselineValue: Decimal?) -> Decimal? {
        switch (target, kind) {
        case (.value(let value), .additive), (.change(let value), .additive): return value
        case (.percentChange, .additive): return nil
        case (.change(let change), .level): return change
        case (.value(let level), .level): return baselineValue.map { level - $0 }
        case (.percentChange(let percent), .level): return baselineValue.map { $0 * percent / 100 }
        }
    }

    private static func statedTarget(_ target: Commitment.Target) -> Decimal {
        switch target {
        case .value(let value), .change(let value), .percentChange(let value): value
        }
    }

    /// Whether a point's figure proves the target met, given its qualifier.
    static func provesMet(_ point: ProgressPoint, target: Decimal, comparison: Commitment.Comparison) -> Bool {
        switch comparison {
        case .atLeast: point.progress >= target && (point.qualifier == .exact || point.qualifier == .atLeast)
        case .atMost: point.progress <= target && (point.qualifier == .exact || point.qualifier == .atMost)
        }
    }

    /// Whether a point's figure proves the target unmet: short of it, and not a bound that could
    /// still reach it ("under 1,900" and "about 1,900" show a target of 2,000 unmet; "over 1,900" does not).
    static func provesUnmet(_ point: ProgressPoint, target: Decimal, comparison: Commitment.Comparison) -> Bool {
        switch comparison {
        case .atLeast: point.progress < target && point.qualifier != .atLeast
        case .atMost: point.progress > target && point.qualifier != .atMost
        }
    }

    /// Keeps the projection within the metric's bounds (docs/METHODS.md, section 6.3): a level
    /// (or a window's total) is clipped to [min, max], and a target beyond them cannot be met; an
    /// amount whose figures are at least 0 cannot fall, so its range starts no lower than the
    /// progress already made. The distribution is censored, not reshaped: the chance of a target
    /// inside the bounds is unchanged.
    static func keepWithin(
        _ metric: Metric, measuresLevel: Bool, progress: Double, target: Double, comparison: Commitment.Comparison, _ assessment: inout Assessment
    ) {
        var low = -Double.infinity, high = Double.infinity
        let countsUp = metric.minimum.map { $0 >= 0 } ?? false
        switch (metric.kind, measuresLevel) {
        case (.level, _):
            low = metric.minimum?.double ?? low
            high = metric.maximum?.double ?? high
        case (.additive, true) where countsUp: low = 0  // a window's total of figures that are at least 0
        case (.additive, false) where countsUp: low = progress  // an amount that cannot fall
        default: break
        }
        func clip(_ value: Double?) -> Double? { value.map { min(max($0, low), high) } }
        assessment.projection.valueAtDeadline = clip(assessment.projection.valueAtDeadline)
        assessment.projection.valueAtDeadlineLow = clip(assessment.projection.valueAtDeadlineLow)
        assessment.projection.valueAtDeadlineHigh = clip(assessment.projection.valueAtDeadlineHigh)
        if measuresLevel, assessment.probabilityMet != nil, comparison == .atLeast ? target > high : target < low {
            assessment.probabilityMet = 0
        }
    }

    /// The length in days of the latest figures' periods (the median of the last twelve ending by
    /// `date`): how often a window's total can be read.
    static func cadence(of figures: [ObservedFigure], before date: CivilDate) -> Double {
        let lengths = figures.filter { $0.periodEnd <= date && $0.periodStart != nil }.sorted { $0.periodEnd < $1.periodEnd }.suffix(12)
            .map { Double($0.periodStart!.days(until: $0.periodEnd) + 1) }.sorted()
        return lengths.isEmpty ? 30 : lengths[lengths.count / 2]
    }

    /// The day the gap closes at `pace`, or nil when the pace does not head towards the target.
    static func completion(_ from: CivilDate, gap: Double, pace: Double) -> CivilDate? {
        guard pace != 0, gap / pace > 0 else { return nil }
        let days = (gap / pace).rounded(.up)
        guard days < 1_000_000 else { return nil }
        return from.adding(days: Int(days))
    }
}

/// Derived additive series by baseline date, for the commitments of one metric assessed together
/// on the same figures (renewed and raised pledges often share a baseline). Not thread-safe.
public final class DerivationCache {
    private var series: [CivilDate: [ProgressPoint]] = [:]

    public init() {}

    func additive(baseline: CivilDate, figures: [ObservedFigure]) -> [ProgressPoint] {
        if let cached = series[baseline] { return cached }
        let derived = ProgressDeriver.additive(baseline: baseline, figures: figures)
        series[baseline] = derived
        return derived
    }
}

extension Decimal {
    var double: Double { NSDecimalNumber(decimal: self).doubleValue }
}
