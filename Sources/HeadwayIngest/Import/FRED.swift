import Foundation
import HeadwayModel

/// FRED and ALFRED (the Federal Reserve Bank of St. Louis): the CSV download
/// (`observation_date,SERIES`, or `DATE,…`; ALFRED's vintages as `SERIES_YYYYMMDD` columns) and
/// the `series/observations` JSON, whose `realtime_start` is when each value was published, so a
/// file of vintages loads as Headway's revisions (docs/FORMATS.md, "FRED").
///
/// A FRED date is the first day of its period, which the file does not name: the period is
/// `--frequency`'s, or found from the dates' spacing. Weekly dates are the week's last day
/// (FRED's "weekly, ending Friday").
enum FRED {
    static func isCSV(header: [String]) -> Bool {
        guard let first = header.first?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return (first == "observation_date" || first == "date") && header.count >= 2
    }

    static func isJSON(_ root: JSONNode) -> Bool { root["observations"]?.array != nil && root["realtime_start"] != nil }

    /// The CSV: read whole (FRED files are small), to find the frequency before the first row.
    static func readCSV(descriptor: Int32, into writer: FigureWriter) throws {
        let reader = CSVReader(descriptor: descriptor, fileName: writer.fileName)
        guard let header = try reader.next() else { throw InputError(file: writer.fileName, line: 1, column: nil, message: "the file is empty") }
        // Each column: its series and, for ALFRED's SERIES_YYYYMMDD, the vintage's date.
        let columns: [(series: String, vintage: CivilDate?)] = header.fields.dropFirst().map { name in
            let name = name.trimmingCharacters(in: .whitespaces)
            if let underscore = name.lastIndex(of: "_"), name.distance(from: underscore, to: name.endIndex) == 9 {
                let digits = name[name.index(after: underscore)...]
                if let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)), let day = Int(digits.suffix(2)),
                    let date = CivilDate(year: year, month: month, day: day)
                {
                    return (String(name[..<underscore]), date)
                }
            }
            return (name, nil)
        }
        try writer.begin(dimensions: ["series"])
        try writer.requirePublishedOn(fileSays: columns.allSatisfy { $0.vintage != nil }, "FRED's CSV has no vintage columns")
        var rows: [(line: Int, date: CivilDate, values: [String])] = []
        while let record = try reader.next() {
            let fields = record.fields.map(\.trimmingSpaces)
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard let date = try? CivilDate(parsing: fields[0]) else {
                throw writer.error(origin: record.line, column: header.fields[0], "\(String(reflecting: fields[0])) is not a date as YYYY-MM-DD")
            }
            rows.append((record.line, date, Array(fields.dropFirst())))
        }
        let precision = try frequency(of: rows.map(\.date), writer: writer)
        for row in rows {
            let period = try period(from: row.date, precision, writer: writer, origin: row.line)
            for (index, column) in columns.enumerated() {
                guard writer.wants(codes: [column.series]) else { continue }
                let value = index < row.values.count ? row.values[index] : ""
                try writer.add(codes: [column.series], period: period, value: value == "#N/A" ? "" : value, publishedOn: column.vintage, origin: row.line)
            }
        }
    }

    /// The JSON: each observation's `realtime_start` is when its value was published — when the
    /// request asked for a real-time period. Without one, FRED gives every value the day of the
    /// request (`realtime_start` = `realtime_end`), which says nothing of when it was published.
    static func readJSON(_ root: JSONNode, into writer: FigureWriter) throws {
        try writer.begin(dimensions: [])
        let vintages = root["realtime_start"]?.text != root["realtime_end"]?.text
        try writer.requirePublishedOn(fileSays: vintages, "FRED's realtime_start is the day it was asked, not of a vintage")
        let observations = root["observations"]?.array ?? []
        var dates: [CivilDate] = []
        for (index, item) in observations.enumerated() {
            let text = item["date"]?.text ?? ""
            guard let date = try? CivilDate(parsing: text) else { throw writer.error(origin: index, column: "date", "\(String(reflecting: text)) is not a date as YYYY-MM-DD") }
            dates.append(date)
        }
        let precision = try frequency(of: dates, writer: writer)
        for (index, item) in observations.enumerated() {
            let text = item["realtime_start"]?.text ?? ""
            guard let published = try? CivilDate(parsing: text) else {
                throw writer.error(origin: index, column: "realtime_start", "\(String(reflecting: text)) is not a date as YYYY-MM-DD")
            }
            let period = try period(from: dates[index], precision, writer: writer, origin: index)
            try writer.add(codes: [], period: period, value: item["value"]?.text ?? "", publishedOn: vintages ? published : nil, origin: index)
        }
    }

    /// `--frequency`, or the one the spacing of the dates shows.
    static func frequency(of dates: [CivilDate], writer: FigureWriter) throws -> DatePeriod.Precision {
        if let frequency = writer.selection.frequency { return frequency }
        let distinct = Set(dates).sorted()
        let gaps = zip(distinct, distinct.dropFirst()).map { $1.daysSinceEpoch - $0.daysSinceEpoch }
        guard let gap = gaps.min() else {
            throw InputError(file: writer.fileName, line: 0, column: nil, message: "FRED: too few dates to tell the frequency; give --frequency")
        }
        switch gap {
        case 1...4: return .day  // business days skip weekends
        case 7: return .week
        case 28...31: return .month
        case 89...92: return .quarter
        case 181...184: return .half
        case 365...366: return .year
        default:
            throw InputError(file: writer.fileName, line: 0, column: nil, message: "FRED: dates \(gap) days apart are of no frequency Headway knows; give --frequency")
        }
    }

    /// The period a FRED date starts (a week: ends).
    static func period(from date: CivilDate, _ precision: DatePeriod.Precision, writer: FigureWriter, origin: Int) throws -> DatePeriod {
        let months: Int
        switch precision {
        case .day: return DatePeriod(day: date)
        case .week: return DatePeriod(first: date.adding(days: -6), last: date, precision: .week)
        case .month: months = 1
        case .quarter: months = 3
        case .half: months = 6
        case .year: months = 12
        case .third: months = 4
        case .financialYear: months = 12
        }
        guard date.day == 1, precision == .month || (date.month - 1) % months == 0 || precision == .financialYear else {
            throw writer.error(origin: origin, column: "date", "\(date) is not the first day of a \(precision.rawValue)")
        }
        return DatePeriod(first: date, last: date.adding(months: months).adding(days: -1), precision: precision)
    }
}
