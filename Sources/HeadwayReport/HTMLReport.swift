import Foundation
import HeadwayModel

/// A self-contained HTML page (no network fetches) with an inline SVG chart per commitment:
/// the published figures (open markers for "over"/"about"), the planned trajectory, the
/// projection and its range as a fan from the latest figure to the deadline, the target and the
/// deadline, all in the metric's own terms (levels for a level). Every text value is escaped by
/// the `HTML` it is interpolated into: nothing here escapes by hand.
/// On a narrow screen the summary stacks and each chart is drawn for the width (README); the
/// chart itself is in HTMLReport+Chart.swift.
public enum HTMLReport {
    public static func render(_ assessments: [Assessment], asOf: CivilDate, leftOut: Int = 0) -> String {
        var html: HTML = """
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
            \(Display.leftOut(leftOut, asOf: asOf).map { words -> HTML in "<p class=\"left-out\">\(words)</p>" })\
            \(Display.nothingToReport(assessments.count, leftOut: leftOut).map { words -> HTML in "<p class=\"left-out\">\(words)</p>" })
            <table class="summary">
            <tr class="head"><th>Commitment</th><th>Status</th><th>Latest</th><th>Target</th><th>Deadline</th><th>Done</th><th>Chance</th><th>Completion</th></tr>

            """
        for a in assessments {
            html += "<tr><td><a href=\"#\(MarkdownReport.anchor(a.key))\">\(a.title)</a></td>"
            html += "<td data-label=\"Status\">\(status(a.status))</td>"
            html += "<td class=\"n\" data-label=\"Latest\">\(Display.latest(a))</td>"
            html += "<td class=\"n\" data-label=\"Target\">\(Display.target(a))</td>"
            html += "<td class=\"d\" data-label=\"Deadline\">\(a.deadline)</td><td class=\"n\" data-label=\"Done\">\(Display.percent(a.percentComplete))</td>"
            html += "<td class=\"n\" data-label=\"Chance\">\(Display.probability(a.probabilityMet))</td>"
            html += "<td data-label=\"Completion\">\(completion(a))</td></tr>\n"
        }
        html += "</table>\n"
        for a in assessments {
            html += "<section id=\"\(MarkdownReport.anchor(a.key))\">\n<h2>\(a.title)</h2>\n"
            html += verdict(a)
            html += "<figure>\n\(chart(a, .wide))\(chart(a, .narrow))"
            html += "<figcaption class=\"legend\">\(legend)</figcaption>\n</figure>\n"
            html += facts(a) + "</section>\n"
        }
        return (html + "</body>\n</html>\n").text
    }

    /// The status with its meaning, the chance in words and the reason: a commitment's verdict
    /// in a few sentences, as the report's sections and the dashboard's commitment page open.
    public static func verdict(_ a: Assessment) -> HTML {
        // For on_track, at_risk and off_track the status is a band of the chance: the chance
        // alone says it, once (Display.statusAndChance).
        let banded = [.onTrack, .atRisk, .offTrack].contains(a.status) && Display.chanceInWords(a) != nil
        var html: HTML = "<p>\(status(a.status))\(banded ? "" : " " + Display.statusInWords(a))</p>\n"
        if let words = Display.chanceInWords(a) {
            html += "<p class=\"chance\">\(words.prefix(1).uppercased() + words.dropFirst()) (\(Display.probability(a.probabilityMet))).</p>\n"
        }
        if let reason = a.reason { html += "<p class=\"reason\">Why: \(reason)</p>\n" }
        return html
    }

    /// What a chart's lines and markers mean, each in its own colour and also in words. Classes
    /// rather than style attributes, so a page whose Content-Security-Policy forbids inline
    /// styles shows it too.
    public static let legend: HTML =
        "<span class=\"l-figure\">● published figure (○ over, under or about)</span><span>— plan</span>"
        + "<span class=\"l-figure\">- - projection at the recent pace; shaded: its range</span><span class=\"l-target\">··· target</span>"
        + "<span>| deadline, ¦ as-of date</span>"

    /// The commitment's numbers as a definition list: key, metric, baseline, target, latest,
    /// done, time elapsed, paces, completion, schedule variance, chance and reason.
    public static func facts(_ a: Assessment) -> HTML {
        var html: HTML = "<dl>\n"
        let facts: [(String, String?)] = [
            ("Key", a.key), ("Metric", "\(a.metric) (\(a.unit))"),
            ("Baseline", a.baselineDate.description + (a.kind == .level ? ", level \(Display.amount(a.baselineValue, unit: a.unit))" : "")),
            ("Target", Display.targetInWords(a)), ("Latest", Display.latestInWords(a)),
            ("Done", Display.percent(a.percentComplete)), ("Time elapsed", Display.timeElapsed(a)),
            ("Recent pace", Display.perMonth(a.pace.recentPerDay)), ("Needed from now", Display.needed(a)),
            ("Completion", Display.completion(a)), ("Schedule", Display.scheduleVariance(a)),
            ("Chance of meeting the target", Display.probability(a.probabilityMet)), ("Why", a.reason),
        ]
        for case let (term, value?) in facts { html += "<dt>\(term)</dt><dd>\(value)</dd>\n" }
        return html + "</dl>\n"
    }

    /// The completion date, its range kept whole (not broken at a date's hyphens).
    public static func completion(_ a: Assessment) -> HTML {
        let text = Display.completion(a)
        guard let open = text.firstIndex(of: "(") else { return "\(text)" }
        return "\(String(text[..<open]))<span class=\"range\">\(String(text[open...]))</span>"
    }

    /// A status in words with a mark of its own, so it does not rest on colour alone.
    public static func status(_ status: Assessment.Status) -> HTML {
        statusMarks[status] ?? .empty
    }

    /// Each status's mark, made once (a page of 1000 rows shows 1000).
    private static let statusMarks = Dictionary(uniqueKeysWithValues: Assessment.Status.allCases.map { status in
        let (mark, words) = (Display.mark(status), Display.words(status))
        return (status, "<span class=\"status \(status.rawValue)\" title=\"\(Display.meaning(status))\"><span aria-hidden=\"true\">\(mark)</span> \(words)</span>" as HTML)
    })

    /// A number as a reader writes it: whole above 100, else to two decimals.
    public static func number(_ value: Double) -> String {
        Display.grouped(abs(value) >= 100 ? String(format: "%.0f", value) : NumberText.format((value * 100).rounded() / 100) ?? "")
    }

    /// Escapes text for HTML element content and attribute values; control characters (not
    /// allowed in HTML) and bidirectional overrides become U+FFFD, as in the text report.
    public static func escape(_ text: String) -> String {
        // Most text needs nothing: one pass over its bytes says so. A C1 control starts with
        // 0xC2, a bidirectional control with 0xE2, the noncharacters U+FFFE and U+FFFF (which
        // XML forbids: a feed or an SVG holding one is not well formed) with 0xEF; those bytes take the long way, which
        // looks at what follows them. (Bytes, not characters: a string searched per
        // character is slow on a long page.)
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF || ($0 < 0x40 && needsEntity[Int($0)]) }) else {
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
                : byte == 0xEF && index + 2 < bytes.count && bytes[index + 1] == 0xBF && (0xBE...0xBF).contains(bytes[index + 2]) ? 3
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
