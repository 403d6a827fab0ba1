import Foundation
import HeadwayModel

/// Replays a commitment's assessment at regular steps through its history, to judge the method on
/// outcomes that are now known (docs/METHODS.md, section 9).
public enum Backtest {
    public enum Every: String, Sendable, CaseIterable {
        case month, quarter

        var months: Int { self == .month ? 1 : 3 }
    }

    /// One replayed assessment.
    public struct Step: Sendable, Equatable {
        public var date: CivilDate
        public var status: Assessment.Status
        public var probabilityMet: Double?
        public var valueAtDeadline: Double?
        public var valueAtDeadlineLow: Double?
        public var valueAtDeadlineHigh: Double?
        /// Whether the status said what happened: a probability on the right side of one half, or
        /// the outcome itself; nil when it said nothing (no data yet, not started).
        public var right: Bool?
        /// A forecast (the outcome not yet evident at this step): what coverage and the Brier score count.
        public var isForecast: Bool { probabilityMet != nil && !Self.settled.contains(status) }
        /// Whether the range held the value reached at the deadline (nil where either is unknown).
        public var covered: Bool?

        static let settled: Set<Assessment.Status> = [.achieved, .achievedLate, .missed]
    }

    /// A commitment whose outcome is known, replayed.
    public struct Replay: Sendable, Equatable {
        public var key: String
        public var title: String
        /// The status today: achieved (met), achieved_late or missed (not met by the deadline).
        public var outcome: Assessment.Status
        public var met: Bool { outcome == .achieved }
        public var deadline: CivilDate
        /// The progress reached at the deadline, in the metric's terms (nil when no figures surround it).
        public var valueAtDeadline: Double?
        /// The first step at which the outcome was evident.
        public var settledOn: CivilDate?
        public var steps: [Step]
        /// The first step from which the status was right at every later step that said anything.
        public var rightSince: CivilDate? {
            let after = steps.lastIndex { $0.right == false }.map { $0 + 1 } ?? 0
            return steps[after...].first { $0.right == true }?.date
        }
        /// Whether any step before the outcome was evident gave a forecast.
        public var forecasts: Int { steps.filter(\.isForecast).count }
        /// How many days before the outcome was evident the status became right and stayed right.
        public var leadTimeDays: Int? {
            guard let rightSince, let settledOn else { return nil }
            return rightSince.days(until: settledOn)
        }
    }

    /// The dates of a replay: the last day of each month (or quarter) from the later of `made_on`
    /// and the baseline, through `today`, which is always the last step.
    public static func steps(from start: CivilDate, through today: CivilDate, every: Every) -> [CivilDate] {
        var dates: [CivilDate] = []
        var (year, month) = (start.year, start.month)
        // Quarters end in March, June, September and December.
        if every == .quarter { month = ((month - 1) / 3) * 3 + 3 }
        while true {
            let next = month == 12 ? (year + 1, 1) : (year, month + 1)
            let last = CivilDate(year: next.0, month: next.1, day: 1)!.adding(days: -1)
            if last >= today { break }
            if last >= start { dates.append(last) }
            month += every.months
            if month > 12 { (year, month) = (year + 1, month - 12) }
        }
        return dates + [today]
    }

    /// Replays one commitment, or nil when its outcome is not known today.
    /// - Parameter history: every revision of the metric's figures.
    public static func replay(
        _ commitment: Commitment, metric: Metric, history: FigureHistory, today: CivilDate, every: Every,
        method: ForecastMethod = .current
    ) -> Replay? {
        func assess(at date: CivilDate) -> Assessment {
            let known = history.known(at: date)
            return Assessor.assess(commitment, metric: metric, figures: known.figures, asOf: date, derivations: known.derivations, method: method)
        }
        let final = assess(at: today)
        guard Step.settled.contains(final.status) else { return nil }
        let met = final.status == .achieved
        let reached = valueAt(final.deadline, points: final.points).map { $0 + (final.baselineValue?.double ?? 0) }
        let start = max(commitment.madeOn ?? commitment.baseline.date, commitment.baseline.date)
        var replay = Replay(
            key: commitment.key, title: commitment.title, outcome: final.status, deadline: final.deadline, valueAtDeadline: reached,
            settledOn: nil, steps: [])
        for date in steps(from: start, through: today, every: every) {
            let a = assess(at: date)
            var step = Step(
                date: date, status: a.status, probabilityMet: a.probabilityMet, valueAtDeadline: a.projection.valueAtDeadline,
                valueAtDeadlineLow: a.projection.valueAtDeadlineLow, valueAtDeadlineHigh: a.projection.valueAtDeadlineHigh,
                right: Step.settled.contains(a.status) ? a.status == final.status : a.probabilityMet.map { ($0 >= 0.5) == met })
            if step.isForecast, let low = step.valueAtDeadlineLow, let high = step.valueAtDeadlineHigh, let reached {
                step.covered = low <= reached && reached <= high
            }
            replay.steps.append(step)
            if Step.settled.contains(a.status) {
                replay.settledOn = date
                break
            }
        }
        return replay
    }

