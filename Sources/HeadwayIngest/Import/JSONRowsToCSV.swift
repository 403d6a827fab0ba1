import Foundation

/// Observations as JSON rows — `[{"metric": "closures", "period_end": "2024-03", "value": 20}, …]`,
/// one object per row, with the CSV's column names as fields — turned into the observation CSV
/// as the body streams in, in constant memory, for the loader to check and load exactly as a
/// CSV body. Values are strings, numbers (kept as written) or null (empty); a field the CSV does
/// not have is an error, as an unknown column is.
///
/// The loader names CSV lines; `row(ofCSVLine:)` gives the array index (from 1) they came from.
///
/// This CSV is the loader's input, never shown to a person or a spreadsheet, so it is not
/// written under the policy against formulas of the CSV Headway writes for people (`CSVField`):
/// a note "=A1" must be stored as "=A1". Every CSV that goes out is defused when it is written.
public final class JSONRowsToCSV {
    private enum State {
        case beforeArray, beforeFirstObject, beforeObject, beforeKeyOrEnd, beforeKey, afterKey, beforeValue, afterValue, afterObject, done
        case string(isKey: Bool), escape(isKey: Bool), unicode(isKey: Bool, digits: Int), number, literal
    }

    private static let columns = ObservationColumn.allCases.map(\.rawValue)
    private var state = State.beforeArray
    private var line = 1  // in the JSON text
    private var row = 0
    private var objectLine = 1
    private var token: [UInt8] = []
    private var codeUnit: UInt16 = 0
    private var pendingHighSurrogate: UInt16?
    private var key: Int?
    private var values: [String?] = Array(repeating: nil, count: columns.count)
    private var given: [Bool] = Array(repeating: false, count: columns.count)
    private var output: [UInt8] = []
    private var headerWritten = false
    /// The CSV line where each run of rows starts that follows a value with line breaks in it:
    /// (line, row); between them a row is one line. Grows only with such values.
    private var runs: [(csvLine: Int, row: Int)] = [(2, 1)]
    private var nextCSVLine = 2

    /// What errors call the body.
    private let fileName: String

    public init(fileName: String) { self.fileName = fileName }

    /// A body that is not JSON rows: the error, and the row (from 1) it was in, or 0 before any.
    public struct SyntaxError: Error {
        public let error: InputError
        public let row: Int
    }

