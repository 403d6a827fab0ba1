import Foundation
import HeadwayModel

/// The World Bank's indicators API (v2) JSON — `[{page, …, lastupdated}, [{indicator, country,
/// countryiso3code, date, value, obs_status}, …]]` — and its CSV download: "Data Source" and
/// "Last Updated Date" lines, then a row per country and indicator with a column per year
/// (docs/FORMATS.md, "World Bank"). Dates are `2020`, `2012M01` or `2013Q1`.
enum WorldBank {
    static func isJSON(_ root: JSONNode) -> Bool {
        guard let parts = root.array, parts.count == 2 else { return false }
        return parts[0]["page"] != nil || parts[0]["lastupdated"] != nil
    }

    static func isCSV(firstField: String) -> Bool { firstField.trimmingCharacters(in: .whitespaces) == "Data Source" }

    static func readJSON(_ root: JSONNode, into writer: FigureWriter) throws {
        guard let parts = root.array, parts.count == 2, parts[1].array != nil else {
            throw InputError(file: writer.fileName, line: 0, column: nil, message: "World Bank: not the API's [{page, …}, [rows]]")
        }
        // The API answers in pages (50 rows by default): one page of several is not the series.
        if let pages = parts[0]["pages"]?.text.flatMap({ Int($0) }), pages > 1 {
            throw InputError(
                file: writer.fileName, line: 0, column: nil,
                message: "World Bank: page \(parts[0]["page"]?.text ?? "1") of \(pages); ask the API for every row at once (per_page=20000)")
        }
        try writer.begin(dimensions: ["indicator", "country"])
        let updated = parts[0]["lastupdated"]?.text.flatMap(FigureWriter.publicationDate)
        try writer.requirePublishedOn(fileSays: updated != nil, "no lastupdated")
        for (index, item) in (parts[1].array ?? []).enumerated() {
            let indicator = item["indicator"]?["id"]?.text ?? ""
            let country = item["countryiso3code"]?.text.flatMap { $0.isEmpty ? nil : $0 } ?? item["country"]?["id"]?.text ?? ""
            let labels = [item["indicator"]?["value"]?.text ?? indicator, item["country"]?["value"]?.text ?? country]
            guard writer.wants(codes: [indicator, country], labels: labels) else { continue }
            let date = item["date"]?.text ?? ""
            let period: DatePeriod
            do { period = try DatePeriod(parsing: date) } catch {
                throw writer.error(origin: index, column: "date", "\(String(reflecting: date)): \(error)")
            }
            let status = item["obs_status"]?.text ?? ""
            try writer.add(
                codes: [indicator, country], period: period, value: item["value"]?.text ?? "", note: status.isEmpty ? "" : "obs_status=\(status)",
                publishedOn: updated, origin: index)
        }
    }

    /// The CSV: metadata lines up to the header that starts "Country Name", then one row per
    /// series with a column per period.
    static func readCSV(descriptor: Int32, into writer: FigureWriter) throws {
        let reader = CSVReader(descriptor: descriptor, fileName: writer.fileName)
        var updated: CivilDate?
        var header: CSVReader.Record?
        while let record = try reader.next() {
            let first = record.fields.first?.trimmingCharacters(in: .whitespaces) ?? ""
            if first == "Last Updated Date", record.fields.count > 1 {
                let text = record.fields[1].trimmingCharacters(in: .whitespaces)
                guard let date = FigureWriter.publicationDate(text) else {
                    throw writer.error(origin: record.line, column: nil, "Last Updated Date \(String(reflecting: text)) is not a date as YYYY-MM-DD")
                }
                updated = date
            }
            if first == "Country Name" {
                header = record
                break
            }
        }
        guard let header else { throw InputError(file: writer.fileName, line: 0, column: nil, message: "World Bank CSV: no header row starting \"Country Name\"") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let countryCode = names.firstIndex(of: "Country Code"), let indicatorCode = names.firstIndex(of: "Indicator Code") else {
            throw InputError(file: writer.fileName, line: header.line, column: nil, message: "World Bank CSV: no Country Code and Indicator Code columns")
        }
        let periods: [(column: Int, period: DatePeriod)] = names.indices.compactMap { column in
            guard column > indicatorCode, let period = try? DatePeriod(parsing: names[column]) else { return nil }
            return (column, period)
        }
        try writer.begin(dimensions: ["indicator", "country"])
        try writer.requirePublishedOn(fileSays: updated != nil, "no Last Updated Date line")
        while let record = try reader.next() {
            let fields = record.fields.map(\.trimmingSpaces)
            if fields.count == 1 && fields[0].isEmpty { continue }
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            let codes = [field(indicatorCode), field(countryCode)]
            let labels = [names.firstIndex(of: "Indicator Name").map(field) ?? codes[0], field(0)]
            for (column, period) in periods {
                guard writer.wants(codes: codes, labels: labels) else { continue }
                try writer.add(codes: codes, period: period, value: field(column), publishedOn: updated, origin: record.line)
            }
        }
    }
}