    /// Progress at `date`: a point there, or the straight line between the points around it.
    static func valueAt(_ date: CivilDate, points: [ProgressPoint]) -> Double? {
        if let exact = points.first(where: { $0.date == date }) { return exact.progress.double }
        guard let after = points.firstIndex(where: { $0.date > date }), after > 0 else { return nil }
        let (a, b) = (points[after - 1], points[after])
        let fraction = Double(a.date.days(until: date)) / Double(a.date.days(until: b.date))
        return a.progress.double + (b.progress.double - a.progress.double) * fraction
    }

    /// Across replays: coverage of the 90% range, the Brier score of `probability_met` and a
    /// reliability table, over every forecast step.
    public struct Summary: Sendable, Equatable {
        public struct Bin: Sendable, Equatable {
            public var low: Double
            public var high: Double
            public var count = 0
            public var predicted = 0.0
            public var observed = 0
            public var meanPredicted: Double? { count > 0 ? predicted / Double(count) : nil }
            public var observedRate: Double? { count > 0 ? Double(observed) / Double(count) : nil }
        }

        public var commitments = 0
        public var forecasts = 0
        public var rangesChecked = 0
        public var rangesCovering = 0
        public var squaredError = 0.0
        public var bins = (0..<10).map { Bin(low: Double($0) / 10, high: Double($0 + 1) / 10) }
        public var leadTimes: [Int] = []

        public var coverage: Double? { rangesChecked > 0 ? Double(rangesCovering) / Double(rangesChecked) : nil }
        public var brier: Double? { forecasts > 0 ? squaredError / Double(forecasts) : nil }
        public var medianLeadTimeDays: Int? {
            guard !leadTimes.isEmpty else { return nil }
            return leadTimes.sorted()[leadTimes.count / 2]
        }

        public init(_ replays: [Replay]) {
            commitments = replays.count
            for replay in replays {
                if replay.forecasts > 0, let lead = replay.leadTimeDays { leadTimes.append(lead) }
                for step in replay.steps where step.isForecast {
                    guard let p = step.probabilityMet else { continue }
                    let outcome = replay.met ? 1.0 : 0.0
                    forecasts += 1
                    squaredError += (p - outcome) * (p - outcome)
                    let bin = min(Int(p * 10), 9)
                    bins[bin].count += 1
                    bins[bin].predicted += p
                    if replay.met { bins[bin].observed += 1 }
                    if let covered = step.covered {
                        rangesChecked += 1
                        if covered { rangesCovering += 1 }
                    }
                }
            }
        }
    }
}

/// Every revision of one metric's figures, to give the figures as known at any date. The
/// commitments on a metric are replayed at the same month ends, so what was known at each date
/// (and the series derived from it) is worked out once and kept while the metric is replayed.
public final class FigureHistory {
    /// Per identity (period), its revisions by publication date.
    private var revisions: [[ObservedFigure]] = []
    private var known: [CivilDate: (figures: [ObservedFigure], derivations: DerivationCache)] = [:]

    /// - Parameter figures: sorted by period, then publication date and revision.
    public init(sortedRevisions figures: [ObservedFigure]) {
        for figure in figures {
            if let last = revisions.last?.last, last.periodStart == figure.periodStart, last.periodEnd == figure.periodEnd {
                revisions[revisions.count - 1].append(figure)
            } else {
                revisions.append([figure])
            }
        }
    }

    /// The figures published by `date` whose period had ended by then, each in the revision
    /// current then, with a cache for the series derived from them.
    public func known(at date: CivilDate) -> (figures: [ObservedFigure], derivations: DerivationCache) {
        if let cached = known[date] { return cached }
        var figures: [ObservedFigure] = []
        for period in revisions where period[0].periodEnd <= date {
            if let current = period.last(where: { $0.publishedOn <= date }) { figures.append(current) }
        }
        known[date] = (figures, DerivationCache())
        return (figures, known[date]!.derivations)
    }
}
