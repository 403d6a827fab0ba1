import ArgumentParser
import Foundation
import HeadwayStore

#if canImport(Glibc)
    import Glibc
#endif

/// `headway load FILE...`: observation CSV files.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load observations from CSV files (- for standard input).",
        discussion: """
            Every row is checked; by default a file with any bad row writes nothing. Loading the same \
            figures again changes nothing; a different value for the same metric and period is kept as a \
            revision. Exit status 4 means --skip-invalid rejected some rows (README, "Exit status").
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Load the good rows and write the bad ones to --rejects.") var skipInvalid = false
    @Option(help: ArgumentHelp("Where --skip-invalid writes rejected rows, each with its reason.", valueName: "file"))
    var rejects: String?
    @Argument(help: "Observation CSV files; - reads standard input.") var files: [String]

    func validate() throws {
        if skipInvalid && rejects == nil { throw ValidationError("--skip-invalid needs --rejects FILE, so no bad row is lost silently") }
        if rejects != nil && !skipInvalid { throw ValidationError("--rejects goes with --skip-invalid") }
    }

    func run() throws {
        var options = ObservationLoader.Options(skipInvalid: skipInvalid, rejectsPath: rejects)
        if isatty(2) == 1 { options.progress = Self.showProgress }
        // SQL clients see current numbers: the commitments whose figures changed are re-assessed.
        let summary = try database.workspace().load(files, options: options)
        if isatty(2) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(Summaries.describe(summary))
        if let first = summary.firstPublishedLater {
            // Not an error (a date may be planned), but a report as of today will not see them.
            let figures = summary.publishedLater == 1 ? "1 figure has" : "\(summary.publishedLater) figures have"
            FileHandle.standardError.write(
                Data("headway: warning: \(figures) a published_on after today, first at \(first); reports as of today leave them out\n".utf8))
        }
        if summary.rejected > 0, let rejects {
            print("Rejected rows, with their reasons: \(rejects)")
            throw ExitCode(ExitStatus.loadedWithRejects.rawValue)
        }
    }

    @Sendable static func showProgress(file: String, bytes: Int, size: Int?, rows: Int) {
        let share = size.map { $0 > 0 ? String(format: " (%.0f%%)", Double(bytes) * 100 / Double($0)) : "" } ?? ""
        FileHandle.standardError.write(Data("\r\(file): \(rows) rows\(share)\u{1B}[K".utf8))
    }
}
