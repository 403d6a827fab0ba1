import Foundation
import HeadwayModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The observation CSV of DESIGN.md ("Files"): its columns and the checks on every row.
public enum ObservationColumn: String, CaseIterable, Sendable {
    case metric, periodStart = "period_start", periodEnd = "period_end", value, qualifier, source
    case publishedOn = "published_on", note

    /// The position in `allCases`.
    var ordinal: Int {
        switch self {
        case .metric: 0
        case .periodStart: 1
        case .periodEnd: 2
        case .value: 3
        case .qualifier: 4
        case .source: 5
        case .publishedOn: 6
        case .note: 7
        }
    }
}

/// What a row is checked against: the metrics and sources defined in the database.
public struct ObservationCatalog: Sendable {
    /// A metric's least and greatest figure (either may be absent).
    public struct Bounds: Sendable {
        public var minimum: Decimal?
        public var maximum: Decimal?
        public init(minimum: Decimal?, maximum: Decimal?) {
            self.minimum = minimum
            self.maximum = maximum
        }

        /// Why `value` is outside, or nil when it is within.
        public func violation(_ value: Decimal) -> String? {
            if let minimum, value < minimum { return "\(DecimalText.format(value)) is below the metric's min of \(DecimalText.format(minimum))" }
            if let maximum, value > maximum { return "\(DecimalText.format(value)) is above the metric's max of \(DecimalText.format(maximum))" }
            return nil
        }
    }

    public var metricKinds: [String: Metric.Kind]
    /// Each source's `published_on`, used when a row leaves its own `published_on` empty.
    public var sourcePublishedOn: [String: CivilDate?]
    /// The metrics that declare bounds.
    public var bounds: [String: Bounds]

    public init(metricKinds: [String: Metric.Kind], sourcePublishedOn: [String: CivilDate?], bounds: [String: Bounds] = [:]) {
        self.metricKinds = metricKinds
        self.sourcePublishedOn = sourcePublishedOn
        self.bounds = bounds
    }
}

/// A row that passed every check, with its fields in the text form PostgreSQL reads.
public struct ValidatedObservation: Sendable, Equatable {
    public var line: Int
    public var metric: String
    public var kind: Metric.Kind
    public var periodStart: CivilDate?
    public var periodEnd: CivilDate
    /// The value exactly as written, parsed and range-checked once, so no digit is lost on the way.
    public var value: DecimalNumber
    public var qualifier: Qualifier
    public var source: String?
    public var publishedOn: CivilDate
    public var note: String?
}

/// Checks observation rows: maps the header, then validates each row against the catalog.
public struct ObservationValidator {
    public let fileName: String
    private let catalog: ObservationCatalog
    private var positions: [ObservationColumn: Int] = [:]
    /// `positions` as an array in `ObservationColumn.allCases` order (-1: absent), for the per-row
    /// lookups: a dictionary would hash the column's name every time.
    private var fieldIndex: [Int] = []
    /// The catalog's lookups, remembering the last row's metric and source.
    private var metricKinds = LastLookup<Metric.Kind>()
    private var sourcePublishedOn = LastLookup<CivilDate?>()
    private var headerNames: [String] = []

    public init(fileName: String, catalog: ObservationCatalog) {
        self.fileName = fileName
        self.catalog = catalog
    }

    /// The name of field `index`, for error messages.
    public func columnName(_ index: Int) -> String {
        index < headerNames.count ? headerNames[index] : "\(index + 1)"
    }

    /// Reads the header: columns in any order; unknown, duplicate or missing ones are errors.
    public mutating func readHeader(_ record: CSVReader.Record) throws {
        headerNames = record.fields
        for (index, rawName) in record.fields.enumerated() {
            let name = rawName.trimmingSpaces
            guard let column = ObservationColumn(rawValue: name) else {
                throw InputError(
                    file: fileName, line: record.line, column: rawName.isEmpty ? "\(index + 1)" : rawName,
                    message: Self.unknownColumn(name, header: record.fields))
            }
            guard positions[column] == nil else {
                throw InputError(file: fileName, line: record.line, column: name, message: "appears twice in the header")
            }
            positions[column] = index
        }
        fieldIndex = ObservationColumn.allCases.map { positions[$0] ?? -1 }
        for required in [ObservationColumn.metric, .periodEnd, .value] where positions[required] == nil {
            throw InputError(file: fileName, line: record.line, column: required.rawValue, message: "required column is missing from the header")
        }
    }

