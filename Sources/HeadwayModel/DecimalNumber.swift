import Foundation

/// A decimal number read from text once, by the one grammar every number Headway takes goes
/// through, and checked against what the database will store: PostgreSQL `numeric`'s own limits
/// (at most 16383 digits after the point) and the schema's bound, a magnitude below 1e100.
///
/// It keeps the text as written, so no digit is lost, and its layout as `numeric` stores it
/// (base-10000 digits, their weight and the display scale `numeric_in` would give the text), so
/// a binary COPY writes it without parsing again. All arithmetic on the layout is checked here,
/// once: a number that is accepted cannot overflow anything later.
/// See https://www.postgresql.org/docs/current/datatype-numeric.html
public struct DecimalNumber: Hashable, Sendable, CustomStringConvertible {
    /// The schema's CHECK: `abs(value) < 1e100`.
    public static let magnitudeDigitLimit = 100
    /// `numeric`'s largest display scale (NUMERIC_DSCALE_MAX).
    public static let maximumDisplayScale = 16383

    /// The text as written (an optional sign, digits with at most one point, an optional exponent).
    public let text: String
    public let isNegative: Bool
    /// The power of 10000 of the first base-10000 digit (0 for zero).
    public let weight: Int
    /// How many digits after the point the value shows, as `numeric_in` counts them.
    public let displayScale: Int
    /// How many base-10000 digits the value has (0 for zero).
    public let groupCount: Int
    /// Where the digits are in `text`'s UTF-8: the mantissa's bytes, the ordinals (among digits,
    /// not counting the point) of the first and last non-zero digit, and the power of ten of the
    /// digit just left of the point plus one.
    private let mantissa: Range<Int>
    private let firstNonZero: Int
    private let lastNonZero: Int
    private let point: Int

    public var description: String { text }

    /// Parses `text`, which must be the whole number: no spaces, no thousands separators.
    public init(parsing text: String) throws(DecimalNumberError) {
        var copy = text
        let parsed = copy.withUTF8 { bytes in Result { () throws(DecimalNumberError) in try DecimalNumber(utf8: bytes, text: text) } }
        self = try parsed.get()
    }

    /// Parses the UTF-8 of a number, as `init(parsing:)` does, making its text a string only
    /// once it is accepted (a bulk load reads millions).
    public init(utf8 bytes: UnsafeBufferPointer<UInt8>) throws(DecimalNumberError) {
        try self.init(utf8: bytes, text: String(decoding: bytes, as: UTF8.self))
    }

    private init(utf8 bytes: UnsafeBufferPointer<UInt8>, text: @autoclosure () -> String) throws(DecimalNumberError) {
        guard let scan = Scan(bytes) else { throw .notANumber(text()) }
        let displayScale = max(0, scan.fractionDigits - scan.exponent)
        guard displayScale <= Self.maximumDisplayScale else { throw .tooManyDecimals(text(), displayScale) }
        let point = scan.digitCount - scan.fractionDigits + scan.exponent
        let isZero = scan.firstNonZero < 0
        if !isZero, point - scan.firstNonZero > Self.magnitudeDigitLimit { throw .tooLarge(text()) }

        self.text = text()
        self.isNegative = scan.negative && !isZero  // zero has no sign
        self.displayScale = displayScale
        self.mantissa = scan.mantissa
        self.firstNonZero = scan.firstNonZero
        self.lastNonZero = scan.lastNonZero
        self.point = point
        // The digit of ordinal i stands for 10^(point - 1 - i); groups of four powers of ten
        // make the base-10000 digits, the first of power `weight`.
        weight = isZero ? 0 : Self.group(point - 1 - scan.firstNonZero)
        groupCount = isZero ? 0 : weight - Self.group(point - 1 - scan.lastNonZero) + 1
    }

    /// One pass over the bytes: the sign, where the digits and the point are, the exponent.
    private struct Scan {
        var negative = false
        var mantissa = 0..<0
        var digitCount = 0, fractionDigits = 0, firstNonZero = -1, lastNonZero = -1
        /// Saturates far beyond any limit, so that it cannot overflow.
        var exponent = 0

        /// nil unless the bytes are a whole number in the grammar.
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            var index = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let mantissaStart = index
            var sawPoint = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 48 && byte <= 57 {
                    if byte != 48 {
                        if firstNonZero < 0 { firstNonZero = digitCount }
                        lastNonZero = digitCount
                    }
                    digitCount += 1
                    if sawPoint { fractionDigits += 1 }
                } else if byte == UInt8(ascii: "."), !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                index += 1
            }
            mantissa = mantissaStart..<index
            guard digitCount > 0 else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                var exponentNegative = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                    exponentNegative = bytes[index] == UInt8(ascii: "-")
                    index += 1
                }
                let exponentStart = index
                while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                    exponent = min(exponent * 10 + Int(bytes[index] - 48), 1 << 40)
                    index += 1
                }
                guard index > exponentStart else { return nil }
                if exponentNegative { exponent = -exponent }
            }
            guard index == bytes.count else { return nil }
        }
    }

    /// The base-10000 digit that holds 10^power.
    private static func group(_ power: Int) -> Int { power >= 0 ? power / 4 : -((-power + 3) / 4) }

    /// Calls `body` with each base-10000 digit, most significant first (`groupCount` of them).
    /// One pass over the text and no allocation: this runs once per figure of a bulk load.
    public func forEachGroup(_ body: (Int) -> Void) {
        guard groupCount > 0 else { return }
        var text = text
        text.withUTF8 { bytes in
            var ordinal = 0, current = weight, value = 0
            for position in mantissa where bytes[position] != UInt8(ascii: ".") {
                defer { ordinal += 1 }
                guard ordinal >= firstNonZero && ordinal <= lastNonZero else { continue }
                let power = point - 1 - ordinal
                let group = Self.group(power)
                while group != current {
                    body(value)
                    value = 0
                    current -= 1
                }
                var digit = Int(bytes[position] - 48)
                for _ in 0..<(power - 4 * current) { digit *= 10 }
                value += digit
            }
            body(value)
        }
    }

    /// The value as a Foundation `Decimal`, for arithmetic; nil when it has more significant
    /// digits, or a larger or smaller exponent, than `Decimal` holds exactly.
    public var decimal: Decimal? {
        if firstNonZero < 0 { return 0 }
        let significant = lastNonZero - firstNonZero + 1
        let lowestPower = point - 1 - lastNonZero
        guard significant <= 38, lowestPower >= -128, lowestPower + significant <= 127 else { return nil }
        return Decimal(string: text, locale: posixLocale)
    }
}

/// Why a text is not a number Headway can store.
public enum DecimalNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    case notANumber(String)
    case tooLarge(String)
    case tooManyDecimals(String, Int)

    public var description: String {
        switch self {
        case .notANumber(let text):
            "\(Self.shown(text)) is not a decimal number (write 2500 or -12.5, without thousands separators)"
        case .tooLarge(let text):
            "\(Self.shown(text)) is too large: numbers must be below 1e100 in magnitude"
        case .tooManyDecimals(let text, let scale):
            "\(Self.shown(text)) has \(scale) digits after the point; PostgreSQL keeps at most \(DecimalNumber.maximumDisplayScale)"
        }
    }

    /// The text quoted, shortened when long (a value of 33,000 digits would bury the message).
    static func shown(_ text: String) -> String {
        text.count <= 40 ? String(reflecting: text) : String(reflecting: String(text.prefix(20)) + "…" + String(text.suffix(8)))
    }
}
