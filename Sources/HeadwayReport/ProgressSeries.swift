import Foundation
import HeadwayModel

/// One point of a commitment's progress: the amount since the baseline (additive) or the change
/// in level since the baseline (level), known at `date`.
public struct ProgressPoint: Sendable, Equatable {
    public var date: CivilDate
    public var progress: Decimal
    /// The metric's own value there: the amount since the baseline, or the level.
    public var value: Decimal
    /// The weakest qualifier of the figures it came from.
    public var qualifier: Qualifier
    /// The figures it came from, as "metric:period_start..period_end#revision".
    public var derivedFrom: [String]
}

/// An observation as the report sees it: the revision current at the as-of date.
public struct ObservedFigure: Sendable, Equatable {
    public var periodStart: CivilDate?
    public var periodEnd: CivilDate
    public var value: Decimal
    public var qualifier: Qualifier
    public var revision: Int
    public var publishedOn: CivilDate

    public init(periodStart: CivilDate?, periodEnd: CivilDate, value: Decimal, qualifier: Qualifier, revision: Int = 1, publishedOn: CivilDate) {
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.value = value
        self.qualifier = qualifier
        self.revision = revision
        self.publishedOn = publishedOn
    }

    var reference: String { "\(periodStart.map { "\($0)" } ?? "")..\(periodEnd)#\(revision)" }
}

/// Derives a progress series from published figures (DESIGN.md, "Deriving progress").
public enum ProgressDeriver {
    /// Additive metrics: progress over [B, t] from running totals that start at B, from periods
    /// that chain from B, or from differences of chains with a common earlier start S
    /// (total[S, t] − total[S, B−1]). Where several derivations reach the same t, the one built
    /// from the fewest figures wins (a published total beats a sum of its parts).
    public static func additive(baseline: CivilDate, figures: [ObservedFigure]) -> [ProgressPoint] {
        let dayBefore = baseline.adding(days: -1)
        var best: [CivilDate: ProgressPoint] = [:]
        func consider(_ point: ProgressPoint) {
            if let existing = best[point.date], existing.derivedFrom.count <= point.derivedFrom.count { return }
            best[point.date] = point
        }
        // Chains from B itself, and from an earlier start S only where some figure from S spans B
        // (a running total begun before the baseline): otherwise the difference adds nothing.
        var starts: Set<CivilDate> = [baseline]
        for figure in figures {
            if let start = figure.periodStart, start < baseline, figure.periodEnd >= baseline { starts.insert(start) }
        }
        for start in starts.sorted() {
            let chains = chainsFrom(start, figures)
            if start == baseline {
                for (date, chain) in chains { consider(chain.point(date: date)) }
            } else if let prefix = chains[dayBefore] {
                // total[S, t] − total[S, B−1]: the subtracted part's bound flips.
                for (date, chain) in chains where date > dayBefore {
                    consider(
                        ProgressPoint(
                            date: date, progress: chain.sum - prefix.sum, value: chain.sum - prefix.sum,
                            qualifier: chain.qualifier.combined(with: prefix.qualifier.negated),
                            derivedFrom: chain.references + prefix.references.map { "-" + $0 }))
                }
            }
        }
        return best.values.sorted { $0.date < $1.date }
    }

    /// Level metrics: each level observed after the baseline, less the baseline level.
    public static func level(baseline: CivilDate, baselineValue: Decimal, baselineQualifier: Qualifier = .exact, figures: [ObservedFigure]) -> [ProgressPoint] {
        figures.filter { $0.periodEnd > baseline }.sorted { $0.periodEnd < $1.periodEnd }.map { figure in
            ProgressPoint(
                date: figure.periodEnd, progress: figure.value - baselineValue, value: figure.value,
                qualifier: figure.qualifier.combined(with: baselineQualifier.negated), derivedFrom: [figure.reference])
        }
    }

    /// The level at or just before `date`, for a baseline given only as a date.
    public static func levelAt(_ date: CivilDate, figures: [ObservedFigure]) -> ObservedFigure? {
        figures.filter { $0.periodEnd <= date }.max { $0.periodEnd < $1.periodEnd }
    }

    private struct Chain {
        var sum: Decimal
        var qualifier: Qualifier
        var references: [String]
        func point(date: CivilDate) -> ProgressPoint {
            ProgressPoint(date: date, progress: sum, value: sum, qualifier: qualifier, derivedFrom: references)
        }
    }

    /// Every end date reachable by chaining contiguous periods from `start`, with the shortest chain.
    private static func chainsFrom(_ start: CivilDate, _ figures: [ObservedFigure]) -> [CivilDate: Chain] {
        var reached: [CivilDate: Chain] = [start.adding(days: -1): Chain(sum: 0, qualifier: .exact, references: [])]
        let candidates = figures.filter { $0.periodStart.map { $0 >= start } ?? false }.sorted {
            ($0.periodStart!, $0.periodEnd) < ($1.periodStart!, $1.periodEnd)
        }
        for figure in candidates {
            guard let periodStart = figure.periodStart, let before = reached[periodStart.adding(days: -1)] else { continue }
            let chain = Chain(
                sum: before.sum + figure.value, qualifier: before.qualifier.combined(with: figure.qualifier),
                references: before.references + [figure.reference])
            if let existing = reached[figure.periodEnd], existing.references.count <= chain.references.count { continue }
            reached[figure.periodEnd] = chain
        }
        reached.removeValue(forKey: start.adding(days: -1))
        return reached
    }
}

extension Qualifier {
    /// The qualifier of a subtracted figure: "at least x" subtracted bounds the result from above.
    public var negated: Qualifier {
        switch self {
        case .atLeast: .atMost
        case .atMost: .atLeast
        default: self
        }
    }
}
