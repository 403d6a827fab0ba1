import Foundation
import HeadwayModel
import HeadwayReport
import Testing

/// Pledges made per period (docs/METHODS.md, section 12), each case computed by hand.
@Suite struct PledgesPerPeriodTests {
    static let dwellings = Metric(key: "dwellings", name: "Dwellings completed", unit: "homes", kind: .additive)

    static func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }

    /// An amount over the period(s) `period` names ("2022", "FY2021-22", "2021-Q2", "2021-03"),
    /// published on `published`.
    static func amount(_ period: String, _ value: Decimal, published: String, revision: Int = 1) -> ObservedFigure {
        let parsed = try! DatePeriod(parsing: period)
        return ObservedFigure(
            periodStart: parsed.first, periodEnd: parsed.last, value: value, qualifier: .exact, revision: revision, publishedOn: date(published))
    }

    static func pledge(_ target: Decimal, over: Commitment.Over?, baseline: String, deadline: String) -> Commitment {
        Commitment(
            key: "homes", title: "Homes", metric: "dwellings", baseline: .init(date: try! DatePeriod(parsing: baseline).first),
            target: .value(target), over: over, deadline: try! DatePeriod(parsing: deadline))
    }

    /// "400,000 new dwellings in 2022": 295,300 were completed (73.825%). Without `over` the 2023
    /// figure would make it achieved late; as a pledge for 2022 it stays missed.
    @Test func aPledgeForOnePeriodStaysMissedWhenLaterYearsArePublished() {
        let figures = [Self.amount("2022", 295_300, published: "2023-05-23"), Self.amount("2023", 294_400, published: "2024-05-23")]
        let inYear = Self.pledge(400_000, over: .period, baseline: "2022", deadline: "2022")
        let june2023 = Assessor.assess(inYear, metric: Self.dwellings, figures: figures, asOf: Self.date("2023-06-30"))
        #expect(june2023.status == .missed)
        #expect(june2023.percentComplete.map { abs($0 - 73.825) < 1e-9 } == true)
        let june2024 = Assessor.assess(inYear, metric: Self.dwellings, figures: figures, asOf: Self.date("2024-06-30"))
        #expect(june2024.status == .missed)
        #expect(june2024.latest?.value == 295_300 && june2024.achievedOn == nil && june2024.probabilityMet == 0)
        #expect(Display.target(june2024) == "≥ 400,000 homes in 2022")

        let accumulating = Self.pledge(400_000, over: nil, baseline: "2022", deadline: "2022")
        let before = Assessor.assess(accumulating, metric: Self.dwellings, figures: figures, asOf: Self.date("2024-06-30"))
        #expect(before.status == .achievedLate)  // 589,700 by the end of 2023: what `over: period` prevents
        // Before the deadline's figure, a forecast as usual; after the deadline with none, awaiting data.
        let monthly = (1...6).map { Self.amount(String(format: "2022-%02d", $0), 25_000, published: String(format: "2022-%02d", $0)) }
        let midYear = Assessor.assess(inYear, metric: Self.dwellings, figures: monthly, asOf: Self.date("2022-06-30"))
        #expect(midYear.status == .offTrack && midYear.latest?.value == 150_000)
        #expect(Assessor.assess(inYear, metric: Self.dwellings, figures: monthly, asOf: Self.date("2023-01-31")).status == .awaitingData)
    }

    /// "300,000 homes a year" by March 2022, from financial years: the year to March 2019 (240,000)
    /// is the baseline; the year to March 2022 (310,000) meets it on 31 March 2022.
    @Test func anAnnualRatePledgeIsMetByTheYearThatReachesIt() {
        let figures = [
            Self.amount("FY2018-19", 240_000, published: "2019-11-14"), Self.amount("FY2019-20", 250_000, published: "2020-11-19"),
            Self.amount("FY2020-21", 280_000, published: "2021-11-25"), Self.amount("FY2021-22", 310_000, published: "2022-11-24"),
        ]
        let pledge = Self.pledge(300_000, over: .year, baseline: "2019-04", deadline: "2022-03")
        let a = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2022-12-31"))
        #expect(a.status == .achieved)
        #expect(a.achievedOn == Self.date("2022-03-31"))
        #expect(a.baselineValue == 240_000 && a.latest?.value == 310_000 && a.progress == 70_000)
        #expect(a.targetProgress == 60_000)
        #expect(a.percentComplete.map { abs($0 - 70_000.0 / 60_000 * 100) < 1e-9 } == true)
        #expect(a.points.map(\.value) == [250_000, 280_000, 310_000])
        #expect(a.latest?.derivedFrom == ["2021-04-01..2022-03-31#1"])
        #expect(Display.target(a) == "≥ 300,000 homes a year")
        #expect(Display.latest(a) == "310,000 homes in the year to March 2022")
        // As of November 2021 the year to March 2021 (280,000) is the latest: a forecast, short of it.
        let earlier = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2021-12-31"))
        #expect(earlier.latest?.value == 280_000 && earlier.achievedOn == nil && earlier.probabilityMet != nil)
    }

    /// The same pledge with the last year published as four quarters: the window is tiled by them.
    @Test func quartersTileTheYear() {
        let figures = [
            Self.amount("FY2018-19", 240_000, published: "2019-11-14"), Self.amount("FY2020-21", 280_000, published: "2021-11-25"),
            Self.amount("2021-Q2", 70_000, published: "2021-08-20"), Self.amount("2021-Q3", 80_000, published: "2021-11-20"),
            Self.amount("2021-Q4", 75_000, published: "2022-02-20"), Self.amount("2022-Q1", 85_000, published: "2022-05-20"),
        ]
        let pledge = Self.pledge(300_000, over: .year, baseline: "2019-04", deadline: "2022-03")
        let a = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2022-06-30"))
        // Years to June, September and December 2021 start inside FY2020-21, which is not split: no total.
        #expect(a.points.map(\.date) == [Self.date("2021-03-31"), Self.date("2022-03-31")])
        #expect(a.latest?.value == 310_000 && a.status == .achieved && a.achievedOn == Self.date("2022-03-31"))
        #expect(a.latest?.derivedFrom == ["2021-04-01..2021-06-30#1", "2021-07-01..2021-09-30#1", "2021-10-01..2021-12-31#1", "2022-01-01..2022-03-31#1"])
        // Before the last quarter is out, the latest quarter's year cannot be tiled, and the reason says so.
        let february = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2022-02-28"))
        #expect(february.latest?.value == 280_000)
        #expect(february.reason == "the year to 2021-12-31 (from 2021-01-01) is not covered exactly by the figures published: a gap, or periods that overlap; no total is guessed")
    }

    /// Monthly figures: 9 a month in 2020 (108 in the year), then 12 a month. The year to January
    /// 2021 is 111, February 114, March 117, April 120: a pledge of 120 a year is met on 30 April.
    /// March revised to 2 on 15 May takes 10 off every year that holds it: then 107, 110, 113, 116,
    /// 119 and 122 in the year to August, met on 31 August.
    @Test func monthsTileTheYearAndARevisionMovesTheDay() {
        var figures = (1...12).map { Self.amount(String(format: "2020-%02d", $0), 9, published: String(format: "2020-%02d", $0)) }
        figures += (1...12).map { Self.amount(String(format: "2021-%02d", $0), 12, published: String(format: "2021-%02d", $0)) }
        let pledge = Self.pledge(120, over: .year, baseline: "2021-01", deadline: "2021-12")
        let before = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2021-05-10"))
        #expect(before.baselineValue == 108)
        #expect(before.points.map(\.value) == [111, 114, 117, 120])
        #expect(before.status == .achieved && before.achievedOn == Self.date("2021-04-30"))

        let revised = figures + [Self.amount("2021-03", 2, published: "2021-05-15", revision: 2)].map { $0 }
        let current = revised.filter { !($0.periodStart == Self.date("2021-03-01") && $0.revision == 1) }
        let after = Assessor.assess(pledge, metric: Self.dwellings, figures: current, asOf: Self.date("2021-12-31"))
        #expect(after.points.prefix(8).map(\.value) == [111, 114, 107, 110, 113, 116, 119, 122])
        #expect(after.achievedOn == Self.date("2021-08-31"))
        #expect(after.latest?.derivedFrom.contains("2021-03-01..2021-03-31#2") == true)
    }

    /// A quarter missing from quarterly figures: the years over it are not guessed, and the
    /// assessment says why.
    @Test func aWindowThatCannotBeTiledIsExplained() {
        let figures = [
            Self.amount("2020-Q1", 100, published: "2020-05"), Self.amount("2020-Q2", 100, published: "2020-08"),
            Self.amount("2020-Q3", 100, published: "2020-11"), Self.amount("2020-Q4", 100, published: "2021-02"),
            Self.amount("2021-Q1", 110, published: "2021-05"), Self.amount("2021-Q3", 110, published: "2021-11"),
        ]
        let pledge = Self.pledge(450, over: .year, baseline: "2021", deadline: "2022")
        let a = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: Self.date("2021-12-31"))
        #expect(a.baselineValue == 400)
        #expect(a.points.map(\.value) == [410])  // the year to March 2021 only
        #expect(a.reason == "the year to 2021-09-30 (from 2020-10-01) is not covered exactly by the figures published: a gap, or periods that overlap; no total is guessed")
        let none = Assessor.assess(pledge, metric: Self.dwellings, figures: Array(figures.suffix(2)), asOf: Self.date("2021-12-31"))
        #expect(none.status == .insufficientData)
        #expect(none.reason == "no year's total ending at or before 2021-01-01 can be made from the figures: give baseline.value")
    }

    @Test func windowLabels() {
        #expect(Display.window(.year, endingOn: Self.date("2024-03-31")) == "in the year to March 2024")
        #expect(Display.window(.quarter, endingOn: Self.date("2024-06-30")) == "in the quarter to June 2024")
        #expect(Display.window(.month, endingOn: Self.date("2024-02-29")) == "in February 2024")
        #expect(Display.window(.year, endingOn: Self.date("2024-03-15")) == "in the year to 2024-03-15")
        #expect(Display.over(.period, baseline: Self.date("2023-04-01"), deadline: Self.date("2024-03-31")) == "in FY2023-24")
        #expect(Display.over(.period, baseline: Self.date("2024-03-01"), deadline: Self.date("2024-03-31")) == "in March 2024")
        #expect(Display.over(.period, baseline: Self.date("2022-04-01"), deadline: Self.date("2025-03-31")) == "in FY2022-23 to FY2024-25")
        #expect(Display.over(.period, baseline: Self.date("2022-04-01"), deadline: Self.date("2025-04-30")) == "from 2022-04-01 to 2025-04-30")
        #expect(CivilDate(year: 2024, month: 3, day: 31)!.adding(months: -1) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(year: 2024, month: 1, day: 15)!.adding(months: -13) == CivilDate(year: 2022, month: 12, day: 15))
    }

    /// Rate pledges' forecasts: monthly figures for four years, a pledge of about the fourth
    /// year's expected total "a year" by its end, from a baseline a year in; assessed after 18, 30
    /// and 42 months, half the series steady and half with a pace that trends by ±50% over the
    /// four years. A range is judged on the year to the deadline's total, a chance on whether any
    /// year ending by the deadline reached the target; assessments already achieved are not forecasts. Seeded; the figures are in
    /// docs/METHODS.md, section 12.
    @Test func windowTotalsRangesHoldTheOutcome() {
        var random = SeededGenerator(state: 20_261_208)
        var (count, covered, squaredError) = (0, 0, 0.0)
        var byKind: [Bool: (Int, Int)] = [:]
        let start = CivilDate(year: 2020, month: 1, day: 1)!
        for series in 0..<200 {
            let trending = series % 2 == 1
            let mean = 50 + 100 * random.uniform()
            let change: Double = trending ? (random.uniform() < 0.5 ? -0.5 : 0.5) : 0
            var figures: [ObservedFigure] = []
            var values: [Double] = []
            func pace(_ month: Int) -> Double {
                let middle: Double = (Double(month) + 0.5) / 48
                return mean * (1 + change * (middle - 0.5))
            }
            for month in 0..<48 {
                let pace = pace(month)
                let value = max(0, pace + 0.3 * mean * random.normal())
                values.append(value)
                let first = start.adding(months: month)
                let last = first.adding(months: 1).adding(days: -1)
                figures.append(
                    ObservedFigure(
                        periodStart: first, periodEnd: last, value: Decimal(string: String(format: "%.2f", value))!, qualifier: .exact,
                        publishedOn: last.adding(days: 20)))
            }
            let outcome = values[36...].reduce(0, +)
            let expected = (36..<48).map(pace).reduce(0, +)
            let target = (expected * (0.9 + 0.2 * random.uniform())).rounded()
            let met = (12..<48).contains { end in values[(end - 11)...end].reduce(0, +) >= target }
            let pledge = Commitment(
                key: "c", title: "c", metric: "dwellings", baseline: .init(date: start.adding(months: 12)), target: .value(Decimal(target)),
                comparison: .atLeast, over: .year, deadline: DatePeriod(last: start.adding(months: 48).adding(days: -1), precision: .day))
            for months in [18, 30, 42] {
                let a = Assessor.assess(pledge, metric: Self.dwellings, figures: figures, asOf: start.adding(months: months).adding(days: 25))
                if a.status == .achieved { continue }  // settled by a year already past the target: not a forecast
                guard let low = a.projection.valueAtDeadlineLow, let high = a.projection.valueAtDeadlineHigh, let p = a.probabilityMet else {
                    Issue.record("series \(series) as of month \(months): status \(a.status)")
                    continue
                }
                count += 1
                let hit = low <= outcome && outcome <= high
                covered += hit ? 1 : 0
                byKind[trending, default: (0, 0)].0 += 1
                byKind[trending, default: (0, 0)].1 += hit ? 1 : 0
                squaredError += (p - (met ? 1 : 0)) * (p - (met ? 1 : 0))
            }
        }
        let coverage = Double(covered) / Double(count)
        let brier = squaredError / Double(count)
        print(String(format: "window totals: %d forecasts, %.1f%% covered (steady %.1f%%, trending %.1f%%), Brier %.3f", count, coverage * 100,
                     Double(byKind[false]!.1) / Double(byKind[false]!.0) * 100, Double(byKind[true]!.1) / Double(byKind[true]!.0) * 100, brier))
        #expect(count >= 150)
        #expect((0.80...0.98).contains(coverage), "coverage \(coverage)")
        // 0.235 here: the steady half is about calibrated, the trending half under-forecast
        // (section 12 says why); a chance from the totals' own series scored 0.259, worse than a coin.
        #expect(brier < 0.25, "Brier \(brier)")
    }
}
