import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayStore

/// `headway import FILE... --metric KEY`: official statistics in their publishers' formats, read
/// into one metric's figures and loaded as `load` loads them (docs/FORMATS.md, "Importing
/// official statistics"). SDMX-CSV so far.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import one series of official statistics (SDMX-CSV) as a metric's figures.",
        discussion: """
            The file's series is chosen with --where DIMENSION=CODE (and --frequency when it mixes \
            frequencies); if more than one series remains nothing is written and the error names the \
            dimensions that still vary. UNIT_MULT scales values, missing values are skipped and counted, \
            status flags are kept in each figure's note. Loading is all or nothing, errors name the \
            file's own line, and importing the same file again changes nothing.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case auto
        case sdmxCSV = "sdmx-csv"
    }

    enum Frequency: String, ExpressibleByArgument, CaseIterable {
        case year, quarter, month, week, day
        var sdmxCode: String {
            switch self {
            case .year: "A"
            case .quarter: "Q"
            case .month: "M"
            case .week: "W"
            case .day: "D"
            }
        }
    }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The defined metric the figures are of.") var metric: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Keep the rows whose DIMENSION has CODE (repeatable).", valueName: "DIMENSION=CODE"))
    var filters: [String] = []
    @Option(help: "Keep the rows of one frequency (year, quarter, month, week, day).") var frequency: Frequency?
    @Option(help: ArgumentHelp("When the figures were published (default: the file's LAST UPDATE, where it has one).", valueName: "date"))
    var publishedOn: String?
    @Option(help: "The defined source the figures come from.") var source: String?
    @Option(help: "auto (from the content) or sdmx-csv.") var format: Format = .auto
    @Flag(help: "Say what would be loaded, writing nothing.") var dryRun = false
    @Argument(help: "Files to import.") var files: [String]

    func validate() throws {
        for filter in filters where filter.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--where \(filter): write DIMENSION=CODE, as --where geo=DE")
        }
    }

    func run() throws {
        var publishedDate: CivilDate?
        if let publishedOn {
            do { publishedDate = try DatePeriod(parsing: publishedOn).last } catch { throw ValidationError("--published-on: \(error)") }
        }
        let workspace = try database.workspace()
        guard let kind = try workspace.metricKind(metric) else {
            throw ValidationError("\(String(reflecting: metric)) is not a defined metric (define it with `headway apply`)")
        }
        var selection = SDMXCSVImport.Selection(metric: metric, kind: kind, publishedOn: publishedDate)
        selection.filters = filters.map { filter in
            let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts[0], parts[1])
        }
        selection.frequency = frequency?.sdmxCode
        selection.source = source
        for file in files {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("headway-import-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let spooled = directory.appendingPathComponent("figures.csv")
            guard FileManager.default.createFile(atPath: spooled.path, contents: nil) else { throw HeadwayError("cannot write a temporary file in \(directory.path)") }
            let descriptor = open(file, O_RDONLY)
            guard descriptor >= 0 else { throw InputError(file: file, line: 0, column: nil, message: "cannot read the file: \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            let output = try FileHandle(forWritingTo: spooled)
            let outcome = try SDMXCSVImport.convert(input: descriptor, fileName: file, output: output, selection)
            try output.close()
            let series = outcome.series.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
            let left = "\(outcome.missingValues) missing value\(outcome.missingValues == 1 ? "" : "s") skipped, "
                + "\(outcome.otherSeries) row\(outcome.otherSeries == 1 ? "" : "s") of other series left out"
            if dryRun {
                print("\(file) (SDMX-CSV): \(outcome.rows) figure\(outcome.rows == 1 ? "" : "s") of \(series.isEmpty ? "the file's one series" : series); \(left). Nothing written.")
                continue
            }
            let summary = try workspace.load(spooled: spooled.path, as: file)
            print("\(file) (SDMX-CSV, \(series.isEmpty ? "one series" : series); \(left))")
            print(Summaries.describe(summary))
        }
    }
}
