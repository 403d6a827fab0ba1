import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayStore

/// `headway import FILE... --metric KEY`: official statistics in their publishers' formats, read
/// into one metric's figures and loaded as `load` loads them (docs/FORMATS.md, "Importing
/// official statistics").
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import one series of official statistics (SDMX-CSV, JSON-stat, ONS, FRED, World Bank) as a metric's figures.",
        discussion: """
            The format is found from the content unless --format names it. The file's series is chosen \
            with --where DIMENSION=CODE (and --frequency when it mixes frequencies); if more than one \
            series remains nothing is written and the error names the dimensions that still vary. \
            UNIT_MULT scales values, missing values are skipped and counted, status flags are kept in \
            each figure's note, and published_on comes from the file where it says (LAST UPDATE, updated, \
            Release date, FRED's realtime_start), else --published-on. Loading is all or nothing, errors \
            name the file's own line (or JSON path), and importing the same file again changes nothing.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case auto
        case sdmxCSV = "sdmx-csv"
        case jsonStat = "json-stat"
        case ons, fred
        case worldBank = "worldbank"
    }

    enum Frequency: String, ExpressibleByArgument, CaseIterable {
        case year, half, quarter, month, week, day
    }

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The defined metric the figures are of.") var metric: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Keep the rows whose DIMENSION has CODE (repeatable).", valueName: "DIMENSION=CODE"))
    var filters: [String] = []
    @Option(help: "Keep the rows of one frequency (year, half, quarter, month, week, day).") var frequency: Frequency?
    @Option(help: ArgumentHelp("When the figures were published, where the file does not say.", valueName: "date"))
    var publishedOn: String?
    @Option(help: "The defined source the figures come from.") var source: String?
    @Option(help: "auto (from the content), sdmx-csv, json-stat, ons, fred or worldbank.") var format: Format = .auto
    @Flag(help: "Say what would be loaded, writing nothing.") var dryRun = false
    @Flag(help: "Load the good rows and write the bad ones to --rejects.") var skipInvalid = false
    @Option(help: ArgumentHelp("Where --skip-invalid writes rejected rows, each with its reason.", valueName: "file"))
    var rejects: String?
    @Argument(help: "Files to import.") var files: [String]

    func validate() throws {
        guard ImportSelection.filters(filters) != nil else { throw ValidationError("--where: write DIMENSION=CODE, as --where geo=DE") }
        if skipInvalid && rejects == nil { throw ValidationError("--skip-invalid needs --rejects FILE, so no bad row is lost silently") }
        if rejects != nil && !skipInvalid { throw ValidationError("--rejects goes with --skip-invalid") }
    }

    func run() throws {
        var publishedDate: CivilDate?
        if let publishedOn {
            do { publishedDate = try CivilDate(parsing: publishedOn) } catch { throw ValidationError("--published-on: \(error); write a day, as 2024-05-15") }
        }
        let workspace = try database.workspace()
        guard let kind = try workspace.metricKind(metric) else {
            throw ValidationError("\(String(reflecting: metric)) is not a defined metric (define it with `headway apply`)")
        }
        var selection = ImportSelection(metric: metric, kind: kind, publishedOn: publishedDate)
        selection.filters = ImportSelection.filters(filters) ?? []
        selection.frequency = frequency.flatMap { ImportSelection.frequency($0.rawValue) }
        selection.source = source
        let imported = try workspace.importFigures(
            files.map { ($0, $0) }, format: ImportFormat(rawValue: format.rawValue), selection: selection,
            options: ObservationLoader.Options(skipInvalid: skipInvalid, rejectsPath: rejects), dryRun: dryRun)
        for (file, outcome) in zip(files, imported.outcomes) { print("\(file) (\(outcome.format.title)): \(outcome.description)") }
        guard let summary = imported.summary else {
            print("Nothing written.")
            return
        }
        print(Summaries.describe(summary))
        if summary.rejected > 0, let rejects {
            print("Rejected rows, with their reasons: \(rejects)")
            throw ExitCode(ExitStatus.loadedWithRejects.rawValue)
        }
    }
}
