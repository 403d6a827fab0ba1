import Foundation
import HeadwayModel
import HeadwayReport
import Testing

/// Each formula of docs/METHODS.md pinned to values computed by hand (the worked examples there,
/// and an independent least-squares computation for the regression cases). The forecast's numbers
/// here are methods version 2's (`--method 2`); version 3's are pinned in LocalTrendTests.
@Suite struct AssessorTests {
    static let closures = Metric(key: "closures", name: "County lines closed", unit: "lines", kind: .additive)
    static let waitingList = Metric(key: "waiting", name: "Waiting list", unit: "people", kind: .level)

    static func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }
    static func start(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).first }

    /// An amount over [from, to], published the day its period ends unless said otherwise.
    static func amount(_ from: String, _ to: String, _ value: Decimal, _ qualifier: Qualifier = .exact, published: String? = nil) -> ObservedFigure {
        ObservedFigure(periodStart: start(from), periodEnd: date(to), value: value, qualifier: qualifier, publishedOn: date(published ?? to))
    }

    static func level(_ at: String, _ value: Decimal, _ qualifier: Qualifier = .exact) -> ObservedFigure {
        ObservedFigure(periodStart: nil, periodEnd: date(at), value: value, qualifier: qualifier, publishedOn: date(at))
    }

    static func commitment(
        baseline: String, target: Commitment.Target, deadline: String, baselineValue: Decimal? = nil, comparison: Commitment.Comparison? = nil,
        milestones: [Commitment.Milestone] = [], metric: Metric = closures
    ) -> Commitment {
        Commitment(
            key: "c", title: "A pledge", metric: metric.key, baseline: .init(date: start(baseline), value: baselineValue), target: target,
            comparison: comparison, deadline: try! DatePeriod(parsing: deadline), milestones: milestones)
    }

    private func close(_ actual: Double?, _ expected: Double, _ tolerance: Double = 0.0001, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("expected \(expected), got nil", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    /// The seed: over 2,500 closures from April 2022 to March 2024, against over 2,000 by April 2025.
    @Test func workedExampleFromTheSeed() {
        let a = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")], asOf: Self.date("2024-04-05"), method: .randomWalk)
        #expect(a.status == .achieved)
        #expect(a.achievedOn == Self.date("2024-03-31"))
        #expect(a.daysEarly == 395)
        close(a.pace.averagePerDay, 2500.0 / 731)  // 731 days from 1 April 2022 to 31 March 2024
        close(a.pace.recentPerDay, 2500.0 / 731)  // one point: the recent pace is the average
        close(a.pace.requiredPerDay, 2000.0 / 1126)  // 1,126 days from 1 April 2022 to 30 April 2025
        close(a.pace.requiredFromNowPerDay, (2000.0 - 2500) / 390)
        close(a.percentComplete, 125)
        close(a.percentTimeElapsed, 736.0 / 1126 * 100)
        close(a.projection.valueAtDeadline, 2500 + 2500.0 / 731 * 395)
        // One interval: the prior's dispersion (10% a year at 3.42 a day), t with 1 degree of freedom.
        close(a.projection.valueAtDeadlineLow, 2833.3161)
        close(a.projection.valueAtDeadlineHigh, 4868.4623)
        #expect(a.probabilityMet == 1)  // achieved
        #expect(a.scheduleVarianceDays == 677)  // the plan reaches 2,500 at day 1,407.5; we did at day 731
        #expect(a.latest?.qualifier == .atLeast)
    }

    /// METHODS.md section 8: the further pledge of over 3,000 by August 2024, as of 5 April 2024 and after it.
    @Test func workedExampleTheFurtherPledge() {
        let pledge = Self.commitment(baseline: "2022-04", target: .value(3000), deadline: "2024-08")
        let figures = [Self.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")]
        let a = Assessor.assess(pledge, metric: Self.closures, figures: figures, asOf: Self.date("2024-04-05"), method: .randomWalk)
        close(a.projection.valueAtDeadline, 3023.2558)
        close(a.projection.valueAtDeadlineLow, 2462.1178)
        close(a.projection.valueAtDeadlineHigh, 3584.3939)
        close(a.probabilityMet, 0.5815)
        #expect(a.status == .onTrack)
        let later = Assessor.assess(pledge, metric: Self.closures, figures: figures, asOf: Self.date("2026-11-30"), method: .randomWalk)
        #expect(later.status == .awaitingData)  // no figure reaches August 2024: not `missed`
        close(later.probabilityMet, 0.5815)
    }

    /// METHODS.md section 8: "halve inflation", UK CPI, as of 30 June 2023 (at_risk, not off_track).
    @Test func workedExampleHalvingInflation() {
        let cpi = Metric(key: "cpi", name: "CPI annual rate", unit: "percent", kind: .level)
        let pledge = Self.commitment(baseline: "2022-12-31", target: .value(5.25), deadline: "2023-12", comparison: .atMost, metric: cpi)
        let published: [(String, Decimal, String)] = [
            ("2022-12-31", 10.5, "2023-01-18"), ("2023-01-31", 10.1, "2023-02-15"), ("2023-02-28", 10.4, "2023-03-22"),
            ("2023-03-31", 10.1, "2023-04-19"), ("2023-04-30", 8.7, "2023-05-24"), ("2023-05-31", 8.7, "2023-06-21"),
            ("2023-06-30", 7.9, "2023-07-19"),
        ]
        let figures = published.map { ObservedFigure(periodStart: nil, periodEnd: Self.date($0.0), value: $0.1, qualifier: .exact, publishedOn: Self.date($0.2)) }
        let a = Assessor.assess(pledge, metric: cpi, figures: figures, asOf: Self.date("2023-06-30"), method: .randomWalk)
        #expect(a.baselineValue == 10.5 && a.latest?.value == 8.7)
        close(a.pace.recentPerDay, -1.8 / 151)
        close(a.projection.valueAtDeadline, 6.1490)
        close(a.projection.valueAtDeadlineLow, 1.3027)
        close(a.projection.valueAtDeadlineHigh, 10.9953)
        close(a.probabilityMet, 0.3619)
        #expect(a.status == .atRisk)
    }

    @Test func monthlyCountsChainFromTheBaseline() {
        let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
        let a = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(120), deadline: "2024-12"), metric: Self.closures,
            figures: months.map { Self.amount($0, $0, 10) }, asOf: Self.date("2024-07-15"), method: .randomWalk)
        #expect(a.points.map(\.progress) == [10, 20, 30, 40, 50, 60])
        #expect(a.latest?.derivedFrom.count == 6)
        close(a.pace.averagePerDay, 60.0 / 182)
        close(a.pace.recentPerDay, 60.0 / 182)  // the change over the window over its length
        close(a.pace.requiredPerDay, 120.0 / 366)
        close(a.pace.requiredFromNowPerDay, 60.0 / 169)
        close(a.percentTimeElapsed, 53.825137)
        close(a.projection.valueAtDeadline, 120.6593)
        // Equal months have no scatter of their own: the prior alone (weight 1 of 6 degrees of freedom).
        close(a.projection.valueAtDeadlineLow, 110.9022)
        close(a.projection.valueAtDeadlineHigh, 130.4165)
        close(a.probabilityMet, 0.5501)
        #expect(a.projection.completionDate == Self.date("2024-12-29"))
        #expect(a.projection.completionDateLow == Self.date("2024-12-03"))
        #expect(a.projection.completionDateHigh == Self.date("2025-02-01"))
        #expect(a.scheduleVarianceDays == 1)
        #expect(a.status == .onTrack)
    }

    @Test func aRangeThatStillReachesIsAtRiskAndOneThatDoesNotIsOffTrack() {
        let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
        let figures = zip(months, [10, 4, 16, 6, 14, 8] as [Decimal]).map { Self.amount($0, $0, $1) }
        let atRisk = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(120), deadline: "2024-12"), metric: Self.closures, figures: figures,
            asOf: Self.date("2024-07-15"), method: .randomWalk)
        close(atRisk.pace.recentPerDay, 58.0 / 182)
        close(atRisk.projection.valueAtDeadline, 116.6374)
        close(atRisk.projection.valueAtDeadlineLow, 87.6823)
        close(atRisk.projection.valueAtDeadlineHigh, 145.5924)
        close(atRisk.probabilityMet, 0.4145)
        #expect(atRisk.status == .atRisk)
        let longShot = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(130), deadline: "2024-12"), metric: Self.closures, figures: figures,
            asOf: Self.date("2024-07-15"), method: .randomWalk)
        close(longShot.probabilityMet, 0.2043)  // the prior scales with the required pace, 130/366 a day
        #expect(longShot.status == .atRisk)
        let offTrack = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(200), deadline: "2024-12"), metric: Self.closures, figures: figures,
            asOf: Self.date("2024-07-15"), method: .randomWalk)
        close(offTrack.probabilityMet, 0.00109, 0.00001)  // the prior now scales with the required pace, 200/366 a day
        #expect(offTrack.status == .offTrack)
    }

    /// The points' figures written as JSON along their chains say what each point's
    /// `derivedFrom` says, and name every figure once (a subtracted one without its "-").
    @Test func derivedFromAsJSONIsEachPointsReferences() {
        let months = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
        let chained = Assessor.assess(
            Self.commitment(baseline: "2024-01", target: .value(120), deadline: "2024-12"), metric: Self.closures,
            figures: months.map { Self.amount($0, $0, 10) }, asOf: Self.date("2024-07-15"), method: .randomWalk)
        let differenced = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2019", "2024-03", 5600, .atLeast), Self.amount("2019", "2022-03", 3100), Self.amount("2024-04", "2024-06", 50)],
            asOf: Self.date("2024-12-31"), method: .randomWalk)
        for a in [chained, differenced] {
            let (texts, named) = ProgressPoint.derivedFromJSON(a.points)
            #expect(texts == a.points.map { JSONValue.array($0.derivedFrom.map(JSONValue.string)).compactText })
            #expect(named == Set(a.points.flatMap(\.derivedFrom).map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }))
        }
        #expect(differenced.points.contains { $0.derivedFrom.contains { $0.hasPrefix("-") } })
        #expect(ProgressPoint.derivedFromJSON(chained.points).texts.last?.hasPrefix("[\"2024-01-01..2024-01-31#") == true)
    }

    /// A running total begun thirty years before the baseline, less thirty years of daily
    /// figures: a point named by some 11,000 figures, written without recursing along the
    /// chain or keeping a text for each of its links.
    @Test func derivedFromAsJSONOfAVeryLongChain() {
        let start = Self.date("1995-01-01"), baseline = Self.date("2025-01-01")
        var figures = (0..<(baseline.daysSinceEpoch - start.daysSinceEpoch)).map { day -> ObservedFigure in
            let date = start.adding(days: day)
            return ObservedFigure(periodStart: date, periodEnd: date, value: 1, qualifier: .exact, publishedOn: baseline)
        }
        figures.append(ObservedFigure(periodStart: start, periodEnd: Self.date("2025-03-31"), value: 11_050, qualifier: .exact, publishedOn: Self.date("2025-04-10")))
        let points = ProgressDeriver.additive(baseline: baseline, figures: figures)
        #expect(points.count == 1 && points[0].progress == 11_050 - Decimal(figures.count - 1))
        let (texts, named) = ProgressPoint.derivedFromJSON(points)
        #expect(texts == points.map { JSONValue.array($0.derivedFrom.map(JSONValue.string)).compactText })
        #expect(named.count == figures.count && points[0].derivedFrom.count == figures.count)
    }

    @Test func differencesOfRunningTotalsWithACommonStart() {
        let a = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2019", "2024-03", 5600, .atLeast), Self.amount("2019", "2022-03", 3100)], asOf: Self.date("2024-12-31"), method: .randomWalk)
        #expect(a.latest?.progress == 2500)
        #expect(a.latest?.qualifier == .atLeast)  // at least 5,600 less exactly 3,100
        #expect(a.latest?.derivedFrom.count == 2)
        let unknownStart = Assessor.assess(
            Self.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: Self.closures,
            figures: [Self.amount("2019", "2024-03", 5600, .atLeast), Self.amount("2019", "2022-03", 3100, .atLeast)],
            asOf: Self.date("2024-12-31"), method: .randomWalk)
        #expect(unknownStart.latest?.qualifier == .about)  // at least minus at least bounds nothing
        #expect(unknownStart.status != .achieved)
    }

    @Test func noDataOnePointAndNotStarted() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        let none = Assessor.assess(pledge, metric: Self.closures, figures: [], asOf: Self.date("2024-06-30"), method: .randomWalk)
        #expect(none.status == .insufficientData)
        #expect(none.latest == nil && none.pace.recentPerDay == nil)
        let early = Assessor.assess(pledge, metric: Self.closures, figures: [], asOf: Self.date("2023-06-30"), method: .randomWalk)
        #expect(early.status == .notStarted)
        let one = Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-03", 30)], asOf: Self.date("2024-04-01"), method: .randomWalk)
        close(one.pace.recentPerDay, 30.0 / 91)
        #expect(one.projection.completionDate == Self.date("2024-03-31").adding(days: Int((70.0 / (30.0 / 91)).rounded(.up))))
    }

    @Test func achievedEarlyOnTimeLateAndMissed() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-06")
        func assess(_ figures: [ObservedFigure], asOf: String) -> Assessment {
            Assessor.assess(pledge, metric: Self.closures, figures: figures, asOf: Self.date(asOf), method: .randomWalk)
        }
        let early = assess([Self.amount("2024-01", "2024-04", 100)], asOf: "2024-05-15")
        #expect(early.status == .achieved && early.daysEarly == 61)
        let onTime = assess([Self.amount("2024-01", "2024-06", 100)], asOf: "2024-07-15")
        #expect(onTime.status == .achieved && onTime.daysEarly == 0)
        let late = assess([Self.amount("2024-01", "2024-06", 80), Self.amount("2024-01", "2024-08", 101)], asOf: "2024-09-15")
        #expect(late.status == .achievedLate && late.daysEarly == -62 && late.achievedOn == Self.date("2024-08-31"))
        let missed = assess([Self.amount("2024-01", "2024-06", 80)], asOf: "2024-07-15")
        #expect(missed.status == .missed && missed.achievedOn == nil && missed.probabilityMet == 0)
    }

    /// `missed` needs a figure that reaches the deadline and shows the target unmet; without one
    /// the status is `awaiting_data`, and the projection and probability still say what to expect.
    @Test func missedNeedsEvidenceOtherwiseAwaitingData() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-06")
        func assess(_ figures: [ObservedFigure], asOf: String) -> Assessment {
            Assessor.assess(pledge, metric: Self.closures, figures: figures, asOf: Self.date(asOf), method: .randomWalk)
        }
        let onPace = [Self.amount("2024-01", "2024-02", 40), Self.amount("2024-03", "2024-04", 35)]
        let waiting = assess(onPace, asOf: "2024-09-01")
        #expect(waiting.status == .awaitingData)
        #expect(waiting.projection.valueAtDeadline != nil)
        #expect((waiting.probabilityMet ?? 0) > 0.5)  // 75 by April, on pace for 100 by June
        let afterwards = assess(onPace + [Self.amount("2024-05", "2024-07", 10)], asOf: "2024-09-01")
        #expect(afterwards.status == .missed)  // 85 by July: short at the deadline too
        let bound = assess([Self.amount("2024-01", "2024-06", 90, .atLeast)], asOf: "2024-09-01")
        #expect(bound.status == .awaitingData)  // "over 90" could still be 100
        #expect(bound.reason?.contains("neither proves") == true)
        let under = assess([Self.amount("2024-01", "2024-06", 120, .atMost)], asOf: "2024-09-01")
        #expect(under.status == .awaitingData)  // "under 120" could be under 100, or not
        let short = assess([Self.amount("2024-01", "2024-06", 99, .atMost)], asOf: "2024-09-01")
        #expect(short.status == .missed)  // "under 99" is short of 100
        let none = assess([], asOf: "2024-09-01")
        #expect(none.status == .insufficientData)
    }

    /// The range widens, never narrows, as data thins: the same pace from fewer points is less certain.
    @Test func fewerPointsGiveAWiderRange() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(240), deadline: "2025-12")
        let months = (1...12).map { String(format: "2024-%02d", $0) }
        let figures = zip(months, [10, 12, 8, 11, 9, 10, 13, 7, 10, 11, 9, 10] as [Decimal]).map { Self.amount($0, $0, $1) }
        var widths: [Double] = []
        for count in [12, 6, 3, 2, 1] {
            let a = Assessor.assess(pledge, metric: Self.closures, figures: Array(figures.prefix(count)), asOf: Self.date(months[count - 1]), method: .randomWalk)
            let width = (a.projection.valueAtDeadlineHigh ?? 0) - (a.projection.valueAtDeadlineLow ?? 0)
            widths.append(width / Double(24 - count))  // per remaining month: later as-of dates have less time left
        }
        #expect(widths.allSatisfy { $0 > 0 })
        #expect(widths == widths.sorted(), "range per remaining month by 12, 6, 3, 2, 1 points: \(widths)")
    }

    /// Status follows the probability: on track from 0.5, at risk from 0.05, off track below.
    @Test func statusFollowsTheProbability() {
        let months = (1...6).map { String(format: "2024-%02d", $0) }
        let figures = zip(months, [10, 4, 16, 6, 14, 8] as [Decimal]).map { Self.amount($0, $0, $1) }
        for target in stride(from: 60, through: 260, by: 10) {
            let a = Assessor.assess(
                Self.commitment(baseline: "2024-01", target: .value(Decimal(target)), deadline: "2024-12"), metric: Self.closures,
                figures: figures, asOf: Self.date("2024-07-15"), method: .randomWalk)
            guard let p = a.probabilityMet, a.achievedOn == nil else { continue }
            let expected: Assessment.Status = p >= 0.5 ? .onTrack : p >= 0.05 ? .atRisk : .offTrack
            #expect(a.status == expected, "target \(target): p \(p), \(a.status)")
            #expect((a.projection.valueAtDeadline! >= Double(target)) == (p >= 0.5))  // the central projection decides on track
        }
    }

    /// A level baseline that cannot be read says why.
    @Test func anUnreadableLevelBaselineSaysWhy() {
        let pledge = Self.commitment(baseline: "FY2019-20", target: .value(30000), deadline: "2025", metric: Self.waitingList)
        let a = Assessor.assess(pledge, metric: Self.waitingList, figures: [Self.level("2020-03-31", 20000)], asOf: Self.date("2024-01-01"), method: .randomWalk)
        #expect(a.status == .insufficientData)
        #expect(a.reason == "no level known at or before 2019-04-01: give baseline.value")
    }

    @Test func qualifiersAtTheTargetBoundary() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(2000), deadline: "2024-12")
        func status(_ value: Decimal, _ qualifier: Qualifier) -> Assessment.Status {
            Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-06", value, qualifier)], asOf: Self.date("2024-07-01"), method: .randomWalk).status
        }
        #expect(status(2100, .atLeast) == .achieved)  // "over 2,100" meets 2,000
        #expect(status(2000, .exact) == .achieved)
        #expect(status(2010, .about) != .achieved)  // "about 2,010" does not prove it
        #expect(status(1990, .about) != .achieved)
        #expect(status(2100, .atMost) != .achieved)  // "under 2,100" could be under 2,000
    }

    @Test func aDecreaseTargetOnALevel() {
        // A waiting list of 1,000 to fall by 10% in 2024; it stood at 950 on 1 July.
        let pledge = Self.commitment(
            baseline: "2024-01-01", target: .percentChange(-10), deadline: "2025-01-01", baselineValue: 1000, metric: Self.waitingList)
        let a = Assessor.assess(pledge, metric: Self.waitingList, figures: [Self.level("2024-07-01", 950)], asOf: Self.date("2024-07-02"), method: .randomWalk)
        #expect(a.comparison == .atMost)
        #expect(a.targetProgress == -100 && a.targetValue == 900)
        #expect(a.progress == -50)
        close(a.pace.recentPerDay, -50.0 / 182)
        close(a.projection.valueAtDeadline, 950 - 50.0 / 182 * 184)
        #expect(a.status == .onTrack)
        close(a.percentComplete, 50)
    }

    @Test func negativeProgressFromAStartBelowBaseline() {
        // Officers: baseline level read from the data (100 at the baseline), target 120.
        let pledge = Self.commitment(baseline: "2024-01-01", target: .value(120), deadline: "2025-01-01", metric: Self.waitingList)
        let a = Assessor.assess(
            pledge, metric: Self.waitingList, figures: [Self.level("2023-12-31", 100), Self.level("2024-04-01", 95)],
            asOf: Self.date("2024-04-02"), method: .randomWalk)
        #expect(a.baselineValue == 100)
        #expect(a.progress == -5)
        close(a.probabilityMet, 0.02764)
        #expect(a.status == .offTrack)
        #expect(a.projection.completionDate == nil)  // moving away from the target
        #expect((a.scheduleVarianceDays ?? 0) < 0)
    }

    @Test func aFlatSeriesHasNoCompletionDate() {
        let pledge = Self.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        let a = Assessor.assess(
            pledge, metric: Self.closures, figures: ["2024-01", "2024-02", "2024-03"].map { Self.amount($0, $0, 0) }, asOf: Self.date("2024-04-01"), method: .randomWalk)
        close(a.pace.recentPerDay, 0)
        #expect(a.projection.completionDate == nil && a.projection.completionDateHigh == nil)
        close(a.probabilityMet, 0.00107)
        #expect(a.status == .offTrack)
    }

    @Test func milestonesShapeThePlan() {
        // Half the target planned in the last month: early progress is ahead of that plan.
        let pledge = Self.commitment(
            baseline: "2024-01", target: .value(100), deadline: "2024-12",
            milestones: [Commitment.Milestone(date: Self.date("2024-11"), value: 50)])
        let a = Assessor.assess(pledge, metric: Self.closures, figures: [Self.amount("2024-01", "2024-03", 25)], asOf: Self.date("2024-04-01"), method: .randomWalk)
        // The plan: 0 at day 0, 50 at day 335 (30 November), 100 at day 366; it reaches 25 at day 167.5.
        #expect(a.scheduleVarianceDays == 77)  // 167.5 − 91, rounded
        let trajectoryAtPoint = a.series.first { $0.date == Self.date("2024-03") }?.trajectory
        close(trajectoryAtPoint, 91.0 * 50 / 335)
    }
}
