import HeadwayModel

/// The terminal report: an aligned table, a sparkline per commitment; colour only when asked.
public enum TextReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate, colour: Bool = false) -> String {
        let header = ["COMMITMENT", "STATUS", "PROGRESS", "TARGET", "DEADLINE", "DONE", "TIME", "PACE", "NEEDED", "COMPLETION", "TREND"]
        let rows = assessments.map { a in
            [
                Display.terminalSafe(a.key), a.status.rawValue, Display.terminalSafe(Display.qualified(a.latest, unit: a.unit)),
                Display.terminalSafe(Display.target(a)), a.deadline.description, Display.percent(a.percentComplete),
                Display.percent(a.percentTimeElapsed), Display.perMonth(a.pace.recentPerDay),
                Display.perMonth(a.pace.requiredFromNowPerDay ?? a.pace.requiredPerDay), Display.completion(a), Display.sparkline(a),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String], status: Assessment.Status? = nil) -> String {
            cells.enumerated().map { column, cell in
                let padded = cell + String(repeating: " ", count: widths[column] - cell.count)
                if column == 1, colour, let status { return "\u{1B}[\(code(status))m\(padded)\u{1B}[0m" }
                return padded
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        var lines = ["Headway report as of \(asOf) (methods version \(Assessment.methodVersion))", "", line(header)]
        for (row, a) in zip(rows, assessments) { lines.append(line(row, status: a.status)) }
        lines.append("")
        for a in assessments { lines.append("\(Display.terminalSafe(a.key)): \(Display.terminalSafe(a.title))") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func code(_ status: Assessment.Status) -> String {
        switch status {
        case .achieved, .onTrack: "32"
        case .achievedLate, .atRisk, .awaitingData: "33"
        case .missed, .offTrack: "31"
        case .notStarted, .insufficientData: "2"
        }
    }
}

/// The Markdown report: a summary table, then a section per commitment.
public enum MarkdownReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate) -> String {
        var lines = [
            "# Headway report as of \(asOf)", "",
            "| Commitment | Status | Progress | Target | Deadline | Done | Time elapsed | Recent pace | Needed pace | Completion |",
            "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for a in assessments {
            let cells = [
                "[\(escape(a.title))](#\(anchor(a.key)))", "`\(a.status.rawValue)`", escape(Display.qualified(a.latest, unit: a.unit)),
                escape(Display.target(a)), a.deadline.description, Display.percent(a.percentComplete), Display.percent(a.percentTimeElapsed),
                Display.perMonth(a.pace.recentPerDay), Display.perMonth(a.pace.requiredFromNowPerDay ?? a.pace.requiredPerDay),
                Display.completion(a),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        for a in assessments {
            lines += [
                "", "## \(escape(a.title))", "<a id=\"\(anchor(a.key))\"></a>", "",
                "- Key: \(escape(a.key)); metric: \(escape(a.metric))",
                "- Status: **\(a.status.rawValue)**" + (a.achievedOn.map { ", achieved on \($0) (\(a.daysEarly ?? 0) days early)" } ?? ""),
                "- Baseline \(a.baselineDate), deadline \(a.deadline); target \(escape(Display.target(a)))",
                "- Latest: \(escape(Display.qualified(a.latest, unit: a.unit))) at \(Display.date(a.latest?.date))",
                "- Projected at the recent pace: \(Display.completion(a)); schedule variance \(a.scheduleVarianceDays.map { "\($0) days" } ?? "–")",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Escapes Markdown and HTML so titles cannot inject markup.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in Display.terminalSafe(text) {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!": result += "\\\(character)"
            default: result.append(character)
            }
        }
        return result
    }

    static func anchor(_ key: String) -> String {
        "c-" + String(key.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(80))
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
