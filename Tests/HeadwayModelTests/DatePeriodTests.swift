import HeadwayModel
import Testing

@Suite struct DatePeriodTests {
    private func period(_ text: String) throws -> (String, String, DatePeriod.Precision) {
        let period = try DatePeriod(parsing: text)
        return (period.first.description, period.last.description, period.precision)
    }

    @Test func dayMonthQuarterYearAndFinancialYear() throws {
        #expect(try period("2024-04-05") == ("2024-04-05", "2024-04-05", .day))
        #expect(try period("2024-08") == ("2024-08-01", "2024-08-31", .month))
        #expect(try period("2024-02") == ("2024-02-01", "2024-02-29", .month))
        #expect(try period("2023-02") == ("2023-02-01", "2023-02-28", .month))
        #expect(try period("2024-Q1") == ("2024-01-01", "2024-03-31", .quarter))
        #expect(try period("2024-Q4") == ("2024-10-01", "2024-12-31", .quarter))
        #expect(try period("2022") == ("2022-01-01", "2022-12-31", .year))
        #expect(try period("FY2023-24") == ("2023-04-01", "2024-03-31", .financialYear))
        #expect(try period("FY1999-00") == ("1999-04-01", "2000-03-31", .financialYear))
    }

    /// Periods as SDMX, the World Bank and the ONS write them (issue 28's one period grammar),
    /// each checked against a calendar: 2020-W53 exists (2020 began on a Wednesday), 2021-W53
    /// does not; ISO week 1 of 2024 begins on Monday 1 January, of 2021 on 4 January.
    @Test func statisticalPeriods() throws {
        #expect(try period("2024-W01") == ("2024-01-01", "2024-01-07", .week))
        #expect(try period("2021-W01") == ("2021-01-04", "2021-01-10", .week))
        #expect(try period("2020-W53") == ("2020-12-28", "2021-01-03", .week))
        #expect(try period("2019-W01") == ("2018-12-31", "2019-01-06", .week))
        #expect(try period("2024-S2") == ("2024-07-01", "2024-12-31", .half))
        #expect(try period("2024-H1") == ("2024-01-01", "2024-06-30", .half))
        #expect(try period("2024-T2") == ("2024-05-01", "2024-08-31", .third))
        #expect(try period("2024-A1") == ("2024-01-01", "2024-12-31", .year))
        #expect(try period("2024-M02") == ("2024-02-01", "2024-02-29", .month))
        #expect(try period("2012M01") == ("2012-01-01", "2012-01-31", .month))
        #expect(try period("2013Q1") == ("2013-01-01", "2013-03-31", .quarter))
        #expect(try period("2020 JAN") == ("2020-01-01", "2020-01-31", .month))
        #expect(try period("2020 Q1") == ("2020-01-01", "2020-03-31", .quarter))
        #expect(try period("2023-01/P3M") == ("2023-01-01", "2023-03-31", .quarter))
        #expect(try period("2023-01-01/P1M") == ("2023-01-01", "2023-01-31", .month))
        #expect(try period("2023/P1Y") == ("2023-01-01", "2023-12-31", .year))
        #expect(try period("2024-01-01/P7D") == ("2024-01-01", "2024-01-07", .week))
        for text in ["2024-W05", "2020-W53", "2019-W01", "2024-H2", "2024-T3"] {
            #expect(try DatePeriod(parsing: text).description == text)
        }
        for text in ["2021-W53", "2024-W00", "2024-S3", "2024-T4", "2024-A2", "2024-M13", "2012M1", "2020 JUNE", "2023-02/P3M", "2023-01/P2M", "2024-01-02/P7D"] {
            #expect(throws: DateParseError.self, "\(text)") { try DatePeriod(parsing: text) }
        }
        // A week keeps its precision, as a deadline does when stored.
        let week = try DatePeriod(parsing: "2024-W05")
        #expect(DatePeriod(last: week.last, precision: .week) == week)
    }

    @Test func writesBackInTheFormItWasParsedFrom() throws {
        for text in ["2024-04-05", "2024-08", "2024-Q3", "2024", "FY2023-24", "FY2009-10"] {
            #expect(try DatePeriod(parsing: text).description == text)
        }
    }

    @Test(arguments: [
        "", "2024-13", "2024-00", "2023-02-29", "2024-04-31", "2024-Q5", "2024-Q0", "FY2023-25", "24-04-05",
        "2024/04/05", "2024-4-5", "April 2024", "0000", "2024-04-05T00:00", "FY2023", "２０２４",
    ])
    func rejectsMalformedDates(text: String) {
        #expect(throws: DateParseError.self) { try DatePeriod(parsing: text) }
    }

    @Test func daysReadFromUTF8AsParsed() {
        let texts = [
            "2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2024-00-10", "2024-1a-01", "2024/01/01",
            " 024-01-01", "2024-01-32", "2024-04-31", "2024-04-30", "2024-01-0:", "2024-01-0/", "2024-01-00", "1900-02-29", "2000-02-29",
        ]
        for text in texts {
            var copy = text
            let fromBytes = copy.withUTF8 { CivilDate(isoUTF8: $0) }
            let parsed = (try? DatePeriod(parsing: text)).flatMap { $0.precision == .day ? $0.first : nil }
            #expect(fromBytes == parsed, "\(text)")
        }
    }

    @Test func errorSaysWhatIsAccepted() {
        let error = #expect(throws: DateParseError.self) { try DatePeriod(parsing: "next spring") }
        #expect(error?.description == "expected a date as YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY or a financial year FY2024-25, got \"next spring\"")
        let impossible = #expect(throws: DateParseError.self) { try DatePeriod(parsing: "2023-02-29") }
        #expect(impossible?.reason == "day 29 does not exist in that month")
    }

    @Test func civilDateArithmeticAcrossLeapYearsAndCenturies() throws {
        let start = try CivilDate(parsing: "2022-04-01")
        let deadline = try CivilDate(parsing: "2025-04-30")
        #expect(start.days(until: deadline) == 1125)  // 365 + 366 + 365 + 29
        #expect(try CivilDate(parsing: "1970-01-01").daysSinceEpoch == 0)
        #expect(try CivilDate(parsing: "2000-03-01").daysSinceEpoch == 11_017)
        #expect(try CivilDate(parsing: "1969-12-31").daysSinceEpoch == -1)
        #expect(CivilDate(daysSinceEpoch: 19_818).description == "2024-04-05")
        #expect(try CivilDate(parsing: "2024-02-28").adding(days: 1).description == "2024-02-29")
        #expect(try CivilDate(parsing: "1900-02-28").adding(days: 1).description == "1900-03-01")
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(throws: DateParseError.self) { try CivilDate(parsing: "2024-04") }
    }

    @Test func everyDayRoundTripsThroughItsDayNumber() {
        // Every 997th day from 0001-01-01 to 9999-12-31.
        for days in stride(from: -719_162, through: 2_932_896, by: 997) {
            let date = CivilDate(daysSinceEpoch: days)
            let (year, month, day) = date.components
            #expect(CivilDate(year: year, month: month, day: day) == date)
        }
    }
}
