import Foundation

/// A Swift type that can be built from a PostgreSQL text-format value.
public protocol PostgresDecodable {
    init(postgresText text: String) throws
    /// The same from the value's bytes where libpq keeps them (`TextRows`); by default through a
    /// `String`, and without one for the types read most.
    init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws
}

extension PostgresDecodable {
    public init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws {
        try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }
}

private func decodingError(_ text: String, _ type: Any.Type) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot read \(String(reflecting: text).prefix(40)) as \(type)")
}

extension String: PostgresDecodable {
    public init(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = Int(text) else { throw decodingError(text, Int.self) }
        self = value
    }

    public init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws {
        // Up to 18 digits, as PostgreSQL prints an integer; anything else the long way.
        var value = 0
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = bytes.dropFirst(negative ? 1 : 0)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
            return
        }
        for digit in digits { value = value * 10 + Int(digit - 48) }
        self = negative ? -value : value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = Int64(text) else { throw decodingError(text, Int64.self) }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String) throws {
        switch text {
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        case "NaN": self = .nan
        default:
            guard let value = Double(text) else { throw decodingError(text, Double.self) }
            self = value
        }
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(text, Bool.self)
        }
    }

    public init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws {
        switch (bytes.count, bytes.first) {
        case (1, UInt8(ascii: "t")): self = true
        case (1, UInt8(ascii: "f")): self = false
        default: try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
        }
    }
}

extension Decimal: PostgresDecodable {
    /// Exact for `numeric` values of up to 38 significant digits; `NaN` is rejected.
    public init(postgresText text: String) throws {
        var text = text
        if let fast = text.withUTF8(Self.parseShort) {
            self = fast
            return
        }
        guard text != "NaN", let value = Decimal(string: text, locale: posixLocale),
            !value.isNaN
        else { throw decodingError(text, Decimal.self) }
        self = value
    }

    public init(postgresTextBytes bytes: UnsafeBufferPointer<UInt8>) throws {
        if let fast = Self.parseShort(bytes) {
            self = fast
            return
        }
        try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }
}

extension Decimal {
    /// Up to 18 digits with an optional sign and point (how PostgreSQL prints most numerics),
    /// built from an integer: much faster than Foundation's general parser.
    static func parseShort(_ bytes: UnsafeBufferPointer<UInt8>) -> Decimal? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var negative = false
        var significand: Int64 = 0
        var digits = 0
        var scale = 0
        var sawPoint = false
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 45 where index == 0: negative = true
            case 46 where !sawPoint: sawPoint = true
            case 48...57:
                significand = significand * 10 + Int64(byte - 48)
                digits += 1
                if sawPoint { scale += 1 }
            default: return nil
            }
        }
        guard digits > 0, digits <= 18 else { return nil }
        return Decimal(sign: negative ? .minus : .plus, exponent: -scale, significand: Decimal(significand))
    }
}

/// A `json` or `jsonb` column read as `Value`: how arrays of rows and text arrays arrive whole
/// and typed, never split on a separator that the data itself may hold.
public struct PostgresJSON<Value: Decodable>: PostgresDecodable {
    public let value: Value

    public init(postgresText text: String) throws {
        // An empty array (most commitments' tags and milestones) needs no decoder: Foundation's
        // is slow enough to show on a page of 1000 rows.
        if text == "[]", let empty = [Never]() as? Value {
            value = empty
            return
        }
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw decodingError(text, Value.self)
        }
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` in ISO DateStyle (`2024-04-05 10:30:00.123456+00`), and `date`
    /// (`2024-04-05`, as midnight UTC).
    public init(postgresText text: String) throws {
        guard let date = PostgresTimestamp.parse(text) else { throw decodingError(text, Date.self) }
        self = date
    }
}

enum PostgresTimestamp {
    /// Parses the ISO output of `timestamptz` (the connection pins DateStyle=ISO).
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        guard let midnight = utcCalendar.date(from: DateComponents(year: year, month: month, day: day)) else { return nil }
        var seconds = midnight.timeIntervalSince1970
        if index == bytes.count { return Date(timeIntervalSince1970: seconds) }
        guard expect(32), let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2)
        else { return nil }
        seconds += Double(hour * 3600 + minute * 60 + second)
        if expect(46) {
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                seconds += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        if index < bytes.count {
            guard bytes[index] == 43 || bytes[index] == 45 else { return nil }
            let sign = bytes[index] == 43 ? 1.0 : -1.0
            index += 1
            guard let offsetHours = number(2) else { return nil }
            var offset = Double(offsetHours * 3600)
            if expect(58), let offsetMinutes = number(2) { offset += Double(offsetMinutes * 60) }
            if expect(58), let offsetSeconds = number(2) { offset += Double(offsetSeconds) }
            seconds -= sign * offset
        }
        return index == bytes.count ? Date(timeIntervalSince1970: seconds) : nil
    }
}

/// The proleptic Gregorian calendar in UTC, for midnight of a decoded date.
private let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
}()

/// Made once: creating a Locale per value is costly on the bulk paths.
private let posixLocale = Locale(identifier: "en_US_POSIX")
