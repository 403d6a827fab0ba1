import Foundation
import HeadwayModel

/// A JSON value with ordered keys, written the same way every time (reports are byte-stable).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number already in JSON text form.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// A value already written as compact JSON text (made by this module's writers), spliced
    /// in as it is, pretty-printed or not.
    case written(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text() == rhs.text() }

    public static func decimal(_ value: Decimal?) -> JSONValue { value.map { .number(DecimalText.format($0)) } ?? .null }
    static func double(_ value: Double?) -> JSONValue { value.flatMap(NumberText.format).map(JSONValue.number) ?? .null }
    static func int(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    static func date(_ value: CivilDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Pretty-printed with two-space indentation.
    public func text() -> String {
        var output: [UInt8] = []
        write(to: &output, indent: 0, pretty: true)
        return String(decoding: output, as: UTF8.self)
    }

    /// On one line, with no spaces (as stored in the database).
    public var compactText: String { String(decoding: compactUTF8, as: UTF8.self) }

    /// `compactText`'s bytes, for a caller that sends them on (no String made in between).
    public var compactUTF8: [UInt8] {
        var output: [UInt8] = []
        write(to: &output, indent: 0, pretty: false)
        return output
    }

    /// Appends the value's UTF-8 to `output`: one growing buffer, no copy per nesting level, and
    /// the indentation (`indent` spaces) written out rather than built as strings.
    func write(to output: inout [UInt8], indent: Int, pretty: Bool) {
        switch self {
        case .null: Self.append("null", to: &output)
        case .bool(let value): Self.append(value ? "true" : "false", to: &output)
        case .number(let value): Self.append(value, to: &output)
        case .string(let value): Self.appendQuoted(value, to: &output)
        case .written(let text): Self.append(text, to: &output)
        case .array(let values):
            Self.writeContainer(values.count, brackets: (UInt8(ascii: "["), UInt8(ascii: "]")), to: &output, indent: indent, pretty: pretty) { index, output, inner in
                values[index].write(to: &output, indent: inner, pretty: pretty)
            }
        case .object(let pairs):
            Self.writeContainer(pairs.count, brackets: (UInt8(ascii: "{"), UInt8(ascii: "}")), to: &output, indent: indent, pretty: pretty) { index, output, inner in
                Self.appendQuoted(pairs[index].0, to: &output)
                Self.append(pretty ? ": " : ":", to: &output)
                pairs[index].1.write(to: &output, indent: inner, pretty: pretty)
            }
        }
    }

    /// Writes an array or object: brackets, separators and indentation around `count` elements.
    private static func writeContainer(
        _ count: Int, brackets: (UInt8, UInt8), to output: inout [UInt8], indent: Int, pretty: Bool,
        element: (Int, inout [UInt8], Int) -> Void
    ) {
        output.append(brackets.0)
        guard count > 0 else {
            output.append(brackets.1)
            return
        }
        let inner = pretty ? indent + 2 : 0
        for index in 0..<count {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if pretty {
                output.append(UInt8(ascii: "\n"))
                output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: inner))
            }
            element(index, &output, inner)
        }
        if pretty {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        }
        output.append(brackets.1)
    }

    /// Appends a string's UTF-8 bytes in one copy.
    @inline(__always)
    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    static func quote(_ text: String) -> String {
        var output: [UInt8] = []
        appendQuoted(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        // Most strings need no escaping: append them whole.
        var text = text
        let plain = text.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 } }
        Self.append("\"", to: &output)
        if plain {
            Self.append(text, to: &output)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": Self.append("\\\"", to: &output)
                case "\\": Self.append("\\\\", to: &output)
                case "\n": Self.append("\\n", to: &output)
                case "\r": Self.append("\\r", to: &output)
                case "\t": Self.append("\\t", to: &output)
                case "\u{2028}": Self.append("\\u2028", to: &output)
                case "\u{2029}": Self.append("\\u2029", to: &output)
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16)
                        Self.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex, to: &output)
                    } else {
                        output.append(contentsOf: String(scalar).utf8)
                    }
                }
            }
        }
        Self.append("\"", to: &output)
    }
}

/// How computed (floating-point) numbers are written: at most four decimals, no trailing zeros.
public enum NumberText {
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        let scaled = (value * 10_000).rounded()
        guard abs(scaled) < 9e15 else {
            var text = String(format: "%.4f", value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        // Integer arithmetic: exact for these magnitudes, and much faster than printf.
        let units = Int64(abs(scaled))
        var text = scaled < 0 && units != 0 ? "-" : ""
        text += String(units / 10_000)
        var fraction = units % 10_000
        if fraction != 0 {
            var digits = 4
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }
}
