import Foundation
import HeadwayModel

/// SDMX-CSV (versions 1.0 and 2.0, comma-separated), as Eurostat, the OECD, the ECB, the IMF and
/// the BIS publish it, read into Headway's observation CSV for one metric (docs/FORMATS.md,
/// "Importing official statistics"). The output keeps the input's line numbers: a data row
/// becomes a row on the same line, a row left out (another series, a missing value) an empty
/// line, which `load` skips; so every error `load` finds names the original file's line.
public struct SDMXCSVImport {
    /// What to take from the file.
    public struct Selection: Sendable {
        public var metric: String
        public var kind: Metric.Kind
        /// Dimension id (any case) and the code wanted (or "code: label" as written).
        public var filters: [(dimension: String, code: String)] = []
        /// SDMX FREQ code wanted (A, Q, M, W, D), when a file mixes frequencies.
        public var frequency: String?
        /// When the figures were published; nil: from the file's own column (Eurostat's
        /// LAST UPDATE), or an error naming the file when it has none.
        public var publishedOn: CivilDate?
        public var source: String?

        public init(metric: String, kind: Metric.Kind, publishedOn: CivilDate?) {
            self.metric = metric
            self.kind = kind
            self.publishedOn = publishedOn
        }
    }

    /// What the conversion wrote and left out.
    public struct Outcome: Sendable {
        public var rows = 0
        public var missingValues = 0
        public var otherSeries = 0
        /// The series taken: each dimension with its code.
        public var series: [(String, String)] = []
    }

    /// Columns that are not dimensions: SDMX-CSV's own, the observation, and the attributes
    /// publishers attach to it. FREQ is a dimension: a file that mixes frequencies is refused
    /// until `--frequency` picks one.
    static let notDimensions: Set<String> = [
        "DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "KEY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "OBS_FLAG",
        "OBS_CONF", "OBS_PRE_BREAK", "OBS_COM", "COMMENT_OBS", "CONF_STATUS", "UNIT_MULT", "DECIMALS", "TIME_FORMAT", "TITLE", "TITLE_COMPL",
        "LAST UPDATE", "LAST_UPDATE",
    ]
    /// Attributes kept in a figure's note.
    static let flags = ["OBS_STATUS", "OBS_FLAG", "OBS_CONF", "CONF_STATUS", "OBS_PRE_BREAK", "COMMENT_OBS"]

