import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayStore

/// `headway apply FILE...`: sources, metrics and commitments from YAML or JSON.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or update sources, metrics and commitments from YAML or JSON files.",
        discussion: "Applying the same file twice changes nothing; a changed definition is updated and its earlier version kept."
    )

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print what would change, and change nothing.") var dryRun = false
    @Argument(help: "Definition files (.yaml, .yml or .json).") var files: [String]

    func run() throws {
        var definitions = Definitions()
        for file in files { try definitions.merge(try DefinitionsReader.read(path: file)) }
        let applied = try database.workspace().apply(definitions, dryRun: dryRun)
        // A commitment that cannot be assessed for a reason its definition can mend (a level
        // baseline with no level known) is worth a word now, not only in the next report.
        for warning in applied.warnings { FileHandle.standardError.write(Data("headway: warning: \(warning)\n".utf8)) }
        print(Summaries.describe(applied.changes, dryRun: dryRun))
    }
}
