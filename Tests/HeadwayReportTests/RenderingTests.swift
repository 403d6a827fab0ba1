import Foundation
import HeadwayModel
@testable import HeadwayReport
import Testing

@Suite struct RenderingTests {
    static let hostile = "<script>alert(1)</script> \"quoted\" & 'single' | `tick` \u{1B}[31mred\u{07} =cmd"

    static func assessment() -> Assessment {
        var commitment = AssessorTests.commitment(baseline: "2024-01", target: .value(100), deadline: "2024-12")
        commitment.title = hostile
        commitment.key = "key-\(hostile)"
        return Assessor.assess(
            commitment, metric: AssessorTests.closures, figures: [AssessorTests.amount("2024-01", "2024-03", 30, .atLeast)],
            asOf: AssessorTests.date("2024-04-01"))
    }

    @Test func sameInputSameBytes() {
        let a = Self.assessment()
        let asOf = AssessorTests.date("2024-04-01")
        #expect(JSONReport.render([a], asOf: asOf) == JSONReport.render([Self.assessment()], asOf: asOf))
        #expect(HTMLReport.render([a], asOf: asOf) == HTMLReport.render([Self.assessment()], asOf: asOf))
    }

    @Test func jsonCarriesTheDesignFieldsAndParses() throws {
        let text = JSONReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["as_of"] as? String == "2024-04-01")
        let first = try #require((object["commitments"] as? [[String: Any]])?.first)
        for field in [
            "key", "title", "metric", "unit", "status", "baseline", "target", "deadline", "latest", "progress", "percent_complete",
            "percent_time_elapsed", "achieved_on", "days_early", "pace", "projection", "schedule_variance_days", "series",
        ] {
            #expect(first.keys.contains(field), "\(field)")
        }
        #expect(first["title"] as? String == Self.hostile)
        #expect((first["projection"] as? [String: Any])?["method"] as? String == "linear_recent_pace")
    }

    /// JSON written as it goes is byte for byte what the values would be written as, for nested
    /// containers, empty ones, nulls and strings that need escaping.
    @Test func jsonWrittenAsItGoesIsTheValuesText() {
        let awkward = ["", Self.hostile, "line\nbreak\ttab \\ back", "\u{2028}\u{2029} ü🙂 \u{7F}\u{01}", "2024-01-01..2024-03-31#2"]
        var json = CompactJSONWriter()
        var elements: [JSONValue] = []
        json.beginArray()
        for (index, text) in awkward.enumerated() {
            json.beginObject()
            json.key(text: text)
            json.value(.string(text))
            json.key("n")
            json.value(.number(String(index)))
            json.key("dates")
            json.beginArray()
            json.value(CivilDate(daysSinceEpoch: index * 4_000 - 9_000))
            json.value(nil as CivilDate?)
            json.endArray()
            json.key("inner")
            json.beginObject()
            json.key("none")
            json.value(.null)
            json.endObject()
            json.key("empty")
            json.beginArray()
            json.endArray()
            json.key("list")
            json.beginArray()
            json.value(.bool(true))
            json.value(.decimal(Decimal(string: "-1.50")))
            json.endArray()
            json.endObject()
            elements.append(
                .object([
                    (text, .string(text)), ("n", .number(String(index))),
                    ("dates", .array([.string(CivilDate(daysSinceEpoch: index * 4_000 - 9_000).description), .null])), ("inner", .object([("none", .null)])), ("empty", .array([])),
                    ("list", .array([.bool(true), .decimal(Decimal(string: "-1.50"))])),
                ]))
        }
        json.endArray()
        #expect(json.text == JSONValue.array(elements).compactText)
        var empty = CompactJSONWriter()
        empty.beginObject()
        empty.endObject()
        #expect(empty.text == "{}")
    }

    @Test func htmlEscapesAndFetchesNothing() {
        let html = HTMLReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        #expect(html.contains("<svg"))
    }

    /// The byte-by-byte escape says what the plain definition says: every control, C1 control
    /// and bidirectional control as U+FFFD (as `Display.terminalSafe`), then & < > " ' as entities.
    @Test func htmlEscapeIsTerminalSafeThenEntities() {
        func plain(_ text: String) -> String {
            Display.terminalSafe(text).unicodeScalars.map { scalar in
                ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"][scalar] ?? String(scalar)
            }.joined()
        }
        let pieces = ["a", "&", "<", ">", "\"", "'", "\n", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}", "é", "≥", "–", "\u{202A}", "\u{202E}",
                      "\u{202F}", "\u{2066}", "\u{2069}", "\u{206A}", "\u{2029}", "😀", "\u{1B}[31m", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "\u{FF21}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(HTMLReport.escape(text) == plain(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// Whole numbers as printf's "%.0f" writes them: ties to even, "-0" for a small negative.
    @Test func wholeNumbersAsPrintfWritesThem() {
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -0.4, -0.5, -2.5, 99.5, 100.49999999999999, 0.49999999999999994, 1e15, -3e16, 123456.5]
        var generator = SystemRandomNumberGenerator()
        values += (0..<5000).map { _ in Double.random(in: -200...200, using: &generator) }
        values += (0..<1000).map { _ in Double(Int.random(in: -400...400, using: &generator)) / 2 }
        for value in values { #expect(Display.whole(value) == String(format: "%.0f", value), "\(value)") }
        #expect(Display.percent(-0.3) == "-0%" && Display.probability(0.125) == "12%" && Display.probability(0.135) == "14%")
    }

    @Test func thousandsAreGroupedInTheWholePartOnly() {
        let cases = ["0": "0", "-5": "-5", "999": "999", "1000": "1,000", "-1000": "-1,000", "1234567.891": "1,234,567.891",
                     "-123456.5": "-123,456.5", "12345678901234567890": "12,345,678,901,234,567,890", "1000.0001": "1,000.0001", "-0.5": "-0.5"]
        for (text, expected) in cases { #expect(Display.grouped(text) == expected, "\(text)") }
    }

    @Test func textNeutralisesTerminalEscapes() {
        let text = TextReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("\u{FFFD}[31mred"))
    }

    @Test func csvQuotesAndDefusesFormulas() {
        let csv = CSVReport.render([Self.assessment()])
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("key,title,metric,unit,status,"))
        #expect(lines[1].contains("\"key-<script>alert(1)</script> \"\"quoted\"\""))
        #expect(CSVReport.render([]).hasPrefix("key,"))
    }

    @Test func markdownEscapesTableBreakers() {
        let markdown = MarkdownReport.render([Self.assessment()], asOf: AssessorTests.date("2024-04-01"))
        #expect(markdown.contains("\\|"))
        #expect(!markdown.contains("<script>"))
    }
}

