import Foundation

/// A calendar date with no time and no time zone (proleptic Gregorian), as DESIGN.md requires.
///
/// ```swift
/// let date = try CivilDate(parsing: "2024-04-05")
/// date.adding(days: 30)  // 2024-05-05
/// ```
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// A date from its parts; nil when the day does not exist (2023-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilDate.daysIn(year: year, month: month)).contains(day)
        else { return nil }
        daysSinceEpoch = CivilDate.days(year: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init(parsing text: String) throws {
        guard let period = try? DatePeriod(parsing: text), period.precision == .day else {
            throw DateParseError(text: text, reason: "expected a date as YYYY-MM-DD")
        }
        self = period.first
    }

    /// Exactly `YYYY-MM-DD` from its UTF-8, the form most files write, without a string; nil for
    /// anything else, which `DatePeriod(parsing:)` reads or says why not.
    public init?(isoUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        // A byte below "0" wraps around to a large value: one comparison checks each digit.
        func digit(_ index: Int) -> Int { Int(bytes[index] &- UInt8(ascii: "0")) }
        guard digit(0) < 10, digit(1) < 10, digit(2) < 10, digit(3) < 10, digit(5) < 10, digit(6) < 10, digit(8) < 10, digit(9) < 10 else {
            return nil
        }
        self.init(
            year: digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3), month: digit(5) * 10 + digit(6), day: digit(8) * 10 + digit(9))
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    /// Year, month and day (Howard Hinnant's civil_from_days).
    public var components: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The same day `months` calendar months later (or earlier), kept within the month: 31 March
    /// less one month is 28 (or 29) February.
    public func adding(months: Int) -> CivilDate {
        let (year, month, day) = components
        let index = year * 12 + (month - 1) + months
        let monthIndex = (index % 12 + 12) % 12  // 0 to 11, also for an index before year 0
        let (newYear, newMonth) = ((index - monthIndex) / 12, monthIndex + 1)
        // Computed from its parts without the range check of init(year:month:day:), as
        // adding(days:) does: a month before year 1 or after 9999 is a date all the same.
        return CivilDate(daysSinceEpoch: Self.days(year: newYear, month: newMonth, day: min(day, Self.daysIn(year: newYear, month: newMonth))))
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    public func days(until other: CivilDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// ISO 8601: `YYYY-MM-DD`.
    public var description: String {
        // Ten ASCII bytes fit a small string: no heap allocation on the bulk-load path.
        String(unsafeUninitializedCapacity: 10) { write(to: $0, at: 0) }
    }

    /// Writes `YYYY-MM-DD` (ten bytes) into `bytes` from `offset`; returns the offset after it.
    public func write(to bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        let (year, month, day) = components
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var value = value
            for position in stride(from: offset + at + width - 1, through: offset + at, by: -1) {
                bytes[position] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(year, 0, 4)
        bytes[offset + 4] = 45
        put(month, 5, 2)
        bytes[offset + 7] = 45
        put(day, 8, 2)
        return offset + 10
    }

    public init(from decoder: any Decoder) throws {
        self = try CivilDate(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A date field that could not be read; the message says which forms are accepted.
public struct DateParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public let text: String
    public let reason: String
    public var description: String { "\(reason), got \(String(reflecting: text))" }
}

extension CivilDate {
    /// Today's date in UTC: the date a report of the present is as of.
    public static func today() -> CivilDate {
        CivilDate(daysSinceEpoch: Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