    /// Why a header name is not a column, with the likely mistake where there is one: a file
    /// separated by `;` or tabs (as spreadsheets in many locales save "CSV"), or capital letters.
    static func unknownColumn(_ name: String, header: [String]) -> String {
        for (separator, what) in [(";", "';'"), ("\t", "tabs")] where header.count == 1 && name.contains(separator) {
            let parts = name.split(separator: Character(separator)).map { String($0).trimmingSpaces.lowercased() }
            if parts.contains(where: { ObservationColumn(rawValue: $0) != nil }) {
                return "this file separates fields with \(what); Headway reads comma-separated CSV (save it as CSV with commas)"
            }
        }
        if let column = ObservationColumn(rawValue: name.lowercased()) {
            return "unknown column; column names are lower-case: write \(column.rawValue)"
        }
        let known = ObservationColumn.allCases.map(\.rawValue).joined(separator: ", ")
        return "unknown column (expected some of: \(known))"
    }

    /// Validates one data row read as bytes, as `validate(_: CSVReader.Record)` does: a row in
    /// the usual form is checked on its bytes, without a string per field; any other row (one
    /// with a problem, spaces to trim, a name written another way) goes through the checks on
    /// strings, which decide and name every problem.
    public mutating func validate(_ record: CSVReader.Bytes) throws -> ValidatedObservation {
        if let row = record.bytes.withUnsafeBufferPointer({ validateUsualRow(record, $0) }) { return row }
        return try validate(record.record)
    }

    /// The row when every field is in the form most files write (no space around a value, names
    /// byte for byte as the last row's or the catalog's, dates and numbers that parse, a period
    /// that fits the metric's kind); nil for any other, which `validate` then checks on strings.
    private mutating func validateUsualRow(_ record: CSVReader.Bytes, _ bytes: UnsafeBufferPointer<UInt8>) -> ValidatedObservation? {
        guard record.count == headerNames.count, fieldIndex.count == ObservationColumn.allCases.count else { return nil }
        func field(_ column: ObservationColumn) -> UnsafeBufferPointer<UInt8> {
            let index = fieldIndex[column.ordinal]
            return index < 0 ? UnsafeBufferPointer(start: nil, count: 0) : UnsafeBufferPointer(rebasing: bytes[record.range(index)])
        }
        /// No space to trim: the fast path of `trimmingSpaces`.
        func isTrimmed(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let first = text.first, let last = text.last else { return false }
            return (0x21...0x7E).contains(first) && (0x21...0x7E).contains(last)
        }
        func date(_ text: UnsafeBufferPointer<UInt8>, asEnd: Bool) -> CivilDate? {
            if let day = CivilDate(isoUTF8: text) { return day }
            guard isTrimmed(text), let period = try? DatePeriod(utf8: text, raw: "") else { return nil }
            return asEnd ? period.last : period.first
        }

        let metricText = field(.metric)
        guard !metricText.isEmpty, let (metric, kind) = metricKinds(metricText, in: catalog.metricKinds),
            let periodEnd = date(field(.periodEnd), asEnd: true)
        else { return nil }
        let startText = field(.periodStart)
        var periodStart: CivilDate?
        switch kind {
        case .additive:
            guard let start = date(startText, asEnd: false), start <= periodEnd else { return nil }
            periodStart = start
        case .level:
            guard startText.isEmpty else { return nil }
        }
        let valueText = field(.value)
        guard isTrimmed(valueText), let value = try? DecimalNumber(utf8: valueText), let qualifier = Self.qualifier(field(.qualifier)) else { return nil }
        // A figure outside its metric's bounds takes the slow path, which names the bound.
        if !catalog.bounds.isEmpty, let bounds = catalog.bounds[metric], let decimal = value.decimal, bounds.violation(decimal) != nil { return nil }

        let sourceText = field(.source)
        var source: String?
        var publishedOn: CivilDate?
        if !sourceText.isEmpty {
            guard let (key, published) = sourcePublishedOn(sourceText, in: catalog.sourcePublishedOn) else { return nil }
            source = key
            publishedOn = published
        }
        let publishedText = field(.publishedOn)
        if !publishedText.isEmpty { publishedOn = date(publishedText, asEnd: true) }
        guard let publishedOn else { return nil }
        let note = field(.note)
        return ValidatedObservation(
            line: record.line, metric: metric, kind: kind, periodStart: periodStart, periodEnd: periodEnd, value: value,
            qualifier: qualifier, source: source, publishedOn: publishedOn, note: note.isEmpty ? nil : String(decoding: note, as: UTF8.self))
    }

