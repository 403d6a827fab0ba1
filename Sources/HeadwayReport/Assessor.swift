import Foundation
import HeadwayModel

/// Computes a commitment's assessment at an as-of date. Every formula is in docs/METHODS.md.
public enum Assessor {
    /// Recent pace looks back this far from the latest point.
    public static let recentWindowDays = 365
    /// The projection's range is the recent pace ± this many standard errors (a 90% interval).
    public static let rangeZ = 1.645

    /// - Parameters:
    ///   - figures: the metric's figures as known at `asOf`: each the revision current then.
    ///   - derivations: a cache of derived series, for assessing many commitments on one metric.
    public static func assess(
        _ commitment: Commitment, metric: Metric, figures: [ObservedFigure], asOf: CivilDate, derivations: DerivationCache? = nil
    ) -> Assessment {
        let visible = { (figure: ObservedFigure) in figure.publishedOn <= asOf && figure.periodEnd <= asOf }
        let known = figures.allSatisfy(visible) ? figures : figures.filter(visible)
        let baseline = commitment.baseline.date
        let deadline = commitment.deadline.last
        // Offsets count days from the end of the day progress starts at: the day before the
        // baseline for amounts (which include the baseline day), the baseline day for levels.
        let origin = metric.kind == .additive ? baseline.adding(days: -1) : baseline
        let offset = { (date: CivilDate) in Double(origin.days(until: date)) }

        var baselineValue: Decimal? = metric.kind == .additive ? 0 : commitment.baseline.value
        var baselineQualifier = Qualifier.exact
        if metric.kind == .level, baselineValue == nil, let observed = ProgressDeriver.levelAt(baseline, figures: known) {
            baselineValue = observed.value
            baselineQualifier = observed.qualifier
        }
        let targetProgress = Self.targetProgress(commitment.target, kind: metric.kind, baselineValue: baselineValue)
        let comparison = commitment.comparison ?? ((targetProgress ?? 0) >= 0 ? .atLeast : .atMost)
        let plan = Trajectory(commitment: commitment, origin: offset, baselineValue: baselineValue ?? 0, target: targetProgress ?? 0, kind: metric.kind)

        var assessment = Assessment(
            key: commitment.key, title: commitment.title, metric: metric.key, unit: metric.unit, kind: metric.kind,
            status: .insufficientData, asOf: asOf, baselineDate: baseline, baselineValue: baselineValue,
            targetValue: targetProgress.map { $0 + (baselineValue ?? 0) } ?? Self.statedTarget(commitment.target),
            targetProgress: targetProgress ?? 0, comparison: comparison, deadline: deadline, latest: nil, percentComplete: nil,
            percentTimeElapsed: offset(asOf) / offset(deadline) * 100, achievedOn: nil, daysEarly: nil, pace: Assessment.Pace(),
            projection: Assessment.Projection(), probabilityMet: nil, reason: nil, scheduleVarianceDays: nil, points: [], series: [])

        if baseline > asOf {
            assessment.status = .notStarted
            assessment.series = plan.series(points: [], origin: origin, deadline: deadline, offset: offset)
            return assessment
        }
        guard let baselineValue, let targetProgress else { return assessment }
        let points: [ProgressPoint]
        if metric.kind == .additive {
            points = derivations?.additive(baseline: baseline, figures: known) ?? ProgressDeriver.additive(baseline: baseline, figures: known)
        } else {
            points = ProgressDeriver.level(baseline: baseline, baselineValue: baselineValue, baselineQualifier: baselineQualifier, figures: known)
        }
        assessment.points = points
        assessment.series = plan.series(points: points, origin: origin, deadline: deadline, offset: offset)
        guard let latest = points.last else { return assessment }
        assessment.latest = latest

        let target = targetProgress.double
        let progress = latest.progress.double
        func meets(_ value: Double) -> Bool { comparison == .atLeast ? value >= target : value <= target }
        if target != 0 { assessment.percentComplete = progress / target * 100 }

        // Achieved: the first point whose figure proves the target met ("over 2,100" proves
        // at least 2,000; "about 1,990" or "about 2,010" proves nothing).
        if let first = points.first(where: { provesMet($0, target: targetProgress, comparison: comparison) }) {
            assessment.achievedOn = first.date
            assessment.daysEarly = first.date.days(until: deadline)
        }

        // Pace.
        let latestOffset = offset(latest.date)
        let deadlineOffset = offset(deadline)
        let fit = RecentPace.fit(points: points, latest: latest.date, windowDays: recentWindowDays, offset: offset)
        assessment.pace = Assessment.Pace(
            averagePerDay: latestOffset > 0 ? progress / latestOffset : nil, recentPerDay: fit.slope,
            requiredPerDay: target / deadlineOffset,
            requiredFromNowPerDay: asOf < deadline ? (target - progress) / Double(asOf.days(until: deadline)) : nil)

        // Projection at the recent pace, with a range from the scatter of the recent points.
        if asOf <= deadline {
            let remaining = max(0, deadlineOffset - latestOffset)
            let spread = rangeZ * (fit.standardError ?? 0)
            let central = progress + fit.slope * remaining
            let low = progress + (fit.slope - spread) * remaining
            let high = progress + (fit.slope + spread) * remaining
            let base = baselineValue.double
            var projection = Assessment.Projection(
                valueAtDeadline: central + base, valueAtDeadlineLow: low + base, valueAtDeadlineHigh: high + base)
            if let achievedOn = assessment.achievedOn {
                projection.completionDate = achievedOn
                projection.completionDateLow = achievedOn
                projection.completionDateHigh = achievedOn
            } else {
                let gap = target - progress
                let toward = gap >= 0 ? 1.0 : -1.0
                projection.completionDate = completion(latest.date, gap: gap, pace: fit.slope)
                projection.completionDateLow = completion(latest.date, gap: gap, pace: fit.slope + toward * spread)
                projection.completionDateHigh = completion(latest.date, gap: gap, pace: fit.slope - toward * spread)
            }
            assessment.projection = projection

            if assessment.achievedOn == nil {
                let favourable = comparison == .atLeast ? high : low
                assessment.status = meets(central) ? .onTrack : meets(favourable) ? .atRisk : .offTrack
            }
        }
        if let achievedOn = assessment.achievedOn {
            assessment.status = achievedOn <= deadline ? .achieved : .achievedLate
        } else if asOf > deadline {
            assessment.status = .missed
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
