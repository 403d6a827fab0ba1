import Foundation
import HeadwayModel

/// A JSON value with ordered keys, written the same way every time (reports are byte-stable).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number already in JSON text form.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.text() == rhs.text() }

    static func decimal(_ value: Decimal?) -> JSONValue { value.map { .number(DecimalText.format($0)) } ?? .null }
    static func double(_ value: Double?) -> JSONValue { value.flatMap(NumberText.format).map(JSONValue.number) ?? .null }
    static func int(_ value: Int?) -> JSONValue { value.map { .number(String($0)) } ?? .null }
    static func date(_ value: CivilDate?) -> JSONValue { value.map { .string($0.description) } ?? .null }
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Pretty-printed with two-space indentation, nested under `indent`.
    public func text(indent: String = "") -> String {
        var output = ""
        write(to: &output, indent: indent, pretty: true)
        return output
    }

    /// On one line, with no spaces (as stored in the database).
    public var compactText: String {
        var output = ""
        write(to: &output, indent: "", pretty: false)
        return output
    }

    /// Appends the value to `output`; building one string avoids a copy per nesting level.
    func write(to output: inout String, indent: String, pretty: Bool) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let value): output += value
        case .string(let value): Self.appendQuoted(value, to: &output)
        case .array(let values):
            if values.isEmpty {
                output += "[]"
                return
            }
            let inner = pretty ? indent + "  " : ""
            output += pretty ? "[\n" : "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += pretty ? ",\n" : "," }
                output += inner
                value.write(to: &output, indent: inner, pretty: pretty)
            }
            output += pretty ? "\n\(indent)]" : "]"
        case .object(let pairs):
            if pairs.isEmpty {
                output += "{}"
                return
            }
            let inner = pretty ? indent + "  " : ""
            output += pretty ? "{\n" : "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { output += pretty ? ",\n" : "," }
                output += inner
                Self.appendQuoted(key, to: &output)
                output += pretty ? ": " : ":"
                value.write(to: &output, indent: inner, pretty: pretty)
            }
            output += pretty ? "\n\(indent)}" : "}"
        }
    }

    static func quote(_ text: String) -> String {
        var output = ""
        appendQuoted(text, to: &output)
        return output
    }

    static func appendQuoted(_ text: String, to output: inout String) {
        // Most strings need no escaping: append them whole.
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F && $0 != 0xE2 }
        output += "\""
        if plain {
            output += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case "\u{2028}": output += "\\u2028"
                case "\u{2029}": output += "\\u2029"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        output += "\""
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
