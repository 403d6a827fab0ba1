import Foundation
import HeadwayModel

/// What `headway import` (and a POST of official statistics) takes from a file: one series of
/// one metric, with the options that choose it.
public struct ImportSelection: Sendable {
    public var metric: String
    public var kind: Metric.Kind
    /// Dimension id (any case) and the code wanted (or its label, as written).
    public var filters: [(dimension: String, code: String)] = []
    /// The rows of one frequency, when a file mixes them.
    public var frequency: DatePeriod.Precision?
    /// When the figures were published, where the file does not say; nil: an error then.
    public var publishedOn: CivilDate?
    public var source: String?

    public init(metric: String, kind: Metric.Kind, publishedOn: CivilDate? = nil) {
        self.metric = metric
        self.kind = kind
        self.publishedOn = publishedOn
    }

    /// `--where` texts, `DIMENSION=CODE`; nil when one lacks its `=`.
    public static func filters(_ texts: [String]) -> [(dimension: String, code: String)]? {
        var filters: [(String, String)] = []
        for text in texts {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            filters.append((parts[0], parts[1]))
        }
        return filters
    }

    /// The frequency a word names, as `--frequency` takes it (year, quarter, month, week, day).
    public static func frequency(_ word: String) -> DatePeriod.Precision? {
        switch word.lowercased() {
        case "year", "annual", "a": .year
        case "quarter", "quarterly", "q": .quarter
        case "month", "monthly", "m": .month
        case "week", "weekly", "w": .week
        case "day", "daily", "d": .day
        case "half", "s", "h": .half
        default: nil
        }
    }
}

/// What an import wrote and left out.
public struct ImportOutcome: Sendable {
    public var format: ImportFormat
    public var rows = 0
    public var missingValues = 0
    /// Rows of other series, or of other frequencies than the one chosen.
    public var otherSeries = 0
    /// The series taken: each dimension that has one with its code.
    public var series: [(String, String)] = []

    public init(format: ImportFormat) { self.format = format }

    /// "284 figures of geo=DE, unit=THS; 3 missing values skipped, 1,200 rows of other series left out"
    public var description: String {
        let of = series.isEmpty ? "the file's one series" : series.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
        return "\(rows) figure\(rows == 1 ? "" : "s") of \(of); \(missingValues) missing value\(missingValues == 1 ? "" : "s") skipped, "
            + "\(otherSeries) row\(otherSeries == 1 ? "" : "s") of other series or frequencies left out"
    }
}

/// The one path every format's rows take into the spool: `--where` and `--frequency`, missing
/// values, `UNIT_MULT`, the figure's period read as the metric's kind wants it, when it was
/// published, and the check at the end that one series of one frequency remains.
public final class FigureWriter {
    public let selection: ImportSelection
    public let fileName: String
    public let spool: FigureSpool
    public private(set) var outcome: ImportOutcome
    private var dimensions: [String] = []
    /// Each `--where`: its dimension's position, the code wanted, and that code lower-cased.
    private var filterIndexes: [(index: Int, code: String, lowercased: String)] = []
    private var seen: Set<[String]> = []
    private var lastSeen: [String]?
    /// Rows of one frequency in a row, counted before they go into `frequencies`.
    private var lastPrecision: DatePeriod.Precision?
    private var precisionRun = 0
    private var frequencies: [DatePeriod.Precision: Int] = [:]

    public init(selection: ImportSelection, fileName: String, spool: FigureSpool, format: ImportFormat) {
        self.selection = selection
        self.fileName = fileName
        self.spool = spool
        outcome = ImportOutcome(format: format)
    }

    /// The dimensions of the file's series, as the file names them; each row then gives its code
    /// for each. Checks that every `--where` names one of them.
    public func begin(dimensions: [String]) throws {
        self.dimensions = dimensions
        filterIndexes = []
        for filter in selection.filters {
            guard let index = dimensions.firstIndex(where: { $0.caseInsensitiveCompare(filter.dimension) == .orderedSame }) else {
                throw InputError(
                    file: fileName, line: 1, column: nil,
                    message: "--where \(filter.dimension): no such dimension; the file's are \(dimensions.isEmpty ? "none" : dimensions.joined(separator: ", "))")
            }
            filterIndexes.append((index, filter.code, filter.code.lowercased()))
        }
    }

    /// Refuses a file that does not say when its figures were published (`why`), unless
    /// `--published-on` does: never silently today.
    public func requirePublishedOn(fileSays: Bool, _ why: String) throws {
        guard fileSays || selection.publishedOn != nil else {
            throw InputError(file: fileName, line: 0, column: nil, message: "the file does not say when its figures were published (\(why)): give --published-on DATE")
        }
    }

    /// Whether a row whose dimensions have `codes` (and `labels`, when the file gives them) is
    /// of the series wanted; one that is not is counted.
    public func wants(codes: [String], labels: @autoclosure () -> [String]? = nil) -> Bool {
        for (index, wanted, lowercased) in filterIndexes {
            let code = index < codes.count ? codes[index] : ""
            if code == wanted { continue }
            if code.lowercased() == lowercased { continue }
            let label = labels().flatMap { index < $0.count ? $0[index] : nil }
            if label.map({ $0 == wanted || $0.lowercased() == lowercased }) == true { continue }
            outcome.otherSeries += 1
            return false
        }
        return true
    }

