import Foundation
import HeadwayModel

/// SDMX-CSV, versions 1.0 and 2.0 (comma- or semicolon-separated), as Eurostat, the OECD, the
/// ECB, the IMF and the BIS publish it: a header naming the dimensions, TIME_PERIOD and
/// OBS_VALUE, then one observation a row (docs/FORMATS.md, "SDMX-CSV").
enum SDMXCSV {
    /// Columns that are not dimensions: SDMX-CSV's own, the observation, and the attributes
    /// publishers attach to it. FREQ is a dimension: a file that mixes frequencies has several
    /// series until `--where FREQ=…` or `--frequency` picks one.
    static let notDimensions: Set<String> = [
        "DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION", "KEY", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "OBS_FLAG",
        "OBS_CONF", "OBS_PRE_BREAK", "OBS_COM", "COMMENT_OBS", "CONF_STATUS", "UNIT_MULT", "DECIMALS", "TIME_FORMAT", "TITLE", "TITLE_COMPL",
        "LAST UPDATE", "LAST_UPDATE", "UPDATED", "SERIES_KEY", "OBS_KEY", "TIME_PERIOD_LABEL", "OBS_VALUE_LABEL",
    ]
    /// Attributes kept in a figure's note.
    static let flags = ["OBS_STATUS", "OBS_FLAG", "OBS_CONF", "CONF_STATUS", "OBS_PRE_BREAK", "COMMENT_OBS"]

    /// Whether a header line is SDMX-CSV's, and its separator.
    static func separator(ofHeader line: String) -> UInt8? {
        let upper = line.uppercased()
        guard upper.contains("TIME_PERIOD"), upper.contains("OBS_VALUE") else { return nil }
        return upper.filter { $0 == ";" }.count > upper.filter { $0 == "," }.count ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    static func read(descriptor: Int32, separator: UInt8, into writer: FigureWriter) throws {
        let fileName = writer.fileName
        let reader = CSVReader(descriptor: descriptor, fileName: fileName)
        reader.separator = separator
        guard let header = try reader.next() else { throw InputError(file: fileName, line: 1, column: nil, message: "the file is empty") }
        // Labels may follow codes in the header too ("geo: Geopolitical entity"), and 2.0 may
        // name a column's sub-value separator ("STRUCTURE[|]").
        let names = header.fields.map { Self.code(of: $0).uppercased().split(separator: "[", maxSplits: 1).first.map(String.init) ?? "" }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let period = column("TIME_PERIOD"), let value = column("OBS_VALUE") else {
            throw InputError(file: fileName, line: 1, column: nil, message: "not SDMX-CSV: no TIME_PERIOD and OBS_VALUE columns")
        }
        let dimensions = names.indices.filter { !notDimensions.contains(names[$0]) }
        try writer.begin(dimensions: dimensions.map { Self.code(of: header.fields[$0]) })
        let updated = column("LAST UPDATE") ?? column("LAST_UPDATE") ?? column("UPDATED")
        try writer.requirePublishedOn(fileSays: updated != nil, "no LAST UPDATE or UPDATED column")
        let unitMultiplier = column("UNIT_MULT")
        let action = column("ACTION")
        let flagColumns = flags.compactMap { name in column(name).map { (name, $0) } }
        var lastUpdated: (bytes: [UInt8], date: CivilDate?) = ([0], nil)

        // Rows come series by series: a row whose dimensions' bytes are the last row's is of the
        // same series, and its codes and whether it is wanted are not worked out again.
        var key: [UInt8] = [], lastKey: [UInt8]? = nil
        var series: (codes: [String], wanted: Bool) = ([], false)
        while let record = try reader.nextBytes() {
            if record.isBlank { continue }
            let bytes = record.bytes
            func field(_ index: Int) -> String {
                index < record.count ? String(decoding: bytes[record.range(index)], as: UTF8.self).trimmingSpaces : ""
            }
            // SDMX-CSV 2.0: D deletes an observation; Headway keeps history and deletes nothing.
            if let action, field(action).uppercased() == "D" {
                throw writer.error(origin: record.line, column: header.fields[action], "ACTION D (delete) is not taken: Headway keeps every figure published")
            }
            key.removeAll(keepingCapacity: true)
            for index in dimensions {
                if index < record.count { key.append(contentsOf: bytes[record.range(index)]) }
                key.append(0)
            }
            if key == lastKey {
                if !series.wanted { writer.leaveOut() }
            } else {
                lastKey = key
                let raw = dimensions.map { field($0) }
                let codes = raw.map(Self.code(of:))
                series = (codes, writer.wants(codes: codes, labels: raw.map(Self.label(of:))))
            }
            guard series.wanted else { continue }
            let codes = series.codes

            let parsed: DatePeriod
            do { parsed = try DatePeriod(parsing: Self.code(of: field(period))) } catch {
                throw writer.error(origin: record.line, column: header.fields[period], String(describing: error))
            }
            var power: Int?
            if let unitMultiplier, !field(unitMultiplier).isEmpty {
                guard let number = Int(Self.code(of: field(unitMultiplier))) else {
                    throw writer.error(origin: record.line, column: header.fields[unitMultiplier], "\(String(reflecting: field(unitMultiplier))) is not a power of ten")
                }
                power = number
            }
            var publishedOn: CivilDate?
            if let updated {
                // Every row of a file usually says the same: read once, compared as bytes.
                let given = updated < record.count ? bytes[record.range(updated)] : []
                if !given.elementsEqual(lastUpdated.bytes) {
                    let text = field(updated)
                    let date = FigureWriter.publicationDate(text)
                    // A date that cannot be read: --published-on if given, else an error.
                    guard date != nil || writer.selection.publishedOn != nil else {
                        throw writer.error(
                            origin: record.line, column: header.fields[updated],
                            "\(String(reflecting: text)) is not a date as dd/mm/yy hh:mm:ss or YYYY-MM-DD; give --published-on DATE")
                    }
                    lastUpdated = (Array(given), date)
                }
                publishedOn = lastUpdated.date
            }
            var note = ""
            for (name, index) in flagColumns where index < record.count && !record.range(index).isEmpty {
                let flag = field(index)
                if !flag.isEmpty { note += (note.isEmpty ? "" : "; ") + name + "=" + flag }
            }
            // A semicolon-separated file may write a decimal comma (12,4).
            let number = separator == UInt8(ascii: ";") ? field(value).replacingOccurrences(of: ",", with: ".") : field(value)
            try writer.add(
                codes: codes, period: parsed, value: number, power: power, note: note, publishedOn: publishedOn, origin: record.line)
        }
    }

    /// The label of "CODE: Label" (the text itself when it has none).
    static func label(of text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: ":")), let colon = text.range(of: ": ") else { return text.trimmingSpaces }
        return String(text[colon.upperBound...]).trimmingSpaces
    }

    /// "CODE: Label", as SDMX-CSV may write codes with their labels, without the label.
    static func code(of text: String) -> String {
        // Most codes have no label: no search for one.
        guard text.utf8.contains(UInt8(ascii: ":")), let colon = text.range(of: ": ") else { return text.trimmingSpaces }
        return String(text[..<colon.lowerBound]).trimmingSpaces
    }
}
