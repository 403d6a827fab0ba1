import ArgumentParser
import Foundation
import HeadwayIngest
import HeadwayReport
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
        let connection = try database.connectMigrated()
        let changes = try DefinitionApplier(connection: connection).apply(definitions, dryRun: dryRun)
        if !dryRun {
            // A commitment that cannot be assessed for a reason its definition can mend (a level
            // baseline with no level known) is worth a word now, not only in the next report.
            for assessment in try Self.reassess(changes, AssessmentStore(connection: connection)) where assessment.baselineValue == nil {
                if let reason = assessment.reason {
                    FileHandle.standardError.write(Data("headway: warning: commitment \(assessment.key): \(reason)\n".utf8))
                }
            }
        }
        print(Self.describe(changes, dryRun: dryRun))
    }

    /// Re-assesses the commitments a change touched: changed ones, and those on changed metrics.
    @discardableResult
    static func reassess(_ changes: [DefinitionApplier.Change], _ store: AssessmentStore) throws -> [Assessment] {
        let changed = changes.filter { $0.action != .unchanged }
        var keys = Set(changed.filter { $0.kind == "commitment" }.map(\.key))
        keys.formUnion(try store.commitmentKeys(onMetrics: Set(changed.filter { $0.kind == "metric" }.map(\.key))))
        return try store.reassess(keys: keys.sorted())
    }

    /// A change not made: "would create source X", "would update metric Y (unit)".
    static func wouldDo(_ change: DefinitionApplier.Change) -> String {
        let verb = change.action == .created ? "would create" : "would update"
        return "\(verb) \(change.kind) \(change.key)" + (change.fields.isEmpty ? "" : " (\(change.fields.joined(separator: ", ")))")
    }

    static func describe(_ changes: [DefinitionApplier.Change], dryRun: Bool) -> String {
        var lines = changes.filter { $0.action != .unchanged }.map { dryRun ? Self.wouldDo($0) : $0.description }
        let count = { (action: DefinitionApplier.Change.Action) in changes.filter { $0.action == action }.count }
        lines.append(
            "\(dryRun ? "Dry run: " : "")\(count(.created)) created, \(count(.updated)) updated, \(count(.unchanged)) unchanged"
                + (dryRun ? "; nothing was written." : "."))
        return lines.joined(separator: "\n")
    }
}
