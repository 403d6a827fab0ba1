import Foundation
import HeadwayModel
import HeadwayReport
import Testing

/// A metric's bounds keep the forecast within them (docs/METHODS.md, section 6.3).
@Suite struct BoundsTests {
    static func month(_ index: Int) -> (first: CivilDate, last: CivilDate) {
        let first = CivilDate(year: 2024, month: index, day: 1)!
        return (first, first.adding(months: 1).adding(days: -1))
    }

    /// A percentage rising fast: unbounded, its range at the deadline runs past 100; with
    /// `max: 100` it stops at 100, and a target of 101 cannot be met.
    @Test func aLevelsRangeStaysWithinItsBounds() {
        let levels: [Decimal] = [60, 80, 90, 95]
        let figures = levels.enumerated().map { index, value in
            ObservedFigure(periodStart: nil, periodEnd: Self.month(index + 1).last, value: value, qualifier: .exact, publishedOn: Self.month(index + 1).last)
        }
        let free = Metric(key: "share", name: "Share", unit: "%", kind: .level)
        let bounded = Metric(key: "share", name: "Share", unit: "%", kind: .level, minimum: 0, maximum: 100)
        func pledge(_ target: Decimal) -> Commitment {
            Commitment(
                key: "c", title: "c", metric: "share", baseline: .init(date: CivilDate(year: 2023, month: 12, day: 31)!, value: 50), target: .value(target),
                deadline: DatePeriod(last: CivilDate(year: 2024, month: 12, day: 31)!, precision: .day))
        }
        let asOf = CivilDate(year: 2024, month: 5, day: 1)!
        let unbounded = Assessor.assess(pledge(99), metric: free, figures: figures, asOf: asOf)
        let within = Assessor.assess(pledge(99), metric: bounded, figures: figures, asOf: asOf)
        #expect((unbounded.projection.valueAtDeadlineHigh ?? 0) > 100)
        #expect(within.projection.valueAtDeadlineHigh == 100)
        #expect(within.projection.valueAtDeadlineLow == unbounded.projection.valueAtDeadlineLow.map { min(max($0, 0), 100) })
        #expect(within.probabilityMet == unbounded.probabilityMet)  // censored at 100, not reshaped: 99 is inside
        #expect(Assessor.assess(pledge(101), metric: bounded, figures: figures, asOf: asOf).probabilityMet == 0)
        #expect((Assessor.assess(pledge(101), metric: free, figures: figures, asOf: asOf).probabilityMet ?? 0) > 0)
    }

    /// A count whose months are lumpy: unbounded, the range's low end falls below the progress
    /// already made; with `min: 0` progress cannot fall, so the range starts at it.
    @Test func aCountsRangeNeverFallsBelowWhatIsDone() {
        let counts: [Decimal] = [30, 0, 25, 0, 5]
        let figures = counts.enumerated().map { index, value in
            ObservedFigure(periodStart: Self.month(index + 1).first, periodEnd: Self.month(index + 1).last, value: value, qualifier: .exact, publishedOn: Self.month(index + 1).last)
        }
        let pledge = Commitment(
            key: "c", title: "c", metric: "n", baseline: .init(date: CivilDate(year: 2024, month: 1, day: 1)!), target: .value(300),
            deadline: DatePeriod(last: CivilDate(year: 2025, month: 12, day: 31)!, precision: .day))
        let asOf = CivilDate(year: 2024, month: 6, day: 1)!
        let free = Assessor.assess(pledge, metric: Metric(key: "n", name: "n", unit: "u", kind: .additive), figures: figures, asOf: asOf)
        let counted = Assessor.assess(pledge, metric: Metric(key: "n", name: "n", unit: "u", kind: .additive, minimum: 0), figures: figures, asOf: asOf)
        #expect((free.projection.valueAtDeadlineLow ?? 60) < 60)
        #expect(counted.projection.valueAtDeadlineLow == 60)  // the 60 counted by May
        #expect(counted.projection.valueAtDeadlineHigh == free.projection.valueAtDeadlineHigh)
        #expect(counted.probabilityMet == free.probabilityMet)
    }
}
