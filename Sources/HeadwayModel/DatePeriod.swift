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
            guard let month = digits(5..<7) else { throw fail(accepted) }
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
            throw fail(accepted)
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