/// What each column of the text, Markdown and HTML reports shows (README, "Reading a report").
@Suite struct ReportColumnTests {
    static let woodland = Metric(key: "woodland", name: "Woodland created", unit: "hectares", kind: .level)
    static let asOf = AssessorTests.date("2024-04-05")

    /// Tree planting as a level: 13,460 ha at the baseline, 30,000 ha by March 2025.
    static func woodlandPledge(asOf: CivilDate = asOf) -> Assessment {
        let pledge = AssessorTests.commitment(
            baseline: "2019-04-01", target: .value(30000), deadline: "2025-03-31", baselineValue: 13460, metric: woodland)
        let figures = [
            AssessorTests.level("2020-03-31", 14200), AssessorTests.level("2022-03-31", 17650), AssessorTests.level("2024-03-31", 20980),
        ]
        return Assessor.assess(pledge, metric: woodland, figures: figures, asOf: asOf)
    }

    /// The seed's pledge: over 2,500 closures by March 2024 against over 2,000 by April 2025.
    static func achievedPledge(asOf: String) -> Assessment {
        Assessor.assess(
            AssessorTests.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: AssessorTests.closures,
            figures: [AssessorTests.amount("2022-04", "2024-03", 2500, .atLeast, published: "2024-04-05")], asOf: AssessorTests.date(asOf))
    }

