import Foundation
import HeadwayModel

/// A self-contained HTML page (no network fetches) with an inline SVG chart per commitment:
/// the published figures (open markers for "over"/"about"), the planned trajectory, the
/// projection and its range as a fan from the latest figure to the deadline, the target and the
/// deadline, all in the metric's own terms (levels for a level). Every text value is escaped.
/// On a narrow screen the summary stacks and each chart is drawn for the width (README).
public enum HTMLReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate, leftOut: Int = 0) -> String {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Headway report as of \(asOf)</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem; color: #1b1f24; overflow-wrap: break-word; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
            th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
            th { white-space: nowrap; }
            td.n { text-align: right; } td.d { white-space: nowrap; }
            table.summary td:first-child, dd { overflow-wrap: anywhere; } .range { white-space: nowrap; display: block; }
            .legend { font-size: 0.8rem; color: #57606a; margin: 0.2rem 0 1rem; }
            .legend span { margin-right: 1rem; display: inline-block; }
            .l-figure { color: #0969da; } .l-target { color: #8250df; }
            .status { font-weight: 600; white-space: nowrap; }
            .achieved, .on_track { color: #1a7f37; } .achieved_late, .at_risk { color: #9a6700; }
            .missed, .off_track { color: #cf222e; } .not_started, .insufficient_data { color: #57606a; }
            .awaiting_data { color: #57606a; font-style: italic; }
            section { margin: 2rem 0; break-inside: avoid; }
            figure { margin: 0; }
            svg { width: 100%; height: auto; max-height: 22rem; }
            svg.narrow { display: none; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; }
            dt { color: #57606a; } dd { margin: 0; }
            @media (max-width: 40rem) {
              svg.wide { display: none; } svg.narrow { display: block; }
              dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: 0.3rem; }
            }
            @media (max-width: 60rem) {
              table.summary, table.summary tbody, table.summary tr { display: block; }
              table.summary tr.head { display: none; }
              table.summary tr { border-bottom: 1px solid #d0d7de; padding: 0.4rem 0; }
              table.summary td { display: inline-block; border: 0; padding: 0.1rem 1.2rem 0.1rem 0; text-align: left; white-space: normal; }
              table.summary td:first-child { display: block; }
              table.summary td[data-label]::before { content: attr(data-label) ": "; color: #57606a; font-weight: normal; font-style: normal; }
            }
            @media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
            </style>
            </head>
            <body>
            <h1>Headway report as of \(asOf)</h1>
            <p class="method">Methods version \(Assessment.methodVersion) (every formula is in Headway's docs/METHODS.md)</p>
            \(Display.leftOut(leftOut, asOf: asOf).map { "<p class=\"left-out\">\($0)</p>" } ?? "")\
            \(Display.nothingToReport(assessments.count, leftOut: leftOut).map { "<p class=\"left-out\">\(escape($0))</p>" } ?? "")
            <table class="summary">
            <tr class="head"><th>Commitment</th><th>Status</th><th>Latest</th><th>Target</th><th>Deadline</th><th>Done</th><th>Chance</th><th>Completion</th></tr>

            """
        for a in assessments {
            html += "<tr><td><a href=\"#\(escape(MarkdownReport.anchor(a.key)))\">\(escape(a.title))</a></td>"
            html += "<td data-label=\"Status\">\(status(a.status))</td>"
            html += "<td class=\"n\" data-label=\"Latest\">\(escape(Display.latest(a)))</td>"
            html += "<td class=\"n\" data-label=\"Target\">\(escape(Display.target(a)))</td>"
            html += "<td class=\"d\" data-label=\"Deadline\">\(a.deadline)</td><td class=\"n\" data-label=\"Done\">\(Display.percent(a.percentComplete))</td>"
            html += "<td class=\"n\" data-label=\"Chance\">\(escape(Display.probability(a.probabilityMet)))</td>"
            html += "<td data-label=\"Completion\">\(completion(a))</td></tr>\n"
        }
        html += "</table>\n"
        for a in assessments {
            html += "<section id=\"\(escape(MarkdownReport.anchor(a.key)))\">\n<h2>\(escape(a.title))</h2>\n"
            html += verdict(a)
            html += "<figure>\n" + chart(a, .wide) + chart(a, .narrow)
            html += "<figcaption class=\"legend\">\(legend)</figcaption>\n</figure>\n"
            html += facts(a) + "</section>\n"
        }
        return html + "</body>\n</html>\n"
    }

    /// The status with its meaning, the chance in words and the reason: a commitment's verdict
    /// in a few sentences, as the report's sections and the dashboard's commitment page open.
    public static func verdict(_ a: Assessment) -> String {
        // For on_track, at_risk and off_track the status is a band of the chance: the chance
        // alone says it, once (Display.statusAndChance).
        let banded = [.onTrack, .atRisk, .offTrack].contains(a.status) && Display.chanceInWords(a) != nil
        var html = "<p>\(status(a.status))\(banded ? "" : " " + escape(Display.statusInWords(a)))</p>\n"
        if let words = Display.chanceInWords(a) {
            html += "<p class=\"chance\">\(escape(words.prefix(1).uppercased() + words.dropFirst())) (\(Display.probability(a.probabilityMet))).</p>\n"
        }
        if let reason = a.reason { html += "<p class=\"reason\">Why: \(escape(reason))</p>\n" }
        return html
    }

    /// What a chart's lines and markers mean, each in its own colour and also in words. Classes
    /// rather than style attributes, so a page whose Content-Security-Policy forbids inline
    /// styles shows it too.
    public static let legend =
        "<span class=\"l-figure\">● published figure (○ over, under or about)</span><span>— plan</span>"
        + "<span class=\"l-figure\">- - projection at the recent pace; shaded: its range</span><span class=\"l-target\">··· target</span>"
        + "<span>| deadline, ¦ as-of date</span>"

    /// The commitment's numbers as a definition list: key, metric, baseline, target, latest,
    /// done, time elapsed, paces, completion, schedule variance, chance and reason.
    public static func facts(_ a: Assessment) -> String {
        var html = "<dl>\n"
        let facts: [(String, String?)] = [
            ("Key", a.key), ("Metric", "\(a.metric) (\(a.unit))"),
            ("Baseline", a.baselineDate.description + (a.kind == .level ? ", level \(Display.amount(a.baselineValue, unit: a.unit))" : "")),
            ("Target", Display.targetInWords(a)), ("Latest", Display.latestInWords(a)),
            ("Done", Display.percent(a.percentComplete)), ("Time elapsed", Display.timeElapsed(a)),
            ("Recent pace", Display.perMonth(a.pace.recentPerDay)), ("Needed from now", Display.needed(a)),
            ("Completion", Display.completion(a)), ("Schedule", Display.scheduleVariance(a)),
            ("Chance of meeting the target", Display.probability(a.probabilityMet)), ("Why", a.reason),
        ]
        for case let (term, value?) in facts { html += "<dt>\(escape(term))</dt><dd>\(escape(value))</dd>\n" }
        return html + "</dl>\n"
    }

    /// The completion date, its range kept whole (not broken at a date's hyphens).
    public static func completion(_ a: Assessment) -> String {
        let text = Display.completion(a)
        guard let open = text.firstIndex(of: "(") else { return escape(text) }
        return escape(String(text[..<open])) + "<span class=\"range\">" + escape(String(text[open...])) + "</span>"
    }

    /// A status in words with a mark of its own, so it does not rest on colour alone.
    public static func status(_ status: Assessment.Status) -> String {
        statusMarks[status] ?? ""
    }

    /// Each status's mark, made once (a page of 1000 rows shows 1000).
    private static let statusMarks = Dictionary(uniqueKeysWithValues: Assessment.Status.allCases.map { status in
        let mark = switch status {
        case .achieved, .achievedLate: "✓"
        case .missed: "✗"
        case .awaitingData: "◔"
        case .onTrack: "●"
        case .atRisk: "▲"
        case .offTrack: "▼"
        case .notStarted: "○"
        case .insufficientData: "?"
        }
        let words = status.rawValue.replacingOccurrences(of: "_", with: " ")
        return (status, "<span class=\"status \(status.rawValue)\" title=\"\(escape(Display.meaning(status)))\"><span aria-hidden=\"true\">\(mark)</span> \(words)</span>")
    })

    /// A chart's geometry: one for wide screens, one drawn for a phone's width (text stays
    /// at least 11 CSS pixels high wherever each is shown).
    public struct Layout: Sendable {
        let name: String
        let width, height, left, right, top, bottom, fontSize: Double
        public static let wide = Layout(name: "wide", width: 640, height: 260, left: 60, right: 16, top: 12, bottom: 28, fontSize: 12)
        public static let narrow = Layout(name: "narrow", width: 360, height: 300, left: 52, right: 10, top: 12, bottom: 30, fontSize: 13)
    }

    /// The chart in the metric's own terms: x is time from the baseline to the later of the
    /// deadline and the last point; y is the amount since the baseline, or the level.
    public static func chart(_ a: Assessment, _ layout: Layout) -> String {
        let (width, height, left, right, top, bottom) = (layout.width, layout.height, layout.left, layout.right, layout.top, layout.bottom)
        let font = "font-size=\"\(Int(layout.fontSize))\""
        let start = a.series.first?.date ?? a.baselineDate
        var end = max(a.deadline, a.series.last?.date ?? a.deadline)
        if let completion = a.projection.completionDateHigh ?? a.projection.completionDate { end = max(end, min(completion, a.deadline.adding(days: 366))) }
        // Progress is a change since the baseline: the baseline level (0 for amounts) makes it the figure.
        let base = a.baselineValue?.double ?? 0
        let plan = a.baselineValue == nil ? [] : a.series.map { (date: $0.date, value: $0.trajectory + base) }
        let observed = a.series.compactMap { point in point.progress.map { (point: point, figure: $0 + (a.baselineValue ?? 0)) } }
        let projection = [a.projection.valueAtDeadlineLow, a.projection.valueAtDeadlineHigh, a.projection.valueAtDeadline].compactMap { $0 }
        let values = plan.map(\.value) + observed.map(\.figure.double) + projection + [a.targetValue.double, base]
        let low = values.min() ?? 0, high = max(values.max() ?? 1, (values.min() ?? 0) + 1)
        let span = Double(max(1, start.days(until: end)))
        func x(_ date: CivilDate) -> Double { left + (width - left - right) * Double(start.days(until: date)) / span }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - (value - low) / (high - low)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        func point(_ date: CivilDate, _ value: Double) -> String { "\(f(x(date))),\(f(y(value)))" }

        let label = "\(a.title): progress against plan" + (Display.chanceInWords(a).map { "; \($0)" } ?? "")
        var svg = "<svg class=\"\(layout.name)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(label))\">\n"
        let target = y(a.targetValue.double)
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(target))\" x2=\"\(f(width - right))\" y2=\"\(f(target))\" stroke=\"#8250df\" stroke-dasharray=\"2 3\"/>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(target - 3))\" \(font) fill=\"#8250df\">\(escape(fitted("target \(Display.target(a))", layout)))</text>\n"
        svg += "<line x1=\"\(f(x(a.deadline)))\" y1=\"\(f(top))\" x2=\"\(f(x(a.deadline)))\" y2=\"\(f(height - bottom))\" stroke=\"#57606a\" stroke-dasharray=\"4 3\"/>\n"
        svg += "<text x=\"\(f(x(a.deadline) - 4))\" y=\"\(f(height - bottom - 4))\" \(font) text-anchor=\"end\" fill=\"#57606a\">deadline \(a.deadline)</text>\n"
        // The as-of date ("today" unless the report looks back), where it falls inside the chart.
        if a.asOf > start && a.asOf < end && a.asOf != a.deadline {
            svg += "<line x1=\"\(f(x(a.asOf)))\" y1=\"\(f(top))\" x2=\"\(f(x(a.asOf)))\" y2=\"\(f(height - bottom))\" stroke=\"#57606a\" stroke-dasharray=\"1 3\">"
            svg += "<title>as of \(a.asOf)</title></line>\n"
        }
        // Axes and labels.
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"#8c959f\"/>\n"
        svg += "<text x=\"\(f(left))\" y=\"\(f(height - 8))\" \(font) fill=\"#57606a\">\(start)</text>\n"
        svg += "<text x=\"\(f(width - right))\" y=\"\(f(height - 8))\" \(font) text-anchor=\"end\" fill=\"#57606a\">\(end)</text>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(high) + 10))\" \(font) text-anchor=\"end\" fill=\"#57606a\">\(escape(axisLabel(high)))</text>\n"
        svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(low)))\" \(font) text-anchor=\"end\" fill=\"#57606a\">\(escape(axisLabel(low)))</text>\n"
        if !plan.isEmpty {
            svg += "<polyline points=\"\(plan.map { point($0.date, $0.value) }.joined(separator: " "))\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1.5\"><title>planned trajectory</title></polyline>\n"
        }
        // The projection from the latest figure to the deadline, its range a fan with its apex there.
        if let latest = a.latest, let central = a.projection.valueAtDeadline, a.deadline > latest.date {
            let apex = point(latest.date, latest.value.double)
            if let lowValue = a.projection.valueAtDeadlineLow, let highValue = a.projection.valueAtDeadlineHigh, lowValue != highValue {
                svg += "<polygon points=\"\(apex) \(point(a.deadline, highValue)) \(point(a.deadline, lowValue))\" fill=\"#0969da\" fill-opacity=\"0.15\">"
                svg += "<title>90% range at the deadline: \(number(lowValue))…\(number(highValue)) \(escape(a.unit))</title></polygon>\n"
            }
            svg += "<polyline points=\"\(apex) \(point(a.deadline, central))\" fill=\"none\" stroke=\"#0969da\" stroke-dasharray=\"6 4\"><title>projection at the recent pace</title></polyline>\n"
        }
        // Published figures only: a line through them, filled markers for exact figures, open ones otherwise.
        if !observed.isEmpty {
            svg += "<polyline points=\"\(observed.map { point($0.point.date, $0.figure.double) }.joined(separator: " "))\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n"
        }
        for (published, figure) in observed {
            let qualifier = published.qualifier ?? .exact
            let fill = qualifier == .exact ? "#0969da" : "#ffffff"
            let words = qualifier == .exact ? "" : qualifier.rawValue.replacingOccurrences(of: "_", with: " ") + " "
            svg += "<circle cx=\"\(f(x(published.date)))\" cy=\"\(f(y(figure.double)))\" r=\"4\" fill=\"\(fill)\" stroke=\"#0969da\" stroke-width=\"2\">"
            svg += "<title>\(escape("\(published.date): \(words)\(Display.amount(figure, unit: a.unit))"))</title></circle>\n"
        }
        return svg + "</svg>\n"
    }

    /// Chart text cut to what fits across the plot (a long unit would run off it), with an ellipsis.
    static func fitted(_ text: String, _ layout: Layout) -> String {
        // About 0.62 em per character in the sans-serif fonts charts are drawn in.
        let fits = Int((layout.width - layout.left - layout.right) / (layout.fontSize * 0.62))
        return text.count <= fits ? text : String(text.prefix(fits - 1)) + "…"
    }

    /// A number as a reader writes it: whole above 100, else to two decimals.
    public static func number(_ value: Double) -> String {
        Display.grouped(abs(value) >= 100 ? String(format: "%.0f", value) : NumberText.format((value * 100).rounded() / 100) ?? "")
    }

    /// An axis label short enough for a phone's chart: millions and billions abbreviated.
    static func axisLabel(_ value: Double) -> String {
        for (scale, suffix) in [(1e9, "bn"), (1e6, "m")] where abs(value) >= scale {
            return number((value / scale * 10).rounded() / 10) + suffix
        }
        return number(value)
    }

    /// Escapes text for HTML element content and attribute values; control characters (not
    /// allowed in HTML) and bidirectional overrides become U+FFFD, as in the text report.
    public static func escape(_ text: String) -> String {
        // Most text needs nothing: one pass over its bytes says so. A C1 control starts with
        // 0xC2, a bidirectional control with 0xE2; those bytes take the long way, which
        // looks at what follows them. (Bytes, not characters: a string searched per
        // character is slow on a long page.)
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 || ($0 < 0x40 && needsEntity[Int($0)]) }) else {
            return text
        }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            // What Display.terminalSafe replaces (controls, C1 controls, bidirectional controls) becomes U+FFFD.
            let control = byte < 0x20 || byte == 0x7F ? 1
                : byte == 0xC2 && index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]) ? 2
                : byte == 0xE2 && index + 2 < bytes.count
                    && ((bytes[index + 1] == 0x80 && (0xAA...0xAE).contains(bytes[index + 2])) || (bytes[index + 1] == 0x81 && (0xA6...0xA9).contains(bytes[index + 2]))) ? 3
                : 0
            if control > 0 {
                result += [0xEF, 0xBF, 0xBD]
                index += control
                continue
            }
            switch byte {
            case UInt8(ascii: "&"): result += "&amp;".utf8
            case UInt8(ascii: "<"): result += "&lt;".utf8
            case UInt8(ascii: ">"): result += "&gt;".utf8
            case UInt8(ascii: "\""): result += "&quot;".utf8
            case UInt8(ascii: "'"): result += "&#39;".utf8
            default: result.append(byte)
            }
            index += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The ASCII bytes below "@" that HTML needs as entities: & < > " '.
    private static let needsEntity: [Bool] = (0..<0x40).map { "&<>\"'".utf8.contains(UInt8($0)) }
}
