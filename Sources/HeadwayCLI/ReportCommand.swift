import ArgumentParser
import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore

#if canImport(Glibc)
    import Glibc
#endif

/// `headway report`: where each commitment stands, in one of five formats.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Assess commitments and write the progress report.",
        discussion: """
            Each assessment is also stored in headway.assessments. With --as-of the report uses only \
            the figures published by that date, each in the revision current then.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, html, json, csv
    }

    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Assess with what was published by this date (default: today).", valueName: "date"))
    var asOf: String?
    @Option(help: "The report's format.") var format: Format = .text
    @Option(help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Argument(help: "Commitment keys (default: all).") var keys: [String] = []

    func validate() throws {
        if let asOf {
            do { _ = try DatePeriod(parsing: asOf) } catch { throw ValidationError("--as-of: \(error)") }
        }
    }

    func run() throws {
        let requested = try asOf.map { try DatePeriod(parsing: $0).last }  // nil: the present
        let colour = output == nil && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        // A file is written beside its place and put there only when the report is complete:
        // a failure leaves yesterday's report as it was.
        let out = try output.map(OutputFile.open) ?? .standardOutput
        let url = try database.resolvedURL()
        let assessed = try database.workspace(url: url).assessForStoring(keys: keys, asOf: requested)
        let assessments = assessed.assessments, date = assessed.asOf
        // Stored over a second connection while this thread writes the report, so the server's
        // work and ours overlap.
        let storing = Background { try Workspace(url: url, migrating: false).store(assessed) }
        var buffer = ""
        var writeError: (any Error)?
        func flush() {
            guard writeError == nil else { return }
            do { try out.write(buffer) } catch { writeError = error }
            buffer = ""
        }
        func emit(_ piece: String) {
            buffer += piece
            if buffer.utf8.count >= 1 << 16 { flush() }
        }
        if format == .json {
            JSONReport.write(assessments, asOf: date, to: emit)
        } else {
            emit(Summaries.render(assessments, asOf: date, format: format, colour: colour, leftOut: assessed.leftOut))
        }
        flush()
        try storing.wait()
        if let writeError { throw writeError }
        try out.close()
    }
}
