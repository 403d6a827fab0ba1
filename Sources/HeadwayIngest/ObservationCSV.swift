import HeadwayModel

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
    public var metricKinds: [String: Metric.Kind]
    /// Each source's `published_on`, used when a row leaves its own `published_on` empty.
    public var sourcePublishedOn: [String: CivilDate?]

    public init(metricKinds: [String: Metric.Kind], sourcePublishedOn: [String: CivilDate?]) {
        self.metricKinds = metricKinds
        self.sourcePublishedOn = sourcePublishedOn
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
    /// Parsed dates, by their text: series repeat the same few hundred dates millions of times.
    private var startDates: [String: CivilDate] = [:]
    private var endDates: [String: CivilDate] = [:]

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
                let known = ObservationColumn.allCases.map(\.rawValue).joined(separator: ", ")
                throw InputError(
                    file: fileName, line: record.line, column: rawName.isEmpty ? "\(index + 1)" : rawName,
                    message: "unknown column (expected some of: \(known))")
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

    /// Validates one data row. Throws the first problem found, naming its column.
    public mutating func validate(_ record: CSVReader.Record) throws -> ValidatedObservation {
        let line = record.line
        let fields = record.fields
        func fail(_ column: ObservationColumn, _ message: String) -> InputError {
            InputError(file: fileName, line: line, column: column.rawValue, message: message)
        }
        if fields.count != headerNames.count {
            if fields.count > headerNames.count {
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

        let metric = field(.metric)
        guard !metric.isEmpty else { throw fail(.metric, "is empty") }
        guard let kind = metricKinds(metric, in: catalog.metricKinds) else {
            throw fail(.metric, "\(String(reflecting: metric)) is not a defined metric (define it with `headway apply`)")
        }

        let periodEndText = field(.periodEnd)
        guard !periodEndText.isEmpty else { throw fail(.periodEnd, "is empty") }
        let periodEnd = try date(periodEndText, asEnd: true, column: .periodEnd, line: line)

        let periodStartText = field(.periodStart)
        var periodStart: CivilDate?
        switch kind {
        case .additive:
            guard !periodStartText.isEmpty else {
                throw fail(.periodStart, "is required for additive metric \(String(reflecting: metric)) (the first day the amount covers)")
            }
            let start = try date(periodStartText, asEnd: false, column: .periodStart, line: line)
            guard start <= periodEnd else {
                throw fail(.periodStart, "\(start) is after period_end \(periodEnd)")
            }
            periodStart = start
        case .level:
            guard periodStartText.isEmpty else {
                throw fail(.periodStart, "must be empty for level metric \(String(reflecting: metric)) (a level is read at period_end)")
            }
        }

        let valueText = field(.value).trimmingSpaces
        guard !valueText.isEmpty else { throw fail(.value, "is empty") }
        let value: DecimalNumber
        do {
            value = try DecimalNumber(parsing: valueText)
        } catch {
            throw fail(.value, error.description)
        }

        let qualifierText = field(.qualifier)
        guard let qualifier = Qualifier(text: qualifierText) else {
            throw fail(.qualifier, "\(String(reflecting: qualifierText)) is not one of exact, about, at_least, at_most")
        }

        let sourceText = field(.source)
        var source: String?
        var sourceDate: CivilDate?
        if !sourceText.isEmpty {
            guard let published = sourcePublishedOn(sourceText, in: catalog.sourcePublishedOn) else {
                throw fail(.source, "\(String(reflecting: sourceText)) is not a defined source (define it with `headway apply`)")
            }
            source = sourceText
            sourceDate = published
        }

        let publishedText = field(.publishedOn)
        let publishedOn: CivilDate
        if publishedText.isEmpty {
            guard let sourceDate else {
                throw fail(.publishedOn, "is empty and no source with a published_on is given (when was this figure published?)")
            }
            publishedOn = sourceDate
        } else {
            publishedOn = try date(publishedText, asEnd: true, column: .publishedOn, line: line)
        }
        let note = field(.note)
        return ValidatedObservation(
            line: line, metric: metric, kind: kind, periodStart: periodStart, periodEnd: periodEnd, value: value,
            qualifier: qualifier, source: source, publishedOn: publishedOn, note: note.isEmpty ? nil : note)
    }

    private mutating func date(_ text: String, asEnd: Bool, column: ObservationColumn, line: Int) throws -> CivilDate {
        if let cached = asEnd ? endDates[text] : startDates[text] { return cached }
        do {
            let period = try DatePeriod(parsing: text)
            let date = asEnd ? period.last : period.first
            if asEnd { endDates[text] = date } else { startDates[text] = date }
            return date
        } catch let error as DateParseError {
            throw InputError(file: fileName, line: line, column: column.rawValue, message: error.description)
        }
    }
}

/// A dictionary lookup that remembers its last key: rows come in series, so a row's metric and
/// source are nearly always the row before's, and comparing is cheaper than hashing.
struct LastLookup<Value> {
    private var last: (key: String, value: Value)?

    mutating func callAsFunction(_ key: String, in table: [String: Value]) -> Value? {
        if let last, last.key == key { return last.value }
        guard let value = table[key] else { return nil }
        last = (key, value)
        return value
    }
}