    static func allFormats(_ a: Assessment) -> [String] {
        [
            TextReport.render([a], asOf: a.asOf), MarkdownReport.render([a], asOf: a.asOf), HTMLReport.render([a], asOf: a.asOf),
        ]
    }

    /// The row of the text report's table for the only commitment, cut into its columns.
    static func textRow(_ a: Assessment) throws -> [String: String] {
        let lines = TextReport.render([a], asOf: a.asOf).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("COMMITMENT") })
        let row = try #require(lines.first { $0.hasPrefix(a.key + " ") })
        let names = ["STATUS", "LATEST", "TARGET", "DEADLINE", "DONE", "TIME", "PACE", "NEEDED", "COMPLETION", "VS PLAN", "CHANCE", "TREND"]
        var starts = try names.map { try #require(header.range(of: $0)).lowerBound.utf16Offset(in: header) }
        starts.append(Int.max)
        let characters = Array(row.utf16)
        var cells: [String: String] = [:]
        for (index, name) in names.enumerated() {
            let from = min(starts[index], characters.count), to = min(starts[index + 1], characters.count)
            cells[name] = String(decoding: characters[from..<to], as: UTF16.self).trimmingCharacters(in: .whitespaces)
        }
        return cells
    }

    @Test func levelsReadAsLevelsWithTheChangeBeside() throws {
        let a = Self.woodlandPledge()
        for report in Self.allFormats(a) {
            #expect(report.contains("20,980 hectares (+7,520)"))
            #expect(report.contains("≥ 30,000 hectares (+16,540)"))
            #expect(!report.contains("≥ 16,540") && !report.contains(" 7,520 hectares"))
        }
        let row = try Self.textRow(a)
        #expect(row["LATEST"] == "20,980 hectares (+7,520)")
        #expect(row["TARGET"] == "≥ 30,000 hectares (+16,540)")
        let markdown = MarkdownReport.render([a], asOf: Self.asOf)
        #expect(markdown.contains("- Latest: 20,980 hectares at 2024-03-31: +7,520 hectares since the baseline level of 13,460 hectares"))
        #expect(markdown.contains("target ≥ 30,000 hectares by 2025-03-31: a change of +16,540 hectares"))
        // The chart plots levels: its axis reaches the target level (changes would stop at 20,000), every figure is a level.
        let html = HTMLReport.render([a], asOf: Self.asOf)
        #expect(html.contains(">30,000</text>"))
        #expect(html.contains("<title>2024-03-31: 20,980 hectares</title>"))
        #expect(html.contains("<title>2020-03-31: 14,200 hectares</title>"))
        #expect(html.contains("class=\"tick-y\"") && html.firstMatch(of: #/class="tick-y"[^>]*>-/#) == nil)
    }

    /// "Halve inflation": a level that must fall, read as the rate, not as its change.
    @Test func aFallingLevelReadsAsTheLevel() throws {
        let cpi = Metric(key: "cpi", name: "CPI 12-month rate", unit: "percent", kind: .level)
        let pledge = AssessorTests.commitment(
            baseline: "2022-12", target: .value(5.25), deadline: "2023-12", baselineValue: 10.5, comparison: .atMost, metric: cpi)
        let a = Assessor.assess(
            pledge, metric: cpi, figures: [AssessorTests.level("2023-03", 10.1), AssessorTests.level("2023-05", 8.7)],
            asOf: AssessorTests.date("2023-06-30"))
        let row = try Self.textRow(a)
        #expect(row["LATEST"] == "8.7 percent (-1.8)")
        #expect(row["TARGET"] == "≤ 5.25 percent (-5.25)")
        #expect(row["NEEDED"]?.hasPrefix("-") == true)
        // Charted as the rate: its axis labels are rates (the changes would be negative).
        let svg = HTMLReport.chart(a, .wide).text
        #expect(svg.contains("<title>2023-05-31: 8.7 percent</title>"))
        let labels = svg.matches(of: #/class="tick-y"[^>]*>(-?[0-9][0-9.,]*)</text>/#).map { Double($0.output.1.replacingOccurrences(of: ",", with: ""))! }
        #expect(labels.count >= 3 && labels.allSatisfy { $0 >= 0 } && labels.contains { $0 >= 10.5 }, "\(labels)")
    }

    @Test func neededOnlyBeforeTheDeadlineAndWhileTheTargetIsUnmet() throws {
        // Achieved: nothing is needed (not the -39.0/mo of "2,000 less 2,500").
        #expect(try Self.textRow(Self.achievedPledge(asOf: "2024-04-05"))["NEEDED"] == "–")
        #expect(try Self.textRow(Self.achievedPledge(asOf: "2025-06-01"))["NEEDED"] == "–")
        // "About 2,010" of 2,000 does not prove the target met, but nothing more is needed.
        let about = Assessor.assess(
            AssessorTests.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: AssessorTests.closures,
            figures: [AssessorTests.amount("2022-04", "2024-03", 2010, .about)], asOf: AssessorTests.date("2024-04-05"))
        #expect(about.achievedOn == nil)
        #expect(try Self.textRow(about)["NEEDED"] == "0.0/mo")
        // Short of the target before the deadline: the pace from now, 1,000 in 12 months.
        let short = Assessor.assess(
            AssessorTests.commitment(baseline: "2024-01", target: .value(2000), deadline: "2025-03"), metric: AssessorTests.closures,
            figures: [AssessorTests.amount("2024-01", "2024-03", 1000)], asOf: AssessorTests.date("2024-03-31"))
        #expect(try Self.textRow(short)["NEEDED"] == "83.4/mo")
        // After the deadline there is no pace left to keep.
        var late = short
        late.asOf = AssessorTests.date("2025-06-01")
        #expect(try Self.textRow(late)["NEEDED"] == "–")
    }

    @Test func completionIsTheAchievementDateInEveryFormatBeforeAndAfterTheDeadline() throws {
        for asOf in ["2024-04-05", "2025-06-01"] {
            let a = Self.achievedPledge(asOf: asOf)
            #expect(try Self.textRow(a)["COMPLETION"] == "2024-03-31")
            #expect(MarkdownReport.render([a], asOf: a.asOf).contains("| 2024-03-31 | 677 days ahead |"))
            #expect(HTMLReport.render([a], asOf: a.asOf).contains("data-label=\"Completion\">2024-03-31</td>"))
        }
    }

    @Test func scheduleVarianceSaysWhichWay() {
        var a = Self.achievedPledge(asOf: "2024-04-05")
        let cases: [(Int?, String)] = [(6, "6 days ahead"), (-830, "830 days behind"), (0, "on plan"), (-1, "1 day behind"), (nil, "–")]
        for (days, words) in cases {
            a.scheduleVarianceDays = days
            #expect(Display.scheduleVariance(a) == words)
        }
    }

    @Test func timeElapsedIsBlankBeforeTheBaselineAndAtMostAllOfIt() throws {
        let before = Assessor.assess(
            AssessorTests.commitment(baseline: "2024-06", target: .value(100), deadline: "2024-12"), metric: AssessorTests.closures,
            figures: [], asOf: AssessorTests.date("2024-04-01"))
        #expect(before.percentTimeElapsed < 0)
        #expect(try Self.textRow(before)["TIME"] == "–")
        #expect(try Self.textRow(Self.achievedPledge(asOf: "2026-01-01"))["TIME"] == "100%")
        #expect(try Self.textRow(Self.woodlandPledge())["TIME"] == "84%")
    }

    @Test func probabilityInWords() {
        let cases: [(Double, String)] = [
            (0.001, "less than a 1 in 20 chance"), (0.049, "less than a 1 in 20 chance"), (0.05, "about a 1 in 20 chance"),
            (0.11, "about a 1 in 10 chance"), (0.2, "about a 1 in 5 chance"), (0.35, "about a 1 in 3 chance"),
            (0.45, "about an even chance"), (0.5, "about an even chance"), (0.7, "about a 2 in 3 chance"), (0.76, "about a 3 in 4 chance"),
            (0.9, "about a 9 in 10 chance"), (0.95, "about a 19 in 20 chance"), (0.97, "better than a 19 in 20 chance"),
        ]
        for (probability, words) in cases {
            #expect(Display.chance(probability) == words + " of meeting the target", "\(probability)")
        }
        #expect(Display.chance(0.995) == "almost certain to meet the target")
        #expect(Display.chance(1) == "almost certain to meet the target")
        #expect([0, 0.004, 0.35, 0.996, 1].map(Display.probability) == ["0%", "<1%", "35%", ">99%", "100%"])
        #expect(Display.probability(nil) == "–")
    }

    /// on_track, at_risk and off_track are bands of the chance: the words say the chance once.
    @Test func aForecastStatusSaysItsChanceOnce() {
        var a = Self.achievedPledge(asOf: "2024-04-05")
        a.status = .onTrack
        a.achievedOn = nil
        a.daysEarly = nil
        a.probabilityMet = 0.7
        #expect(Display.notes(a) == ["on_track: about a 2 in 3 chance of meeting the target"])
        for report in [TextReport.render([a], asOf: a.asOf), MarkdownReport.render([a], asOf: a.asOf)] {
            #expect(!report.contains("at least an even chance"))
            #expect(report.lowercased().contains("about a 2 in 3 chance of meeting the target"))
        }
    }

    /// A report with nothing to report says so, rather than print a bare header.
    @Test func anEmptyReportSaysWhy() {
        let date = AssessorTests.date("2024-04-05")
        let text = TextReport.render([], asOf: date)
        #expect(text.contains("No commitments to report: the database holds none yet."))
        #expect(!text.contains("COMMITMENT"))
        #expect(MarkdownReport.render([], asOf: date).contains("No commitments to report"))
        #expect(HTMLReport.render([], asOf: date).contains("No commitments to report"))
        // Leaving out commitments made later is said instead.
        #expect(!TextReport.render([], asOf: date, leftOut: 2).contains("No commitments to report"))
    }

    @Test func probabilityAwaitingDataAndReasonInEveryFormat() throws {
        var a = Self.achievedPledge(asOf: "2024-04-05")
        a.status = .awaitingData
        a.achievedOn = nil
        a.daysEarly = nil
        a.probabilityMet = 0.35
        a.reason = "no level known at or before 2019-04-01: give baseline.value"
        for report in Self.allFormats(a) {
            #expect(report.contains("35%"))
            #expect(report.lowercased().contains("about a 1 in 3 chance of meeting the target"))
            #expect(report.contains("deadline passed, no figure to the deadline yet"))
            #expect(report.contains("no level known at or before 2019-04-01: give baseline.value"))
        }
        #expect(try Self.textRow(a)["STATUS"] == "awaiting_data")
        #expect(try Self.textRow(a)["CHANCE"] == "35%")
        #expect(MarkdownReport.render([a], asOf: a.asOf).contains("| `awaiting_data` |"))
        // Its own mark besides its colour, in the summary and the section.
        let html = HTMLReport.render([a], asOf: a.asOf)
        let mark = "<span class=\"status awaiting_data\" title=\"deadline passed, no figure to the deadline yet\"><span aria-hidden=\"true\">◔</span> awaiting data</span>"
        #expect(html.components(separatedBy: mark).count == 3)
        #expect(html.contains("<p class=\"chance\">About a 1 in 3 chance of meeting the target (35%).</p>"))
        // A band of the chance is not said beside the chance itself.
        var risky = a
        risky.status = .atRisk
        let verdict = HTMLReport.verdict(risky).text
        // (the band's meaning stays only in the mark's tooltip)
        #expect(verdict.contains("About a 1 in 3 chance") && verdict.components(separatedBy: "between a 1 in 20 and an even chance").count == 2)
        #expect(html.contains("aria-label=\"A pledge: progress against plan; about a 1 in 3 chance of meeting the target\""))
        #expect(html.contains("<p class=\"reason\">Why: no level known at or before 2019-04-01: give baseline.value</p>"))
        // An unknown probability is blank, and no words are made up for it.
        a.probabilityMet = nil
        #expect(try Self.textRow(a)["CHANCE"] == "–")
        for report in Self.allFormats(a) { #expect(!report.contains("chance of meeting")) }
    }

    @Test func theChartFansTheRangeFromTheLatestFigureToTheDeadline() throws {
        var a = Self.woodlandPledge()
        a.projection.valueAtDeadline = 22_500
        a.projection.valueAtDeadlineLow = 21_000
        a.projection.valueAtDeadlineHigh = 24_000
        let svg = HTMLReport.chart(a, .wide).text
        func coordinates(_ text: Substring) -> [(Double, Double)] {
            text.split(separator: " ").map { pair in
                let parts = pair.split(separator: ",").compactMap { Double($0) }
                return (parts[0], parts[1])
            }
        }
        let polygon = try #require(svg.firstMatch(of: #/<polygon points="([^"]+)"/#)).output.1
        let fan = coordinates(polygon)
        let lastFigure = try #require(svg.matches(of: #/<circle cx="([0-9.]+)" cy="([0-9.]+)"/#).last).output
        let deadline = try #require(svg.firstMatch(of: #/<line x1="([0-9.]+)" y1="[0-9.]+" x2="\1"/#)).output.1
        #expect(fan.count == 3)
        #expect(fan[0] == (Double(lastFigure.1)!, Double(lastFigure.2)!))  // the apex: the latest figure
        #expect(fan[1].0 == Double(deadline)! && fan[2].0 == Double(deadline)!)
        #expect(fan[1].1 < fan[2].1)  // high above low
        #expect(svg.contains("<title>90% range at the deadline: 21,000…24,000 hectares</title>"))
    }

    @Test func chartsAndSeriesHoldOnlyPublishedFigures() throws {
        // No data: the plan from the baseline itself, no figure anywhere.
        let empty = Assessor.assess(
            AssessorTests.commitment(baseline: "2022-04", target: .value(2000), deadline: "2025-04"), metric: AssessorTests.closures,
            figures: [], asOf: AssessorTests.date("2024-04-05"))
        #expect(empty.series.first?.date == AssessorTests.date("2022-04-01"))
        #expect(empty.series.allSatisfy { $0.progress == nil })
        #expect(!HTMLReport.render([empty], asOf: empty.asOf).contains("<circle"))
        // With a figure: the plan's origin on the baseline carries no progress; the figure does.
        let one = Self.achievedPledge(asOf: "2024-04-05")
        #expect(one.series.map(\.date) == [AssessorTests.date("2022-04-01"), AssessorTests.date("2024-03-31"), AssessorTests.date("2025-04-30")])
        #expect(one.series.map(\.progress) == [nil, 2500, nil])
        #expect(one.series.first?.trajectory == 0)
        #expect(HTMLReport.chart(one, .wide).text.components(separatedBy: "<circle").count == 2)
        // Levels: the series starts at the baseline date too.
        let level = Self.woodlandPledge()
        #expect(level.series.first?.date == AssessorTests.date("2019-04-01") && level.series.first?.progress == nil)
        #expect(level.series.compactMap(\.progress) == [740, 4190, 7520])
    }

    @Test func anchorsAreOnePerKey() {
        let keys = ["a.b", "a-b", "a_b", "A-b", "a b", "a/b", "a-2e-b", "a_2e_b", "é", "e\u{301}", "", "-"]
        let anchors = keys.map(MarkdownReport.anchor)
        #expect(Set(anchors).count == keys.count)
        #expect(MarkdownReport.anchor("drugs-strategy-2000-closures") == "c-drugs-strategy-2000-closures")
        for anchor in anchors { #expect(anchor.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) }
    }
}
