import Foundation
import HeadwayModel

/// A self-contained HTML page (no network fetches) with an inline SVG chart per commitment:
/// the figures (open markers for "over"/"about"), the planned trajectory, the projection and its
/// range, the target and the deadline. Every text value is escaped.
public enum HTMLReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate) -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Headway report as of \(asOf)</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem; color: #1b1f24; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
            th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
            td.n, td.d { text-align: right; white-space: nowrap; } td.d { text-align: left; }
            .legend { font-size: 0.8rem; color: #57606a; margin: 0.2rem 0 1rem; }
            .legend span { margin-right: 1rem; display: inline-block; }
            .status { font-weight: 600; white-space: nowrap; }
            .achieved, .on_track { color: #1a7f37; } .achieved_late, .at_risk { color: #9a6700; }
            .missed, .off_track { color: #cf222e; } .not_started, .insufficient_data { color: #57606a; }
            section { margin: 2rem 0; break-inside: avoid; }
            svg { width: 100%; height: auto; max-height: 22rem; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; overflow-wrap: anywhere; }
            dt { color: #57606a; } dd { margin: 0; }
            .wide { overflow-x: auto; }
            @media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
            </style>
            </head>
            <body>
            <h1>Headway report as of \(asOf)</h1>
            <div class="wide"><table>
            <tr><th>Commitment</th><th>Status</th><th>Progress</th><th>Target</th><th>Deadline</th><th>Done</th><th>Completion</th></tr>

            """
        for a in assessments {
            html += "<tr><td><a href=\"#\(escape(MarkdownReport.anchor(a.key)))\">\(escape(a.title))</a></td>"
            html += "<td class=\"status \(a.status.rawValue)\">\(a.status.rawValue.replacingOccurrences(of: "_", with: " "))</td>"
            html += "<td class=\"n\">\(escape(Display.qualified(a.latest, unit: a.unit)))</td><td class=\"n\">\(escape(Display.target(a)))</td>"
            html += "<td class=\"d\">\(a.deadline)</td><td class=\"n\">\(Display.percent(a.percentComplete))</td><td class=\"d\">\(escape(Display.completion(a)))</td></tr>\n"
        }
        html += "</table></div>\n"
        for a in assessments {
            html += "<section id=\"\(escape(MarkdownReport.anchor(a.key)))\">\n<h2>\(escape(a.title))</h2>\n"
            html += "<p class=\"status \(a.status.rawValue)\">\(a.status.rawValue.replacingOccurrences(of: "_", with: " "))</p>\n"
            html += chart(a)
            html += "<p class=\"legend\"><span style=\"color:#0969da\">● figure (○ over, under or about)</span><span>— plan</span>"
            html += "<span style=\"color:#0969da\">- - projection at the recent pace, shaded: its range</span><span style=\"color:#8250df\">··· target</span></p>\n"
            html += "<dl>\n"
            let facts: [(String, String)] = [
                ("Key", a.key), ("Metric", "\(a.metric) (\(a.unit))"), ("Baseline", a.baselineDate.description),
                ("Target", Display.target(a)), ("Deadline", a.deadline.description),
                ("Latest", "\(Display.qualified(a.latest, unit: a.unit)) at \(Display.date(a.latest?.date))"),
                ("Achieved on", Display.date(a.achievedOn)), ("Recent pace", Display.perMonth(a.pace.recentPerDay)),
                ("Needed from now", Display.perMonth(a.pace.requiredFromNowPerDay)), ("Projected completion", Display.completion(a)),
                ("Schedule variance", a.scheduleVarianceDays.map { "\($0) days" } ?? "–"),
            ]
            for (term, value) in facts { html += "<dt>\(escape(term))</dt><dd>\(escape(value))</dd>\n" }
            html += "</dl>\n</section>\n"
        }
        return html + "</body>\n</html>\n"
    }

    /// The chart: x is time from the baseline to the later of the deadline and the last point.
    static func chart(_ a: Assessment) -> String {
        let width = 640.0, height = 260.0, left = 56.0, right = 16.0, top = 12.0, bottom = 28.0
        let start = a.series.first?.date ?? a.baselineDate
        var end = max(a.deadline, a.series.last?.date ?? a.deadline)
        if let completion = a.projection.completionDateHigh ?? a.projection.completionDate { end = max(end, min(completion, a.deadline.adding(days: 366))) }
        var values = a.series.map(\.trajectory) + a.series.compactMap { $0.progress?.double } + [a.targetProgress.double, 0]
        let base = a.baselineValue?.double ?? 0
        for value in [a.projection.valueAtDeadlineLow, a.projection.valueAtDeadlineHigh, a.projection.valueAtDeadline].compactMap({ $0 }) {
            values.append(value - base)
        }
        let low = values.min() ?? 0, high = max(values.max() ?? 1, (values.min() ?? 0) + 1)
        let span = Double(max(1, start.days(until: end)))
        func x(_ date: CivilDate) -> Double { left + (width - left - right) * Double(start.days(until: date)) / span }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - low) / (high - low)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(a.title)): progress against plan\">\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(a.targetProgress.double)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(a.targetProgress.double)))\" stroke=\"#8250df\" stroke-dasharray=\"2 3\"/>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(y(a.targetProgress.double) - 3))\" font-size=\"11\" fill=\"#8250df\">target \(escape(Display.target(a)))</text>\n"
        svg += "<line x1=\"\(f(x(a.deadline)))\" y1=\"\(f(top))\" x2=\"\(f(x(a.deadline)))\" y2=\"\(f(height - bottom))\" stroke=\"#57606a\" stroke-dasharray=\"4 3\"/>\n"
        svg += "<text x=\"\(f(x(a.deadline) - 4))\" y=\"\(f(height - bottom - 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">deadline \(a.deadline)</text>\n"
        // Axes and labels.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"#8c959f\"/>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(height - 8))\" font-size=\"11\" fill=\"#57606a\">\(start)</text>\n"
        svg += "<text x=\"\(f(width - right))\" y=\"\(f(height - 8))\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">\(end)</text>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(high) + 10))\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">\(escape(axisLabel(high)))</text>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(low)))\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">\(escape(axisLabel(low)))</text>\n"
        // Planned trajectory.
        let plan = a.series.map { "\(f(x($0.date))),\(f(y($0.trajectory)))" }.joined(separator: " ")
        svg += "<polyline points=\"\(plan)\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1.5\"><title>planned trajectory</title></polyline>\n"
        // Projection and its range, from the latest point to the deadline.
        if let latest = a.latest, let central = a.projection.valueAtDeadline, a.deadline > latest.date {
            let from = "\(f(x(latest.date))),\(f(y(latest.progress.double)))"
            if let lowValue = a.projection.valueAtDeadlineLow, let highValue = a.projection.valueAtDeadlineHigh, lowValue != highValue {
                svg += "<polygon points=\"\(from) \(f(x(a.deadline))),\(f(y(highValue - base))) \(f(x(a.deadline))),\(f(y(lowValue - base)))\" fill=\"#0969da\" fill-opacity=\"0.15\"><title>projection range</title></polygon>\n"
            }
            svg += "<line x1=\"\(f(x(latest.date)))\" y1=\"\(f(y(latest.progress.double)))\" x2=\"\(f(x(a.deadline)))\" y2=\"\(f(y(central - base)))\" stroke=\"#0969da\" stroke-dasharray=\"6 4\"><title>projection at the recent pace</title></line>\n"
        }
        // Progress: a line through the points, filled markers for exact figures, open ones otherwise.
        let observed = a.series.filter { $0.progress != nil }
        svg += "<polyline points=\"\(observed.map { "\(f(x($0.date))),\(f(y($0.progress!.double)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
        for point in observed {
            let qualifier = point.qualifier ?? .exact
            let fill = qualifier == .exact ? "#0969da" : "#ffffff"
            let label = "\(point.date): \(qualifier == .exact ? "" : qualifier.rawValue.replacingOccurrences(of: "_", with: " ") + " ")\(Display.amount(point.progress, unit: a.unit))"
            svg += "<circle cx=\"\(f(x(point.date)))\" cy=\"\(f(y(point.progress!.double)))\" r=\"4\" fill=\"\(fill)\" stroke=\"#0969da\" stroke-width=\"2\"><title>\(escape(label))</title></circle>\n"
        }
        return svg + "</svg>\n"
    }

    static func axisLabel(_ value: Double) -> String {
        Display.grouped(abs(value) >= 100 ? String(format: "%.0f", value) : NumberText.format((value * 100).rounded() / 100) ?? "")
    }

    /// Escapes text for HTML element content and attribute values; control characters (not
    /// allowed in HTML) and bidirectional overrides become U+FFFD, as in the text report.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in Display.terminalSafe(text).unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
