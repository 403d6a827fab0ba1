/// A date written at some precision: a day, a month, a quarter, a year or a UK financial year.
///
/// DESIGN.md: as a start a coarse value means the period's first day, as an end its last day.
/// ```swift
/// let deadline = try DatePeriod(parsing: "2024-08")   // 2024-08-01 ... 2024-08-31
/// deadline.last                                        // 2024-08-31
/// try DatePeriod(parsing: "FY2023-24").first           // 2023-04-01
/// ```
public struct DatePeriod: Hashable, Sendable, CustomStringConvertible {
    public enum Precision: String, Sendable, CaseIterable, Codable {
        case day, month, quarter, year
        case financialYear = "financial_year"
        /// An ISO week (Monday to Sunday), a half year, a third of a year (four months), as
        /// statistics offices publish them (SDMX's W, S, T).
        case week, half, third
    }

    public let first: CivilDate
    public let last: CivilDate
    public let precision: Precision

    public init(first: CivilDate, last: CivilDate, precision: Precision) {
        self.first = first
        self.last = last
        self.precision = precision
    }

    /// A single day.
    public init(day: CivilDate) { self.init(first: day, last: day, precision: .day) }

    /// The period of a given precision that ends on `last` (as stored: an end date and a precision).
    public init(last: CivilDate, precision: Precision) {
        let (year, month, day) = last.components
        let first: CivilDate?
        switch precision {
        case .day: first = CivilDate(year: year, month: month, day: day)
        case .month: first = CivilDate(year: year, month: month, day: 1)
        case .quarter: first = CivilDate(year: year, month: (month - 1) / 3 * 3 + 1, day: 1)
        case .year: first = CivilDate(year: year, month: 1, day: 1)
        case .financialYear: first = CivilDate(year: month >= 4 ? year : year - 1, month: 4, day: 1)
        case .week: first = last.adding(days: -6)
        case .half: first = CivilDate(year: year, month: month <= 6 ? 1 : 7, day: 1)
        case .third: first = CivilDate(year: year, month: (month - 1) / 4 * 4 + 1, day: 1)
        }
        self.init(first: first ?? last, last: last, precision: precision)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM`, `YYYY-Qn`, `YYYY` or `FYyyyy-yy`.
    public init(parsing raw: String) throws {
        var text = raw.trimmingSpaces
        self = try text.withUTF8 { bytes throws(DateParseError) in try DatePeriod(utf8: bytes, raw: raw) }
    }

    /// Parses the UTF-8 of a date with no space around it, without making a string of it (a bulk
    /// load reads millions); `raw` is the text as written, for the error.
    public init(utf8 bytes: UnsafeBufferPointer<UInt8>, raw: @autoclosure () -> String) throws(DateParseError) {
        func fail(_ reason: String) -> DateParseError { DateParseError(text: raw(), reason: reason) }
        let accepted = "expected a date as YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY or a financial year FY2024-25"
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
            var value = 0
            for index in range {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
        func period(from: (Int, Int, Int), to: (Int, Int, Int), _ precision: Precision) throws(DateParseError) -> DatePeriod {
            guard let first = CivilDate(year: from.0, month: from.1, day: from.2),
                let last = CivilDate(year: to.0, month: to.1, day: to.2)
            else { throw fail("the year must be between 1 and 9999") }
            return DatePeriod(first: first, last: last, precision: precision)
        }
        let dash = UInt8(ascii: "-")

        if bytes.count == 9, byte(0) == UInt8(ascii: "F"), byte(1) == UInt8(ascii: "Y"), byte(6) == dash,
            let startYear = digits(2..<6), let endYear = digits(7..<9)
        {
            guard (startYear + 1) % 100 == endYear else {
                throw fail("a financial year runs over two consecutive years, as FY2023-24")
            }
            self = try period(from: (startYear, 4, 1), to: (startYear + 1, 3, 31), .financialYear)
            return
        }
        guard let year = digits(0..<4), year >= 1 else { throw fail(accepted) }
        switch bytes.count {
        case 4:
            self = try period(from: (year, 1, 1), to: (year, 12, 31), .year)
        case 7 where byte(4) == dash && (byte(5) == UInt8(ascii: "Q") || byte(5) == UInt8(ascii: "q")):
            guard let quarter = digits(6..<7), (1...4).contains(quarter) else {
                throw fail("a quarter is Q1 to Q4")
            }
            let startMonth = quarter * 3 - 2
            self = try period(
                from: (year, startMonth, 1), to: (year, startMonth + 2, CivilDate.daysIn(year: year, month: startMonth + 2)), .quarter)
        case 7 where byte(4) == dash:
            guard let month = digits(5..<7) else {
                self = try Self.statistical(year: year, suffix: String(decoding: UnsafeBufferPointer(rebasing: bytes[4...]), as: UTF8.self), fail: fail)
                return
            }
            guard (1...12).contains(month) else { throw fail("month \(month) does not exist") }
            self = try period(from: (year, month, 1), to: (year, month, CivilDate.daysIn(year: year, month: month)), .month)
        case 10 where byte(4) == dash && byte(7) == dash:
            guard let month = digits(5..<7), let day = digits(8..<10) else { throw fail(accepted) }
            guard (1...12).contains(month) else { throw fail("month \(month) does not exist") }
            guard (1...CivilDate.daysIn(year: year, month: month)).contains(day) else {
                throw fail("day \(day) does not exist in that month")
            }
            self = try period(from: (year, month, day), to: (year, month, day), .day)
        default:
            self = try Self.statistical(year: year, suffix: String(decoding: UnsafeBufferPointer(rebasing: bytes[4...]), as: UTF8.self), fail: fail)
        }
    }

    /// The forms statistics offices publish periods in (SDMX, World Bank, ONS), after the year:
    /// `-Www` (ISO week), `-Sn` / `-Hn` (half), `-Tn` (a third: four months), `-A1` (the year),
    /// `-Mmm` (a month), `Mmm` and `Qn` (World Bank: 2012M01, 2013Q1), ` MON` and ` Qn` (ONS:
    /// 2020 JAN, 2020 Q1), and ISO 8601 `start/duration` (2023-01/P3M) for durations of a day,
    /// week, month, quarter, four months, half or year. Slower than the forms above, which most
    /// files use.
    private static func statistical(year: Int, suffix: String, fail: (String) -> DateParseError) throws(DateParseError) -> DatePeriod {
        func number(_ text: Substring, _ range: ClosedRange<Int>) -> Int? {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), range.contains(value) else { return nil }
            return value
        }
        func months(_ first: Int, _ count: Int, _ precision: Precision) throws(DateParseError) -> DatePeriod {
            let lastMonth = first + count - 1
            guard let start = CivilDate(year: year, month: first, day: 1),
                let end = CivilDate(year: year, month: lastMonth, day: CivilDate.daysIn(year: year, month: lastMonth))
            else { throw fail("the year must be between 1 and 9999") }
            return DatePeriod(first: start, last: end, precision: precision)
        }
        let upper = suffix.uppercased()
        if let slash = suffix.firstIndex(of: "/"), upper[upper.index(after: slash)...].hasPrefix("P") {
            return try interval(start: "\(year)" + suffix[..<slash], duration: String(upper[upper.index(after: slash)...]), fail: fail)
        }
        for prefix in ["-M", "M", " "] where upper.hasPrefix(prefix) {
            let rest = upper.dropFirst(prefix.count)
            if rest.count == 2, let month = number(rest, 1...12) { return try months(month, 1, .month) }
            if prefix == " ", let month = monthNames.firstIndex(of: String(rest)) { return try months(month + 1, 1, .month) }
        }
        for prefix in ["Q", " Q"] where upper.hasPrefix(prefix) {
            if let quarter = number(upper.dropFirst(prefix.count), 1...4) { return try months(quarter * 3 - 2, 3, .quarter) }
        }
        if upper.count == 3, upper.hasPrefix("-") {
            let (kind, digit) = (upper[upper.index(upper.startIndex, offsetBy: 1)], upper.dropFirst(2))
            switch kind {
            case "S", "H": if let half = number(digit, 1...2) { return try months(half * 6 - 5, 6, .half) }
            case "T": if let third = number(digit, 1...3) { return try months(third * 4 - 3, 4, .third) }
            case "A": if number(digit, 1...1) != nil { return try months(1, 12, .year) }
            default: break
            }
        }
        if upper.count == 4, upper.hasPrefix("-W"), let week = number(upper.dropFirst(2), 1...53) {
            // ISO 8601: week 1 is the week (Monday to Sunday) with the year's first Thursday.
            guard let january4 = CivilDate(year: year, month: 1, day: 4) else { throw fail("the year must be between 1 and 9999") }
            let weekday = ((january4.daysSinceEpoch % 7) + 7 + 3) % 7  // 0 = Monday (1970-01-01 was a Thursday)
            let monday = january4.adding(days: -weekday + 7 * (week - 1))
            guard week < 53 || monday.adding(days: 3).year == year else { throw fail("\(year) has no week 53") }
            return DatePeriod(first: monday, last: monday.adding(days: 6), precision: .week)
        }
        throw fail("expected a date as YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY, FY2024-25 or a period as 2024-W05, 2024-S1, 2024M03, 2024 MAR, 2024-01/P3M")
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// ISO 8601 `start/duration`: the period that starts on `start`'s first day and lasts one
    /// day, week, month, quarter, four months, half or year.
    private static func interval(start: String, duration: String, fail: (String) -> DateParseError) throws(DateParseError) -> DatePeriod {
        let begins: DatePeriod
        do { begins = try DatePeriod(parsing: start) } catch let error as DateParseError { throw fail("an interval's start: \(error.reason)") } catch { throw fail("an interval's start is not a date") }
        let first = begins.first
        switch duration {
        case "P1D": return DatePeriod(first: first, last: first, precision: .day)
        case "P7D", "P1W":
            guard ((first.daysSinceEpoch % 7) + 7 + 3) % 7 == 0 else { throw fail("the interval does not start on a Monday, as an ISO week does") }
            return DatePeriod(first: first, last: first.adding(days: 6), precision: .week)
        default:
            let months = ["P1M": (1, Precision.month), "P3M": (3, .quarter), "P4M": (4, .third), "P6M": (6, .half), "P12M": (12, .year), "P1Y": (12, .year)]
            guard let (count, precision) = months[duration] else {
                throw fail("an interval's duration is one of P1D, P7D, P1W, P1M, P3M, P4M, P6M, P12M or P1Y")
            }
            let period = DatePeriod(first: first, last: first.adding(months: count).adding(days: -1), precision: precision)
            // Only calendar periods: a quarter from February has no name, so it is not one.
            guard DatePeriod(last: period.last, precision: precision).first == first else {
                throw fail("the interval does not start a calendar \(precision.rawValue)")
            }
            return period
        }
    }

    /// The period written back in the form it was parsed from.
    public var description: String {
        let (year, month, _) = first.components
        switch precision {
        case .day: return first.description
        case .month: return String(first.description.prefix(7))
        case .quarter: return "\(year)-Q\((month - 1) / 3 + 1)"
        case .year: return String(first.description.prefix(4))
        case .financialYear:
            let next = (year + 1) % 100
            return "FY\(first.description.prefix(4))-\(next < 10 ? "0" : "")\(next)"
        case .half: return "\(first.description.prefix(4))-H\(month <= 6 ? 1 : 2)"
        case .third: return "\(first.description.prefix(4))-T\((month - 1) / 4 + 1)"
        case .week:
            // The ISO year is the Thursday's; the week, its count of Mondays from week 1's.
            let thursday = first.adding(days: 3)
            let week = (CivilDate(year: thursday.year, month: 1, day: 1)!.days(until: thursday)) / 7 + 1
            return "\(thursday.description.prefix(4))-W\(week < 10 ? "0" : "")\(week)"
        }
    }
}

extension String {
    /// The text without leading and trailing white space.
    public var trimmingSpaces: String {
        // Fast path: printable ASCII at both ends has nothing to trim.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