    /// The CSV made of the next chunk of the body.
    public func next(_ chunk: UnsafeRawBufferPointer) throws -> [UInt8] {
        if !headerWritten {
            headerWritten = true
            output += Array((Self.columns.joined(separator: ",") + "\n").utf8)
        }
        for byte in chunk { try consume(byte) }
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    /// What is left once the body has ended; throws when it ended too early.
    public func finish() throws -> [UInt8] {
        switch state {
        case .number, .literal: try step(UInt8(ascii: " "))
        default: break
        }
        guard case .done = state else { throw fail("the body ends before its array is closed") }
        return []
    }

    /// The array index (from 1) of the object that became the CSV record starting at `csvLine`.
    public func row(ofCSVLine csvLine: Int) -> Int {
        let run = runs.last { $0.csvLine <= csvLine } ?? runs[0]
        return run.row + (csvLine - run.csvLine)
    }

    private func consume(_ byte: UInt8) throws {
        if byte == 0x0A { line += 1 }
        try step(byte)
    }

    private func step(_ byte: UInt8) throws {
        let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        switch state {
        case .beforeArray:
            if isSpace { return }
            guard byte == UInt8(ascii: "[") else { throw fail("expected an array of rows, [{…}, …]") }
            state = .beforeFirstObject
        case .beforeFirstObject, .beforeObject:
            if isSpace { return }
            if byte == UInt8(ascii: "]"), case .beforeFirstObject = state {
                state = .done
                return
            }
            guard byte == UInt8(ascii: "{") else { throw fail("expected a row: an object {…}") }
            row += 1
            objectLine = line
            state = .beforeKeyOrEnd
        case .beforeKeyOrEnd, .beforeKey:
            if isSpace { return }
            if byte == UInt8(ascii: "}"), case .beforeKeyOrEnd = state { return try endObject() }
            guard byte == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes") }
            state = .string(isKey: true)
        case .afterKey:
            if isSpace { return }
            guard byte == UInt8(ascii: ":") else { throw fail("expected : after the field name") }
            state = .beforeValue
        case .beforeValue:
            if isSpace { return }
            switch byte {
            case UInt8(ascii: "\""): state = .string(isKey: false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                token.append(byte)
                state = .number
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                token.append(byte)
                state = .literal
            default: throw fail("a value must be a string, a number or null")
            }
        case .number, .literal:
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "E")
            {
                token.append(byte)
                return
            }
            let text = String(decoding: token, as: UTF8.self)
            token.removeAll(keepingCapacity: true)
            if case .literal = state {
                guard text == "null" else { throw fail("\(text) is not a value here: use a string, a number or null") }
                try assign(nil)
            } else {
                try assign(text)
            }
            state = .afterValue
            try step(byte)
        case .afterValue:
            if isSpace { return }
            if byte == UInt8(ascii: ",") {
                state = .beforeKey
            } else if byte == UInt8(ascii: "}") {
                try endObject()
            } else {
                throw fail("expected , or } after a value")
            }
        case .afterObject:
            if isSpace { return }
            if byte == UInt8(ascii: ",") {
                state = .beforeObject
            } else if byte == UInt8(ascii: "]") {
                state = .done
            } else {
                throw fail("expected , or ] after a row")
            }
        case .done:
            guard isSpace else { throw fail("nothing may follow the array") }
        case .string(let isKey):
            if byte == UInt8(ascii: "\"") {
                try endString(isKey: isKey)
            } else if byte == UInt8(ascii: "\\") {
                state = .escape(isKey: isKey)
            } else {
                guard byte >= 0x20 else { throw fail("a control character inside a string must be escaped") }
                token.append(byte)
            }
        case .escape(let isKey):
            let escaped: UInt8?
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escaped = byte
            case UInt8(ascii: "b"): escaped = 0x08
            case UInt8(ascii: "f"): escaped = 0x0C
            case UInt8(ascii: "n"): escaped = 0x0A
            case UInt8(ascii: "r"): escaped = 0x0D
            case UInt8(ascii: "t"): escaped = 0x09
            case UInt8(ascii: "u"): escaped = nil
            default: throw fail("\\\(Character(Unicode.Scalar(byte))) is not a JSON escape")
            }
            if let escaped {
                token.append(escaped)
                state = .string(isKey: isKey)
            } else {
                codeUnit = 0
                state = .unicode(isKey: isKey, digits: 0)
            }
        case .unicode(let isKey, let digits):
            guard let digit = Self.hexValue(byte) else { throw fail("\\u needs four hexadecimal digits") }
            codeUnit = codeUnit << 4 | UInt16(digit)
            if digits < 3 {
                state = .unicode(isKey: isKey, digits: digits + 1)
                return
            }
            try appendCodeUnit(codeUnit)
            state = .string(isKey: isKey)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A `\uXXXX` escape, pairing surrogates into one scalar.
    private func appendCodeUnit(_ unit: UInt16) throws {
        let scalar: Unicode.Scalar?
        if let high = pendingHighSurrogate {
            pendingHighSurrogate = nil
            guard (0xDC00...0xDFFF).contains(unit) else { throw fail("a \\u surrogate pair is broken") }
            scalar = Unicode.Scalar((UInt32(high) - 0xD800) << 10 + (UInt32(unit) - 0xDC00) + 0x10000)
        } else if (0xD800...0xDBFF).contains(unit) {
            pendingHighSurrogate = unit
            return
        } else {
            scalar = Unicode.Scalar(unit)
        }
        guard let scalar else { throw fail("a \\u surrogate pair is broken") }
        token += Array(String(Character(scalar)).utf8)
    }

    private func endString(isKey: Bool) throws {
        guard pendingHighSurrogate == nil else { throw fail("a \\u surrogate pair is broken") }
        guard let text = String(validating: token, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        token.removeAll(keepingCapacity: true)
        if isKey {
            guard let index = Self.columns.firstIndex(of: text) else {
                throw fail("unknown field \(String(reflecting: text)); a row has \(Self.columns.joined(separator: ", "))", column: text)
            }
            guard !given[index] else { throw fail("field \(text) is given twice", column: text) }
            given[index] = true
            key = index
            state = .afterKey
        } else {
            try assign(text)
            state = .afterValue
        }
    }

    private func assign(_ value: String?) throws {
        guard let key else { throw fail("a value without a field") }
        values[key] = value
        self.key = nil
    }

    /// Writes the row as a CSV record, noting where a line break inside a value shifts the lines.
    private func endObject() throws {
        var lineBreaks = 0
        let fields = values.map { value -> String in
            guard let value else { return "" }
            lineBreaks += value.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        output += Array((fields.joined(separator: ",") + "\n").utf8)
        nextCSVLine += 1 + lineBreaks
        if lineBreaks > 0 { runs.append((nextCSVLine, row + 1)) }
        values = Array(repeating: nil, count: Self.columns.count)
        given = Array(repeating: false, count: Self.columns.count)
        state = .afterObject
    }

    private func fail(_ message: String, column: String? = nil) -> SyntaxError {
        SyntaxError(error: InputError(file: fileName, line: line, column: column, message: (row > 0 ? "row \(row): " : "") + message), row: row)
    }
}