    /// Converts `input` (named `fileName` in errors) into observation CSV at `output`. Throws an
    /// `InputError` naming the file and line, or, when more than one series is left, the
    /// dimensions that still vary with their codes.
    public static func convert(input: Int32, fileName: String, output: FileHandle, _ selection: Selection) throws -> Outcome {
        let reader = CSVReader(descriptor: input, fileName: fileName)
        guard let header = try reader.next() else { throw InputError(file: fileName, line: 1, column: nil, message: "the file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let period = column("TIME_PERIOD"), let value = column("OBS_VALUE") else {
            throw InputError(file: fileName, line: 1, column: nil, message: "not SDMX-CSV: no TIME_PERIOD and OBS_VALUE columns")
        }
        let dimensions = names.indices.filter { !notDimensions.contains(names[$0]) }
        var filters: [(Int, String)] = []
        for filter in selection.filters {
            guard let index = column(filter.dimension.uppercased()) else {
                throw InputError(
                    file: fileName, line: 1, column: nil,
                    message: "--where \(filter.dimension): no such column; the dimensions are \(dimensions.map { header.fields[$0] }.joined(separator: ", "))")
            }
            filters.append((index, filter.code))
        }
        let frequency = column("FREQ")
        let updated = column("LAST UPDATE") ?? column("LAST_UPDATE")
        guard selection.publishedOn != nil || updated != nil else {
            throw InputError(
                file: fileName, line: 1, column: nil,
                message: "the file does not say when its figures were published (no LAST UPDATE column): give --published-on DATE")
        }
        let unitMultiplier = column("UNIT_MULT")
        let flagColumns = flags.compactMap { name in column(name).map { (name, $0) } }

        var outcome = Outcome()
        var seen: Set<[String]> = []  // each series: the codes of its dimensions
        var written = 1
        func write(_ text: String) { output.write(Data(text.utf8)) }
        write("metric,period_start,period_end,value,qualifier,source,published_on,note\n")
        while let record = try reader.next() {
            // Empty lines up to the record's own, so `load` names the original line.
            if record.line > written + 1 { write(String(repeating: "\n", count: record.line - written - 1)) }
            written = record.line
            let fields = record.fields
            func code(_ index: Int) -> String {
                let text = index < fields.count ? fields[index].trimmingCharacters(in: .whitespaces) : ""
                // "CODE: Label", as SDMX-CSV writes codes with their labels.
                return text.split(separator: ":", maxSplits: 1).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? text
            }
            let wanted = filters.allSatisfy { code($0.0) == $0.1 || (($0.0 < fields.count) && fields[$0.0] == $0.1) }
                && (selection.frequency.map { want in frequency.map { code($0) == want } ?? true } ?? true)
            guard wanted else {
                outcome.otherSeries += 1
                write("\n")
                continue
            }
            seen.insert(dimensions.map(code))
            let raw = value < fields.count ? fields[value].trimmingCharacters(in: .whitespaces) : ""
            if raw.isEmpty || ["NAN", "NA", ":", "..", "-"].contains(raw.uppercased()) {
                outcome.missingValues += 1
                write("\n")
                continue
            }
            var number = raw
            if let unitMultiplier, unitMultiplier < fields.count, !fields[unitMultiplier].trimmingCharacters(in: .whitespaces).isEmpty {
                let text = fields[unitMultiplier].trimmingCharacters(in: .whitespaces)
                guard let power = Int(text), (-30...30).contains(power) else {
                    throw InputError(file: fileName, line: record.line, column: header.fields[unitMultiplier], message: "\(String(reflecting: text)) is not a power of ten")
                }
                guard let decimal = DecimalText.parse(raw) else {
                    throw InputError(file: fileName, line: record.line, column: header.fields[value], message: "\(String(reflecting: raw)) is not a number")
                }
                var scaled = decimal
                var exponent = Decimal(1)
                for _ in 0..<abs(power) { exponent *= 10 }
                scaled = power >= 0 ? scaled * exponent : scaled / exponent
                number = DecimalText.format(scaled)
            }
            let periodText = period < fields.count ? fields[period].trimmingCharacters(in: .whitespaces) : ""
            let parsed: DatePeriod
            do { parsed = try DatePeriod(parsing: periodText) } catch {
                throw InputError(file: fileName, line: record.line, column: header.fields[period], message: String(describing: error))
            }
            let note = flagColumns.compactMap { name, index in
                index < fields.count && !fields[index].trimmingCharacters(in: .whitespaces).isEmpty ? "\(name)=\(fields[index].trimmingCharacters(in: .whitespaces))" : nil
            }.joined(separator: "; ")
            var publishedOn = selection.publishedOn
            if publishedOn == nil, let updated {
                let text = updated < fields.count ? fields[updated].trimmingCharacters(in: .whitespaces) : ""
                guard let date = Self.updateDate(text) else {
                    throw InputError(
                        file: fileName, line: record.line, column: header.fields[updated],
                        message: "\(String(reflecting: text)) is not a date as dd/mm/yy hh:mm:ss or YYYY-MM-DD; give --published-on DATE")
                }
                publishedOn = date
            }
            let start = selection.kind == .additive ? parsed.first.description : ""
            let row = [
                selection.metric, start, parsed.last.description, number, "", selection.source ?? "", publishedOn!.description, note,
            ]
            write(row.map(quote).joined(separator: ",") + "\n")
            outcome.rows += 1
        }
        guard seen.count <= 1 else {
            let varying = dimensions.indices.filter { position in Set(seen.map { $0[position] }).count > 1 }.map { position -> String in
                let codes = Set(seen.map { $0[position] }).sorted()
                return "\(header.fields[dimensions[position]]) (\(codes.prefix(8).joined(separator: ", "))\(codes.count > 8 ? ", …" : ""))"
            }
            throw InputError(
                file: fileName, line: 1, column: nil,
                message: "\(seen.count) series remain; choose one with --where DIMENSION=CODE: \(varying.joined(separator: "; ")) vary")
        }
        if let series = seen.first { outcome.series = zip(dimensions, series).map { (header.fields[$0.0], $0.1) } }
        return outcome
    }

    /// Eurostat's LAST UPDATE, "15/05/24 23:00:00" (day, month, two-digit year of this
    /// century), or an ISO date with or without a time.
    static func updateDate(_ text: String) -> CivilDate? {
        let date = text.split(separator: " ").first.map(String.init) ?? ""
        if let iso = try? CivilDate(parsing: String(date.prefix(10))) { return iso }
        let parts = date.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return CivilDate(year: parts[2] < 100 ? 2000 + parts[2] : parts[2], month: parts[1], day: parts[0])
    }

    /// RFC 4180 quoting where needed (a note may hold a comma).
    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
