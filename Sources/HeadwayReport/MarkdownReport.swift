import HeadwayModel

/// The Markdown report: a summary table, then a section per commitment.
public enum MarkdownReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate, leftOut: Int = 0) -> String {
        var lines = [
            "# Headway report as of \(asOf) (methods version \(Assessment.methodVersion))", "",
        ] + (Display.leftOut(leftOut, asOf: asOf).map { [$0, ""] } ?? []) + (Display.nothingToReport(assessments.count, leftOut: leftOut).map { [$0, ""] } ?? []) + [
            "| Commitment | Status | Latest | Target | Deadline | Done | Time elapsed | Recent pace | Needed pace | Completion | Vs plan | Chance |",
            "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
        ]
        for a in assessments {
            let cells = [
                "[\(escape(a.title))](#\(anchor(a.key)))", "`\(a.status.rawValue)`", escape(Display.latest(a)), escape(Display.target(a)),
                a.deadline.description, Display.percent(a.percentComplete), Display.timeElapsed(a), Display.perMonth(a.pace.recentPerDay),
                Display.needed(a), Display.completion(a), Display.scheduleVariance(a), Display.probability(a.probabilityMet),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        for a in assessments {
            let status = Display.statusAndChance(a)
            lines += [
                "", "## \(escape(a.title))", "<a id=\"\(anchor(a.key))\"></a>", "",
                "- Key: \(escape(a.key)); metric: \(escape(a.metric))",
                "- Status: **\(a.status.rawValue)**: \(escape(status))",
                "- Baseline \(a.baselineDate)" + (a.kind == .level ? ", level \(escape(Display.amount(a.baselineValue, unit: a.unit)))" : "")
                    + "; target \(escape(Display.targetInWords(a)))",
                "- Latest: \(escape(Display.latestInWords(a)))",
                "- Recent pace \(escape(Display.perMonth(a.pace.recentPerDay))); needed from now \(escape(Display.needed(a)))",
                "- Completion: \(Display.completion(a)); schedule: \(Display.scheduleVariance(a))",
                "- Chance of meeting the target: \(escape(Display.probability(a.probabilityMet)))",
            ]
            if let reason = a.reason { lines.append("- Why: \(escape(reason))") }
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

    /// A fragment id for a commitment, one per key: lower-case letters, digits and "-" stay as
    /// they are, every other character becomes "_" + its code point in hex + "_", so `a.b` and
    /// `a-b` stay apart (and no two keys share an id).
    static func anchor(_ key: String) -> String {
        var id = "c-"
        for scalar in key.unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" {
                id.unicodeScalars.append(scalar)
            } else {
                id += "_" + String(scalar.value, radix: 16) + "_"
            }
        }
        return id
    }
}
