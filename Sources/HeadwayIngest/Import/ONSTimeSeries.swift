import Foundation
import HeadwayModel

/// The ONS's time series, as its website's "download CSV" and `/data` JSON give them: metadata
/// (Title, CDID, Unit, Release date, …), then figures for years ("2023"), quarters
/// ("2023 Q1") and months ("2023 JAN") of one or more series (docs/FORMATS.md, "ONS").
enum ONSTimeSeries {
    /// Whether a CSV's first field is one of the ONS's metadata rows.
    static func isCSV(firstField: String) -> Bool { ["title", "cdid"].contains(firstField.trimmingCharacters(in: .whitespaces).lowercased()) }

    static func isJSON(_ root: JSONNode) -> Bool {
        root["description"]?["cdid"] != nil && (root["years"] != nil || root["quarters"] != nil || root["months"] != nil)
    }

    /// The CSV: metadata rows then period rows, a column per series (CDID). Each row's
    /// period is in its first field; metadata rows are those whose first field is no period.
    static func readCSV(descriptor: Int32, into writer: FigureWriter) throws {
        let reader = CSVReader(descriptor: descriptor, fileName: writer.fileName)
        var metadata: [String: (line: Int, fields: [String])] = [:]
        var begun = false
        var cdids: [String] = []
        var publishedOn: CivilDate?
        while let record = try reader.next() {
            let fields = record.fields.map(\.trimmingSpaces)
            guard let first = fields.first, !first.isEmpty else { continue }
            guard let period = try? DatePeriod(parsing: first) else {
                guard !begun else { throw writer.error(origin: record.line, column: nil, "\(String(reflecting: first)) is no period, as 2023, 2023 Q1 or 2023 JAN") }
                metadata[first.lowercased()] = (record.line, Array(fields.dropFirst()))
                continue
            }
            if !begun {
                begun = true
                guard let cdidRow = metadata["cdid"] else { throw InputError(file: writer.fileName, line: record.line, column: nil, message: "ONS: no CDID row before the figures") }
                cdids = cdidRow.fields
                try writer.begin(dimensions: ["CDID"])
                if let release = metadata["release date"] {
                    let text = release.fields.first ?? ""
                    guard let date = Self.releaseDate(text) else {
                        throw writer.error(origin: release.line, column: nil, "Release date \(String(reflecting: text)) is not a date as dd-mm-yyyy")
                    }
                    publishedOn = date
                }
                try writer.requirePublishedOn(fileSays: publishedOn != nil, "no Release date row")
            }
            let titles = metadata["title"]?.fields ?? []
            for (column, cdid) in cdids.enumerated() where !cdid.isEmpty {
                guard writer.wants(codes: [cdid], labels: [column < titles.count ? titles[column] : cdid]) else { continue }
                let value = column + 1 < fields.count ? fields[column + 1] : ""
                try writer.add(codes: [cdid], period: period, value: value, publishedOn: publishedOn, origin: record.line)
            }
        }
        if !begun { throw InputError(file: writer.fileName, line: 0, column: nil, message: "ONS: no figures (rows such as \"2023\",\"1.2\")") }
    }

    /// The JSON: `description` and one array per frequency; the one wanted is `--frequency`'s,
    /// or the only one with figures.
    static func chosenArray(_ root: JSONNode, frequency: DatePeriod.Precision?, fileName: String) throws -> String {
        let arrays: [(name: String, precision: DatePeriod.Precision)] = [("years", .year), ("quarters", .quarter), ("months", .month)]
        let filled = arrays.filter { !(root[$0.name]?.array ?? []).isEmpty }
        let chosen: String
        if let frequency {
            guard let array = arrays.first(where: { $0.precision == frequency }) else {
                throw InputError(file: fileName, line: 0, column: nil, message: "ONS: no \(frequency.rawValue) figures; the file has years, quarters and months")
            }
            chosen = array.name
        } else if filled.count == 1 {
            chosen = filled[0].name
        } else {
            let counts = filled.map { "\($0.name) (\(root[$0.name]?.array?.count ?? 0))" }.joined(separator: ", ")
            throw InputError(
                file: fileName, line: 0, column: nil,
                message: filled.isEmpty ? "ONS: no figures in years, quarters or months" : "ONS: the file has \(counts): choose one with --frequency")
        }
        return chosen
    }

    /// The figures of `array` (years, quarters or months).
    static func readJSON(_ root: JSONNode, array: String, into writer: FigureWriter) throws {
        let description = root["description"]
        let cdid = description?["cdid"]?.text ?? ""
        try writer.begin(dimensions: ["CDID"])
        let release = description?["releaseDate"]?.text
        let publishedOn = release.flatMap(Self.releaseDate)
        try writer.requirePublishedOn(fileSays: publishedOn != nil, "no description.releaseDate")
        for (index, item) in (root[array]?.array ?? []).enumerated() {
            guard writer.wants(codes: [cdid], labels: [description?["title"]?.text ?? cdid]) else { continue }
            let text = item["date"]?.text ?? ""
            let period: DatePeriod
            do { period = try DatePeriod(parsing: text) } catch {
                throw writer.error(origin: index, column: "date", "\(String(reflecting: text)): \(error)")
            }
            try writer.add(codes: [cdid], period: period, value: item["value"]?.text ?? "", publishedOn: publishedOn, origin: index)
        }
    }

    /// The CSV's "10-05-2024", or the JSON's "2024-05-09T23:00:00.000Z", an instant whose day
    /// is the day in London (the ONS publishes at 07:00 UK time, which is 23:00 UTC the day
    /// before in its stored midnight).
    static func releaseDate(_ text: String) -> CivilDate? {
        guard text.contains("T") else { return FigureWriter.publicationDate(text) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let instant = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
        guard let instant else { return FigureWriter.publicationDate(text) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        let components = calendar.dateComponents([.year, .month, .day], from: instant)
        return CivilDate(year: components.year!, month: components.month!, day: components.day!)
    }
}
