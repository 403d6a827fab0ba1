import HeadwayModel

/// The terminal report: an aligned table, a sparkline per commitment; colour only when asked.
public enum TextReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate, colour: Bool = false, leftOut: Int = 0) -> String {
        let header = [
            "COMMITMENT", "STATUS", "LATEST", "TARGET", "DEADLINE", "DONE", "TIME", "PACE", "NEEDED", "COMPLETION", "VS PLAN", "CHANCE",
            "TREND",
        ]
        let rows = assessments.map { a in
            [
                a.key, a.status.rawValue, Display.latest(a), Display.target(a), a.deadline.description,
                Display.percent(a.percentComplete), Display.timeElapsed(a), Display.perMonth(a.pace.recentPerDay), Display.needed(a),
                Display.completion(a), Display.scheduleVariance(a), Display.probability(a.probabilityMet), Display.sparkline(a),
            ].map(Display.terminalSafe)
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String], status: Assessment.Status? = nil) -> String {
            cells.enumerated().map { column, cell in
                let padded = cell + String(repeating: " ", count: widths[column] - cell.count)
                if column == 1, colour, let status { return "\u{1B}[\(code(status))m\(padded)\u{1B}[0m" }
                return padded
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        var lines = ["Headway report as of \(asOf) (methods version \(Assessment.methodVersion))", ""]
        if let note = Display.leftOut(leftOut, asOf: asOf) { lines += [note, ""] }
        if let note = Display.nothingToReport(assessments.count, leftOut: leftOut) { return (lines + [note]).joined(separator: "\n") + "\n" }
        lines.append(line(header))
        for (row, a) in zip(rows, assessments) { lines.append(line(row, status: a.status)) }
        lines.append("")
        for a in assessments {
            lines.append("\(Display.terminalSafe(a.key)): \(Display.terminalSafe(a.title))")
            lines.append("  " + Display.terminalSafe(Display.notes(a).joined(separator: "; ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func code(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved, .onTrack: "32"
        case .achievedLate, .atRisk: "33"
        case .awaitingData: "3;36"
        case .missed, .offTrack: "31"
        case .notStarted, .insufficientData: "2"
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