    /// The qualifier spelled exactly as `Qualifier(text:)` reads it; nil for anything else.
    private static func qualifier(_ text: UnsafeBufferPointer<UInt8>) -> Qualifier? {
        if text.isEmpty { return .exact }
        return spelledQualifiers.first { $0.spelling.elementsEqual(text) }?.qualifier
    }

    private static let spelledQualifiers = Qualifier.allCases.map { (spelling: Array($0.rawValue.utf8), qualifier: $0) }

    /// Why a row has `extra` fields too many, when an unquoted number with thousands separators
    /// (`1,000`, `2,500,000`) in the value column split it: the value's field holds 1 to 3
    /// digits and each of the next `extra` fields exactly 3 (the last may have decimals).
    func thousandsSeparatorHint(_ fields: [String], extra: Int) -> String? {
        let index = ObservationColumn.value.ordinal < fieldIndex.count ? fieldIndex[ObservationColumn.value.ordinal] : -1
        guard index >= 0, index + extra < fields.count else { return nil }
        func digits(_ text: Substring.UTF8View) -> Bool { text.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
        let value = fields[index], unsigned = value.hasPrefix("-") ? value.dropFirst() : Substring(value)
        guard (1...3).contains(unsigned.count), digits(unsigned.utf8) else { return nil }
        for (offset, group) in fields[(index + 1)...(index + extra)].enumerated() {
            let parts = group.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0].count == 3, digits(parts[0].utf8), parts.count == 1 || (offset == extra - 1 && digits(parts[1].utf8)) else { return nil }
        }
        let written = fields[index...(index + extra)].joined(separator: ",")
        return "\(written) looks like a number written with a thousands separator, which splits the row into \(fields.count) fields "
            + "(the header has \(headerNames.count)): write \(written.replacingOccurrences(of: ",", with: "")), without separators"
    }

    /// Validates one data row. Throws its first problem, naming its column, with the row's
    /// other problems in `others`.
    public mutating func validate(_ record: CSVReader.Record) throws -> ValidatedObservation {
        let line = record.line
        let fields = record.fields
        func fail(_ column: ObservationColumn, _ message: String) -> InputError {
            InputError(file: fileName, line: line, column: column.rawValue, message: message)
        }
        if fields.count != headerNames.count {
            if fields.count > headerNames.count {
                if let hint = thousandsSeparatorHint(fields, extra: fields.count - headerNames.count) {
                    throw InputError(file: fileName, line: line, column: ObservationColumn.value.rawValue, message: hint)
                }
                throw InputError(
                    file: fileName, line: line, column: "\(headerNames.count + 1)",
                    message: "unexpected field: the row has \(fields.count) fields, the header \(headerNames.count)")
            }
            throw InputError(
                file: fileName, line: line, column: headerNames[fields.count],
                message: "missing: the row has \(fields.count) fields, the header \(headerNames.count)")
        }
        func field(_ column: ObservationColumn) -> String {
            let index = column.ordinal < fieldIndex.count ? fieldIndex[column.ordinal] : -1  // -1 also before a header
            return index < 0 ? "" : fields[index]
        }

        // Every field is checked, so that one bad field does not hide another; the row's error
        // names the first problem and carries the others.
        var problems: [InputError] = []
        func problem(_ column: ObservationColumn, _ message: String) { problems.append(fail(column, message)) }

        let metric = field(.metric)
        var kind: Metric.Kind?
        if metric.isEmpty {
            problem(.metric, "is empty")
        } else if let known = metricKinds.value(metric, in: catalog.metricKinds) {
            kind = known
        } else {
            problem(.metric, "\(String(reflecting: metric)) is not a defined metric (define it with `headway apply`)")
        }
        let (periodStart, periodEnd) = try period(
            start: field(.periodStart), end: field(.periodEnd), metric: metric, kind: kind, line: line, problems: &problems)

        let valueText = field(.value).trimmingSpaces
        var value: DecimalNumber?
        if valueText.isEmpty {
            problem(.value, "is empty")
        } else {
            do { value = try DecimalNumber(parsing: valueText) } catch { problem(.value, error.description) }
        }
        if let decimal = value?.decimal, let bounds = catalog.bounds[metric], let violation = bounds.violation(decimal) {
            problem(.value, violation)
        }

        let qualifierText = field(.qualifier)
        let qualifier = Qualifier(text: qualifierText)
        if qualifier == nil { problem(.qualifier, "\(String(reflecting: qualifierText)) is not one of exact, about, at_least, at_most") }

        let (source, publishedOn) = try publication(source: field(.source), publishedOn: field(.publishedOn), line: line, problems: &problems)

        if var first = problems.first {
            first.others = Array(problems.dropFirst())
            throw first
        }
        guard let kind, let periodEnd, let value, let qualifier, let publishedOn else {
            throw fail(.value, "could not be checked")  // unreachable: each nil above records a problem
        }
        let note = field(.note)
        return ValidatedObservation(
            line: line, metric: metric, kind: kind, periodStart: periodStart, periodEnd: periodEnd, value: value,
            qualifier: qualifier, source: source, publishedOn: publishedOn, note: note.isEmpty ? nil : note)
    }

