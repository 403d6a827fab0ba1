import Foundation
import HeadwayModel
import Testing

@testable import HeadwayReport

/// The charts' axes, ticks worked out by hand: round values from zero (or near the data when
/// they are far from it), and dates at year, quarter or month boundaries whose labels keep
/// clear of each other at both chart widths.
@Suite struct ChartAxisTests {
    static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }

    @Test func aCountStartsAtZeroInRoundSteps() {
        // The police uplift's figures reach 20,951: steps of 2,500 would take 10 ticks, 5,000 takes 6.
        let officers = ValueAxis(covering: [0, 3_000, 11_053, 20_951])
        #expect(officers.ticks == [0, 5_000, 10_000, 15_000, 20_000, 25_000])
        #expect(officers.labels() == ["0", "5,000", "10,000", "15,000", "20,000", "25,000"])
        // From 1,200 up, less than half the top: still from zero (steps of 500 would reach 3,000 in 7 ticks).
        #expect(ValueAxis(covering: [2_500, 1_200, 2_950]).ticks == [0, 1_000, 2_000, 3_000])
        // A range reaching below zero spans it: 5,000 would need 7 ticks (-5,000…25,000).
        #expect(ValueAxis(covering: [-1_001, 20_951]).ticks == [-10_000, 0, 10_000, 20_000, 30_000])
        // All below zero: up to zero, unless far from it.
        #expect(ValueAxis(covering: [-500, -2_000]).ticks == [-2_000, -1_500, -1_000, -500, 0])
        #expect(ValueAxis(covering: [-1_900, -2_000]).ticks == [-2_000, -1_980, -1_960, -1_940, -1_920, -1_900])
    }

    @Test func aLevelFarFromZeroStartsNearTheData() {
        // 140,000 is more than half of 149,500: steps of 1,000 take 11 ticks, 2,000 take 6.
        let axis = ValueAxis(covering: [140_000, 143_210, 149_500])
        #expect(axis.ticks == [140_000, 142_000, 144_000, 146_000, 148_000, 150_000])
        #expect(axis.labels().first == "140,000")
        // Exactly half is not far: a rate of 10.5 to 5.25 starts at zero, in steps of 2.5 (2 would need 7 ticks).
        let rate = ValueAxis(covering: [10.5, 8.7, 5.25])
        #expect(rate.ticks == [0, 2.5, 5, 7.5, 10, 12.5])
        #expect(rate.labels() == ["0", "2.5", "5.0", "7.5", "10.0", "12.5"])
    }

    @Test func labelsAbbreviateMillionsAndThousandsWhenTooWide() {
        let money = ValueAxis(covering: [0, 145_000_000])
        #expect(money.ticks == [0, 50_000_000, 100_000_000, 150_000_000])
        #expect(money.labels() == ["0", "50m", "100m", "150m"])
        #expect(ValueAxis(covering: [0, 2_600_000]).labels() == ["0", "1m", "2m", "3m"])
        #expect(ValueAxis(covering: [0, 1_100_000]).labels() == ["0", "0.25m", "0.50m", "0.75m", "1.00m", "1.25m"])
        let homes = ValueAxis(covering: [0, 250_000])
        #expect(homes.labels() == ["0", "50,000", "100,000", "150,000", "200,000", "250,000"])
        // "250,000" at 13 units is about 54 wide: in 40 it reads as thousands.
        #expect(homes.labels(room: 40, fontSize: 13) == ["0", "50k", "100k", "150k", "200k", "250k"])
        // Small values keep the decimals the step needs, and no rounding noise (3 × 0.1).
        #expect(ValueAxis(covering: [0, 0.3]).labels() == ["0", "0.1", "0.2", "0.3"])
        #expect(ValueAxis(covering: []).labels() == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(ValueAxis(covering: [.nan, 7]).ticks == [0, 2, 4, 6, 8])
    }

    @Test func everyAxisHasFourToSixRoundTicks() {
        for high in stride(from: 1.0, through: 1e7, by: 1e7 / 997) {
            for fraction in [0.0, 0.3, 0.55, 0.9] {
                let axis = ValueAxis(covering: [high * fraction, high])
                #expect((3...6).contains(axis.ticks.count), "\(high * fraction)…\(high): \(axis.ticks)")
                #expect(axis.low <= high * fraction && axis.high >= high)
                let mantissa = axis.step / pow(10, log10(axis.step).rounded(.down))
                #expect([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(axis.step)")
            }
        }
    }

    @Test func yearsForSeveralYearsQuartersForOneToThreeMonthsForLess() {
        let years = DateAxis(from: Self.date("2019-10-01"), to: Self.date("2023-03-31"), width: 564, fontSize: 12, overhang: (60, 16))
        #expect(years.months == 12)
        #expect(years.ticks.map(\.label) == ["2020", "2021", "2022", "2023"])
        #expect(years.ticks.map(\.date) == ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"].map(Self.date))
        let months = DateAxis(from: Self.date("2024-01-01"), to: Self.date("2024-05-31"), width: 564, fontSize: 12, overhang: (60, 16))
        #expect(months.months == 1)
        #expect(months.ticks.map(\.label) == ["Jan 2024", "Feb", "Mar", "Apr", "May"])
        // Two years: quarters on a wide chart (72 units apart, labels at most 57 wide)…
        let wide = DateAxis(from: Self.date("2022-04-01"), to: Self.date("2024-03-31"), width: 564, fontSize: 12, overhang: (60, 16))
        #expect(wide.months == 3)
        #expect(wide.ticks.map(\.label) == ["Apr 2022", "Jul", "Oct", "Jan 2023", "Apr", "Jul", "Oct", "Jan 2024"])
        // …half-years on a phone's (36 units apart would not hold "Apr 2022" beside "Jul").
        let narrow = DateAxis(from: Self.date("2022-04-01"), to: Self.date("2024-03-31"), width: 294, fontSize: 13, overhang: (56, 10))
        #expect(narrow.months == 6)
        #expect(narrow.ticks.map(\.label) == ["Jul 2022", "Jan 2023", "Jul", "Jan 2024"])
        // Within a month there is no boundary to mark: the ends, as dates.
        let days = DateAxis(from: Self.date("2024-03-05"), to: Self.date("2024-03-25"), width: 564, fontSize: 12, overhang: (60, 16))
        #expect(days.ticks.map(\.label) == ["2024-03-05", "2024-03-25"])
    }

    @Test func dateLabelsNeverCrowdAtEitherWidth() {
        let start = Self.date("2019-04-01")
        for days in stride(from: 20, through: 30 * 366, by: 23) {
            for (width, size) in [(564.0, 12.0), (294, 13)] {
                let axis = DateAxis(from: start, to: start.adding(days: days), width: width, fontSize: size, overhang: (56, 10))
                let shown = axis.ticks.filter { $0.label != nil }
                #expect(shown.count >= 2, "\(days) days at \(width): \(axis.ticks)")
                #expect(DateAxis.clear(axis.ticks, fontSize: size), "\(days) days at \(width)")
                #expect(axis.ticks.allSatisfy { $0.x >= 0 && $0.x <= width })
                for tick in shown {
                    let half = ChartText.width(tick.label ?? "", fontSize: size) / 2
                    #expect(tick.labelX - half >= -56 && tick.labelX + half <= width + 10, "\(tick)")
                }
            }
        }
    }

    @Test func theChartDrawsGridlinesAndLabelsAtTheTicks() throws {
        // Woodland from 13,460 to a target of 30,000 hectares, 2019-04 to 2025-03.
        let svg = HTMLReport.chart(ReportColumnTests.woodlandPledge(), .wide).text
        let values = svg.matches(of: #/<text class="tick-y"[^>]*>([^<]+)</text>/#).map { String($0.output.1) }
        #expect(values == ["0", "10,000", "20,000", "30,000"])
        let dates = svg.matches(of: #/<text class="tick-x"[^>]*>([^<]+)</text>/#).map { String($0.output.1) }
        // (To 2026: the chart runs a year past the deadline to show the completion range.)
        #expect(dates == ["2020", "2021", "2022", "2023", "2024", "2025", "2026"])
        // A gridline at each tick above the axis (232), a third of the plot apart: the last at its top (12).
        let grid = try #require(svg.firstMatch(of: #/<path d="([^"]+)" stroke="#d8dee4"/#)).output.1
        #expect(grid == "M60.0,158.7H624.0M60.0,85.3H624.0M60.0,12.0H624.0")
    }
}
