import Foundation
import HeadwayModel

#if canImport(Glibc)
    import Glibc
#endif

/// The formats official statistics come in (docs/FORMATS.md, "Importing official statistics").
public enum ImportFormat: String, Sendable, CaseIterable {
    case sdmxCSV = "sdmx-csv"
    case jsonStat = "json-stat"
    case ons
    case fred
    case worldBank = "worldbank"

    /// How the format is named in summaries.
    public var title: String {
        switch self {
        case .sdmxCSV: "SDMX-CSV"
        case .jsonStat: "JSON-stat"
        case .ons: "ONS time series"
        case .fred: "FRED"
        case .worldBank: "World Bank"
        }
    }
}

/// The one input layer of imports: a publisher's file, in any of `ImportFormat`'s formats,
/// read into observation CSV for the loader (`FigureSpool`), remembering where each figure came
/// from. `headway import` and `POST /api/v1/observations` both go through it.
public enum FigureImport {
    /// What a conversion made: the spool to load (its errors located by `spool.locate`) and
    /// what was taken and left out.
    public struct Converted {
        public let spool: FigureSpool
        public let outcome: ImportOutcome
    }

    /// Converts the file at `path` (named `fileName` in errors) into observation CSV at
    /// `spoolPath`; `format` nil finds the format from the content.
    public static func convert(path: String, fileName: String, format: ImportFormat?, selection: ImportSelection, spoolPath: String) throws -> Converted {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputError(file: fileName, line: 0, column: nil, message: "cannot read the file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // Enough for the first line of a wide file (a header of many dimensions, or years).
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw InputError(file: fileName, line: 0, column: nil, message: "cannot read the file: \(String(cString: strerror(errno)))") }
        head.removeSubrange(count...)
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        let isJSON = head.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } ?? false

        if isJSON {
            // A JSON document is read whole, into about thirty times its size: a bound.
            var status = stat()
            if fstat(descriptor, &status) == 0, status.st_size > Self.largestJSON {
                throw InputError(
                    file: fileName, line: 0, column: nil,
                    message: "a JSON file over \(Self.largestJSON >> 20) MiB is not read; import the publisher's SDMX-CSV or CSV of it instead")
            }
            let root = try JSONDocument.parse(descriptor: descriptor, fileName: fileName)
            let found = try format ?? jsonFormat(root, fileName: fileName)
            let prefix: String
            switch found {
            case .jsonStat: prefix = JSONStat.valuePath(in: root)
            case .fred: prefix = "observations"
            case .worldBank: prefix = "[1]"
            case .ons: prefix = try ONSTimeSeries.chosenArray(root, frequency: selection.frequency, fileName: fileName)
            case .sdmxCSV: throw InputError(file: fileName, line: 1, column: nil, message: "--format sdmx-csv: the file is JSON")
            }
            let writer = FigureWriter(
                selection: selection, fileName: fileName, spool: try FigureSpool(path: spoolPath, positions: .elements(prefix: prefix)), format: found)
            switch found {
            case .jsonStat: try JSONStat.read(root, into: writer)
            case .fred: try FRED.readJSON(root, into: writer)
            case .worldBank: try WorldBank.readJSON(root, into: writer)
            case .ons: try ONSTimeSeries.readJSON(root, array: prefix, into: writer)
            case .sdmxCSV: break
            }
            return Converted(spool: writer.spool, outcome: try writer.finish())
        }

        let firstLine = String(decoding: head.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        let firstField = firstLine.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        } ?? ""
        let sdmxSeparator = SDMXCSV.separator(ofHeader: firstLine)
        let found: ImportFormat
        if let format {
            found = format
        } else if sdmxSeparator != nil {
            found = .sdmxCSV
        } else if ONSTimeSeries.isCSV(firstField: firstField) {
            found = .ons
        } else if WorldBank.isCSV(firstField: firstField) {
            found = .worldBank
        } else if FRED.isCSV(header: firstLine.split(separator: ",").map(String.init)) {
            found = .fred
        } else {
            throw InputError(
                file: fileName, line: 1, column: nil,
                message: "cannot tell the format: not SDMX-CSV (TIME_PERIOD and OBS_VALUE), an ONS, FRED or World Bank CSV, nor JSON; give --format")
        }
        let writer = FigureWriter(selection: selection, fileName: fileName, spool: try FigureSpool(path: spoolPath, positions: .lines), format: found)
        switch found {
        case .sdmxCSV: try SDMXCSV.read(descriptor: descriptor, separator: sdmxSeparator ?? UInt8(ascii: ","), into: writer)
        case .ons: try ONSTimeSeries.readCSV(descriptor: descriptor, into: writer)
        case .fred: try FRED.readCSV(descriptor: descriptor, into: writer)
        case .worldBank: try WorldBank.readCSV(descriptor: descriptor, into: writer)
        case .jsonStat: throw InputError(file: fileName, line: 1, column: nil, message: "--format json-stat: the file is not JSON")
        }
        return Converted(spool: writer.spool, outcome: try writer.finish())
    }

    /// The largest JSON file read (it is read whole).
    static let largestJSON = 64 << 20

    /// Which JSON format a document is, from its members.
    static func jsonFormat(_ root: JSONNode, fileName: String) throws -> ImportFormat {
        if JSONStat.isDataset(root) || root["class"]?.text == "collection" { return .jsonStat }
        if FRED.isJSON(root) { return .fred }
        if ONSTimeSeries.isJSON(root) { return .ons }
        if WorldBank.isJSON(root) { return .worldBank }
        throw InputError(
            file: fileName, line: 1, column: nil,
            message: "cannot tell the format of this JSON: not a JSON-stat dataset, FRED observations, an ONS time series nor a World Bank response; give --format")
    }
}