    /// The row's period, as the metric's kind wants it; nil where a problem was recorded.
    private mutating func period(
        start startText: String, end endText: String, metric: String, kind: Metric.Kind?, line: Int, problems: inout [InputError]
    ) throws -> (start: CivilDate?, end: CivilDate?) {
        func problem(_ column: ObservationColumn, _ message: String) {
            problems.append(InputError(file: fileName, line: line, column: column.rawValue, message: message))
        }
        var end: CivilDate?
        if endText.isEmpty {
            problem(.periodEnd, "is empty")
        } else {
            end = try Self.checked(&problems) { try date(endText, asEnd: true, column: .periodEnd, line: line) }
        }
        switch kind {
        case .additive:
            guard !startText.isEmpty else {
                problem(.periodStart, "is required for additive metric \(String(reflecting: metric)) (the first day the amount covers)")
                return (nil, end)
            }
            guard let start = try Self.checked(&problems, { try date(startText, asEnd: false, column: .periodStart, line: line) }) else { return (nil, end) }
            if let end, start > end { problem(.periodStart, "\(start) is after period_end \(end)") }
            return (start, end)
        case .level:
            if !startText.isEmpty {
                problem(.periodStart, "must be empty for level metric \(String(reflecting: metric)) (a level is read at period_end)")
            }
        case nil:
            break
        }
        return (nil, end)
    }

    /// The row's source and publication date (its own, else its source's); nil where a problem
    /// was recorded.
    private mutating func publication(
        source sourceText: String, publishedOn publishedText: String, line: Int, problems: inout [InputError]
    ) throws -> (source: String?, publishedOn: CivilDate?) {
        func problem(_ column: ObservationColumn, _ message: String) {
            problems.append(InputError(file: fileName, line: line, column: column.rawValue, message: message))
        }
        var source: String?
        var sourceDate: CivilDate?
        if !sourceText.isEmpty {
            if let published = sourcePublishedOn.value(sourceText, in: catalog.sourcePublishedOn) {
                source = sourceText
                sourceDate = published
            } else {
                problem(.source, "\(String(reflecting: sourceText)) is not a defined source (define it with `headway apply`)")
            }
        }
        if !publishedText.isEmpty {
            return (source, try Self.checked(&problems) { try date(publishedText, asEnd: true, column: .publishedOn, line: line) })
        }
        if sourceDate == nil, sourceText.isEmpty || source != nil {
            problem(.publishedOn, "is empty and no source with a published_on is given (when was this figure published?)")
        }
        return (source, sourceDate)
    }

    /// `body`'s value, or nil with its located error recorded among `problems`.
    private static func checked<T>(_ problems: inout [InputError], _ body: () throws -> T) throws -> T? {
        do { return try body() } catch let error as InputError {
            problems.append(error)
            return nil
        }
    }

    private func date(_ text: String, asEnd: Bool, column: ObservationColumn, line: Int) throws -> CivilDate {
        do {
            let period = try DatePeriod(parsing: text)
            return asEnd ? period.last : period.first
        } catch let error as DateParseError {
            throw InputError(file: fileName, line: line, column: column.rawValue, message: error.description)
        }
    }
}

/// A dictionary lookup that remembers its last key: rows come in series, so a row's metric and
/// source are nearly always the row before's, and comparing is cheaper than hashing.
struct LastLookup<Value> {
    private var last: (key: String, bytes: [UInt8], value: Value)?

    /// The value of a key given as a string.
    mutating func value(_ key: String, in table: [String: Value]) -> Value? {
        if let last, last.key == key { return last.value }
        guard let value = table[key] else { return nil }
        last = (key, Array(key.utf8), value)
        return value
    }

    /// The key as a string and its value, for a key given as UTF-8: the last key's string when
    /// the bytes are the same, so that a row of a series makes no string of its own.
    mutating func callAsFunction(_ key: UnsafeBufferPointer<UInt8>, in table: [String: Value]) -> (String, Value)? {
        if let last, last.bytes.count == key.count, key.isEmpty || last.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) {
            return (last.key, last.value)
        }
        let text = String(decoding: key, as: UTF8.self)
        return value(text, in: table).map { (text, $0) }
    }
}