    /// Counts a row of a series `wants` has refused already.
    public func leaveOut() { outcome.otherSeries += 1 }

    /// A value that stands for no figure: empty, or one of the markers publishers use.
    public static func isMissing(_ value: String) -> Bool {
        guard let first = value.utf8.first else { return true }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) { return false }  // a number, the usual case
        return missingMarkers.contains(value.uppercased())
    }

    static let missingMarkers: Set<String> = ["NAN", "NA", "N/A", ":", "..", ".", "-", "X", "NULL"]

    /// One figure of a wanted series: its codes (in `begin`'s order), its period, its value as
    /// written, the power of ten it is in (`UNIT_MULT`), flags for the note, and when the file
    /// says it was published. A missing value is counted and skipped; a row of another
    /// frequency than `--frequency`'s is left out.
    public func add(codes: [String], period: DatePeriod, value: String, power: Int? = nil, note: String = "", publishedOn: CivilDate?, origin: Int) throws {
        if let wanted = selection.frequency, period.precision != wanted {
            outcome.otherSeries += 1
            return
        }
        // Rows come series by series: a set insert only when the series changes.
        if codes != lastSeen {
            seen.insert(codes)
            lastSeen = codes
        }
        if period.precision != lastPrecision {
            if let lastPrecision { frequencies[lastPrecision, default: 0] += precisionRun }
            (lastPrecision, precisionRun) = (period.precision, 0)
        }
        precisionRun += 1
        guard !Self.isMissing(value) else {
            outcome.missingValues += 1
            return
        }
        var number = value
        if let power, power != 0 {
            guard (-30...30).contains(power) else { throw error(origin: origin, column: "UNIT_MULT", "\(power) is not a power of ten from -30 to 30") }
            guard let decimal = DecimalText.parse(value) else { throw error(origin: origin, column: "value", "\(String(reflecting: value)) is not a number") }
            var scale = Decimal(1)
            for _ in 0..<abs(power) { scale *= 10 }
            let scaled = power > 0 ? decimal * scale : decimal / scale
            guard !scaled.isNaN else { throw error(origin: origin, column: "value", "\(value) scaled by 10^\(power) is out of range") }
            number = DecimalText.format(scaled)
        }
        // The file's own date first (a vintage's, a release's), then --published-on.
        guard let published = publishedOn ?? selection.publishedOn else {
            throw error(origin: origin, column: nil, "the file does not say when this figure was published: give --published-on DATE")
        }
        // An additive figure covers its period; a level is the level at the period's end.
        try spool.addFigure(
            metric: selection.metric, start: selection.kind == .additive ? period.first : nil, end: period.last, value: number,
            source: selection.source ?? "", published: published, note: note, origin: origin)
        outcome.rows += 1
    }

    /// A date a file says its figures were published: ISO (with or without a time, as its
    /// day there), Eurostat's "15/05/24 23:00:00" (day, month, two-digit year of this century),
    /// or dd/mm/yyyy and dd-mm-yyyy.
    public static func publicationDate(_ text: String) -> CivilDate? {
        let date = text.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
        if let iso = try? CivilDate(parsing: String(date.prefix(10))) { return iso }
        let parts = date.split(whereSeparator: { $0 == "/" || $0 == "-" }).compactMap { Int($0) }
        guard parts.count == 3, parts[0] <= 31 else { return nil }
        return CivilDate(year: parts[2] < 100 ? 2000 + parts[2] : parts[2], month: parts[1], day: parts[0])
    }

    /// An error at a row's origin in the original file.
    public func error(origin: Int, column: String?, _ message: String) -> InputError {
        switch spool.positions {
        case .lines:
            return InputError(file: fileName, line: origin, column: column, message: message)
        case .elements:
            var error = InputError(file: fileName, line: 0, column: column, message: message)
            error.path = spool.positions.describe(origin: origin)
            return error
        }
    }

    /// Checks that one series of one frequency was read, and flushes the spool. Throws, naming
    /// the dimensions that still vary with their codes, when more remain.
    public func finish() throws -> ImportOutcome {
        try spool.flush()
        if let lastPrecision { frequencies[lastPrecision, default: 0] += precisionRun }
        lastPrecision = nil
        if seen.count > 1 {
            let varying = dimensions.indices.filter { position in Set(seen.map { $0[position] }).count > 1 }.map { position -> String in
                let codes = Set(seen.map { $0[position] }).sorted()
                return "\(dimensions[position]) (\(codes.prefix(8).joined(separator: ", "))\(codes.count > 8 ? ", …" : ""))"
            }
            throw InputError(
                file: fileName, line: 0, column: nil,
                message: "\(seen.count) series remain; choose one with --where DIMENSION=CODE: \(varying.joined(separator: "; ")) vary")
        }
        if frequencies.count > 1 {
            let mixed = DatePeriod.Precision.allCases.compactMap { precision in frequencies[precision].map { "\(precision.rawValue) (\($0))" } }
            throw InputError(
                file: fileName, line: 0, column: nil,
                message: "the series mixes frequencies, \(mixed.joined(separator: ", ")) figures: choose one with --frequency")
        }
        if let series = seen.first { outcome.series = zip(dimensions, series).map { ($0, $1) } }
        return outcome
    }
}
