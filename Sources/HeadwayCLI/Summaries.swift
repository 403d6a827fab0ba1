import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore

/// What commands print about their work, shared where one command (demo) does another's.
enum Summaries {
    /// A change not made: "would create source X", "would update metric Y (unit)".
    static func wouldDo(_ change: DefinitionApplier.Change) -> String {
        let verb = change.action == .created ? "would create" : "would update"
        return "\(verb) \(change.kind) \(change.key)" + (change.fields.isEmpty ? "" : " (\(change.fields.joined(separator: ", ")))")
    }

    static func describe(_ changes: [DefinitionApplier.Change], dryRun: Bool) -> String {
        var lines = changes.filter { $0.action != .unchanged }.map { dryRun ? wouldDo($0) : $0.description }
        let count = { (action: DefinitionApplier.Change.Action) in changes.filter { $0.action == action }.count }
        lines.append(
            "\(dryRun ? "Dry run: " : "")\(count(.created)) created, \(count(.updated)) updated, \(count(.unchanged)) unchanged"
                + (dryRun ? "; nothing was written." : "."))
        return lines.joined(separator: "\n")
    }

    static func describe(_ summary: ObservationLoader.Summary) -> String {
        let provenance = summary.provenanceDiffers == 0 ? "" : " (\(summary.provenanceDiffers) with another note or source; provenance is not revised)"
        return "\(counted(summary.rows, "row")): \(summary.inserted) inserted, \(summary.unchanged) unchanged\(provenance), "
            + "\(summary.revised) revised, \(summary.rejected) rejected in \(String(format: "%.2f", summary.elapsedSeconds)) s"
    }

    static func render(_ assessments: [Assessment], asOf: CivilDate, format: ReportCommand.Format, colour: Bool = false, leftOut: Int = 0) -> String {
        switch format {
        case .text: TextReport.render(assessments, asOf: asOf, colour: colour, leftOut: leftOut)
        case .markdown: MarkdownReport.render(assessments, asOf: asOf, leftOut: leftOut)
        case .json: JSONReport.render(assessments, asOf: asOf)
        case .csv: CSVReport.render(assessments)
        case .html: HTMLReport.render(assessments, asOf: asOf, leftOut: leftOut)
        }
    }
}
