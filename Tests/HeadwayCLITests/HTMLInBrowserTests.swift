import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Testing

/// The HTML report laid out by a real browser (headless Chromium) at a desktop's and a phone's
/// width: nothing wider than the page (no sideways scrolling, no chart text cut off) and no text
/// under 11 CSS pixels, charts included. Screenshots at both widths are kept in
/// $HEADWAY_SCREENSHOTS when it is set, to look at.
@Suite struct HTMLInBrowserTests {
    /// Commitments that stress the layout: long titles and keys, a level, each kind of status.
    static func assessments() -> [Assessment] {
        func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }
        func start(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).first }
        let closures = Metric(key: "county-lines-closures", name: "County lines closed", unit: "lines", kind: .additive)
        let woodland = Metric(key: "woodland-area", name: "Woodland", unit: "hectares", kind: .level)
        let closed = [
            ObservedFigure(periodStart: start("2022-04"), periodEnd: date("2023-03"), value: 1200, qualifier: .exact, publishedOn: date("2023-04")),
            ObservedFigure(periodStart: start("2023-04"), periodEnd: date("2023-09"), value: 700, qualifier: .about, publishedOn: date("2023-10")),
            ObservedFigure(periodStart: start("2023-10"), periodEnd: date("2024-03"), value: 600, qualifier: .atLeast, publishedOn: date("2024-04")),
        ]
        let woods = [("2020-03", 14_200), ("2022-03", 17_650), ("2024-03", 20_980)].map {
            ObservedFigure(periodStart: nil, periodEnd: date($0.0), value: Decimal($0.1), qualifier: .exact, publishedOn: date($0.0))
        }
        func pledge(_ key: String, _ title: String, _ metric: Metric, baseline: String, value: Decimal? = nil, target: Decimal, deadline: String) -> Commitment {
            Commitment(
                key: key, title: title, metric: metric.key, baseline: .init(date: start(baseline), value: value), target: .value(target),
                comparison: nil, deadline: try! DatePeriod(parsing: deadline), milestones: [])
        }
        let asOf = date("2024-04-05")
        var list = [
            Assessor.assess(
                pledge("drugs-strategy-2000-closures", "Close over 2,000 county lines by April 2025", closures, baseline: "2022-04", target: 2000, deadline: "2025-04"),
                metric: closures, figures: closed, asOf: asOf),
            Assessor.assess(
                pledge(
                    "a-key-that-goes-on-" + String(repeating: "and-on-", count: 12), "Close a further 1,000 county lines by August 2024 (over 3,000 since April 2022)",
                    closures, baseline: "2022-04", target: 3000, deadline: "2024-08"), metric: closures, figures: closed, asOf: asOf),
            Assessor.assess(
                pledge("woodland-30000", "Grow woodland to 30,000 hectares by March 2025", woodland, baseline: "2019-04-01", value: 13_460, target: 30_000, deadline: "2025-03"),
                metric: woodland, figures: woods, asOf: asOf),
            Assessor.assess(
                pledge("invest-145m", String(repeating: "Invest up to £145,000,000 in the programme ", count: 4), closures, baseline: "2024-06", target: 145_000_000, deadline: "FY2026-27"),
                metric: closures, figures: [], asOf: asOf),
        ]
        // A projection with a wide range, as the summary and the chart's fan show it.
        list[2].projection.valueAtDeadline = 22_400
        list[2].projection.valueAtDeadlineLow = 20_990
        list[2].projection.valueAtDeadlineHigh = 25_100
        list[2].projection.completionDate = date("2029-09-02")
        list[2].projection.completionDateLow = date("2027-01-15")
        list[2].projection.completionDateHigh = date("2034-11-30")
        list[1].status = .awaitingData
        list[1].probabilityMet = 0.35
        list[1].reason = "no figure reaches the deadline of 2024-08-31 yet: the latest covers to 2024-03-31"
        return list
    }

    @Test(arguments: [1280, 1000, 900, 660, 390]) func theReportFitsAndStaysLegible(width: Int) throws {
        let html = HTMLReport.render(Self.assessments(), asOf: try DatePeriod(parsing: "2024-04-05").last)
        let layout = try Browser.measure(html, width: width)
        #expect(layout.problems == [], "at \(width) px")
        #expect(layout.texts > 100, "at \(width) px: \(layout.texts) pieces of text laid out")
        #expect(layout.smallest >= 11, "at \(width) px")
        try Browser.screenshot(html, width: width, name: "report-\(width).png")
    }

    /// Every chart shown has at least three value ticks and two date ticks, and no tick label
    /// overlaps another piece of the chart's text, at a phone's width and a desktop's: the
    /// layout-stressing report, with a five-month pledge (monthly ticks) and a count of officers
    /// up to 20,951 added.
    @Test(arguments: [390, 1280]) func chartTicksAreReadableAndApart(width: Int) throws {
        func date(_ text: String) -> CivilDate { try! DatePeriod(parsing: text).last }
        let officers = Metric(key: "officers", name: "Police officers recruited", unit: "officers", kind: .additive)
        let recruited = [("2019-11", "2020-03", 3_005), ("2019-11", "2021-03", 8_771), ("2019-11", "2022-03", 13_576), ("2019-11", "2023-03", 20_951)].map {
            ObservedFigure(
                periodStart: try! DatePeriod(parsing: $0.0).first, periodEnd: date($0.1), value: Decimal($0.2), qualifier: .exact, publishedOn: date($0.1))
        }
        func pledge(_ key: String, baseline: String, target: Decimal, deadline: String) -> Commitment {
            Commitment(
                key: key, title: key, metric: officers.key, baseline: .init(date: try! DatePeriod(parsing: baseline).first, value: nil),
                target: .value(target), comparison: nil, deadline: try! DatePeriod(parsing: deadline), milestones: [])
        }
        let extra = [
            Assessor.assess(pledge("uplift-20000", baseline: "2019-11", target: 20_000, deadline: "2023-03"), metric: officers, figures: recruited, asOf: date("2023-06")),
            Assessor.assess(pledge("five-months", baseline: "2022-11", target: 4_000, deadline: "2023-03"), metric: officers, figures: [], asOf: date("2023-01")),
        ]
        let html = HTMLReport.render(Self.assessments() + extra, asOf: try DatePeriod(parsing: "2024-04-05").last)
        let ticks = try Browser.evaluate(html, width: width, script: Browser.ticksScript, as: Browser.Ticks.self)
        #expect(ticks.charts == 6, "at \(width) px: one chart shown per commitment")
        #expect(ticks.problems == [], "at \(width) px")
        #expect(ticks.values.allSatisfy { $0.count >= 3 }, "at \(width) px: \(ticks.values)")
        #expect(ticks.values.contains(["0", "5,000", "10,000", "15,000", "20,000", "25,000"]), "at \(width) px: \(ticks.values)")
        #expect(ticks.dates.contains(["2020", "2021", "2022", "2023"]), "at \(width) px: \(ticks.dates)")
        #expect(ticks.dates.contains(["Nov 2022", "Dec", "Jan 2023", "Feb", "Mar"]), "at \(width) px: \(ticks.dates)")
    }

    /// The check itself finds what it is for: a chart 640 units wide with 11-unit text, and a wide
    /// table scrolled inside its box, at a phone's width.
    @Test func theCheckFindsSmallTextAndSidewaysScrolling() throws {
        let page = """
            <!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body { margin: 0 auto; padding: 1rem; } svg { width: 100%; } .wide { overflow-x: auto; }</style></head><body>
            <svg viewBox="0 0 640 260"><text x="10" y="20" font-size="11">deadline 2025-04-30</text></svg>
            <div class="wide"><table><tr><td>\(String(repeating: "<td>2025-04-30</td>", count: 12))</tr></table></div></body></html>
            """
        let layout = try Browser.measure(page, width: 390)
        #expect(layout.smallest < 7)
        #expect(layout.problems.contains { $0.hasPrefix("text under 11 px") })
        #expect(layout.problems.contains { $0.hasPrefix("outside the page: <TABLE>") })
    }
}

/// Headless Chromium, run once per page with a profile and temporary folder of its own.
enum Browser {
    struct Layout: Decodable {
        let width: Int
        let texts: Int
        let smallest: Double
        let problems: [String]
    }

    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        throw HeadwayError("the HTML report's layout tests need headless Chromium: install the `chromium` package (scripts/install-dependencies does)")
    }

    /// Runs Chromium on `page` in a fresh profile and returns what it printed.
    static func run(_ arguments: [String], page: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("headway-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("page.html")
        try Data(page.utf8).write(to: file)
        let argv = [
            try executable(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(directory.path)/profile",
        ] + arguments + [file.absoluteString]
        let outcome = try ChildProcess(argv, environment: ["TMPDIR": directory.path, "HOME": directory.path], separateErrors: true).wait()
        guard outcome.succeeded else { throw HeadwayError("chromium exited with \(outcome.status): \(outcome.errors.suffix(2_000))") }
        return outcome.output
    }

    /// Lays `html` out in a frame `width` CSS pixels wide and measures it with `measuringScript`.
    static func measure(_ html: String, width: Int) throws -> Layout {
        try evaluate(html, width: width, script: measuringScript, as: Layout.self)
    }

    /// What the charts' tick labels are, per chart shown, and what overlaps.
    struct Ticks: Decodable {
        let charts: Int
        let values: [[String]]
        let dates: [[String]]
        let problems: [String]
    }

    /// Lays `html` out in a frame `width` CSS pixels wide (a headless window is at least 500
    /// wide, so a phone's width needs the frame) and decodes what `script` writes into the
    /// `result` element as JSON once the page has loaded.
    static func evaluate<Result: Decodable>(_ html: String, width: Int, script: String, as: Result.Type) throws -> Result {
        let attribute = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
        let harness = """
            <!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
            <iframe id="frame" style="border:0; width:\(width)px; height:900px" srcdoc="\(attribute)"></iframe>
            <pre id="result">not measured</pre>
            <script>\(script)</script></body></html>
            """
        let dom = try run(["--window-size=\(max(width, 500) + 100),1000", "--virtual-time-budget=5000", "--dump-dom"], page: harness)
        guard let open = dom.range(of: "<pre id=\"result\">"), let close = dom.range(of: "</pre>", range: open.upperBound..<dom.endIndex) else {
            throw HeadwayError("no measurement in chromium's output: \(dom.suffix(500))")
        }
        let json = dom[open.upperBound..<close.lowerBound].replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        do {
            return try JSONDecoder().decode(Result.self, from: Data(json.utf8))
        } catch {
            throw HeadwayError("unreadable measurement \(json.prefix(500)): \(error)")
        }
    }

    /// Every displayed element within the frame's width (and chart text within its chart); the
    /// font size of every piece of text as shown, SVG text scaled by its chart's viewBox.
    static let measuringScript = """
        addEventListener('load', () => {
          const frame = document.getElementById('frame'), w = frame.contentWindow, d = frame.contentDocument;
          const width = d.documentElement.clientWidth, problems = [];
          let texts = 0, smallest = 1000;
          if (d.documentElement.scrollWidth > width) problems.push('page scrolls sideways: ' + d.documentElement.scrollWidth + ' > ' + width);
          for (const el of d.body.querySelectorAll('*')) {
            if (el.getClientRects().length === 0) continue;
            const r = el.getBoundingClientRect();
            if (r.width > 0 && (r.left < -0.5 || r.right > width + 0.5)) problems.push('outside the page: <' + el.tagName.toUpperCase() + '> ' + Math.round(r.left) + '..' + Math.round(r.right));
            if (el instanceof w.SVGTextElement) {
              const chart = el.ownerSVGElement.getBoundingClientRect();
              if (r.left < chart.left - 0.5 || r.right > chart.right + 0.5) problems.push('chart text cut off: ' + el.textContent);
            }
            if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '')) continue;
            let size = parseFloat(w.getComputedStyle(el).fontSize);
            if (el instanceof w.SVGGraphicsElement) { const m = el.getScreenCTM(); size *= Math.hypot(m.a, m.b); }
            texts++;
            smallest = Math.min(smallest, size);
            if (size < 11) problems.push('text under 11 px (' + size.toFixed(1) + '): ' + el.textContent.trim().slice(0, 40));
          }
          document.getElementById('result').textContent = JSON.stringify({ width, texts, smallest, problems: problems.slice(0, 20) });
        });
        """

    /// Per chart shown (a hidden one has no boxes): its value and date tick labels, and any
    /// tick label whose box overlaps another text's in the same chart.
    static let ticksScript = """
        addEventListener('load', () => {
          const d = document.getElementById('frame').contentDocument, values = [], dates = [], problems = [];
          for (const svg of d.querySelectorAll('svg')) {
            if (svg.getClientRects().length === 0 || !svg.querySelector('text')) continue;
            values.push([...svg.querySelectorAll('text.tick-y')].map(t => t.textContent));
            dates.push([...svg.querySelectorAll('text.tick-x')].map(t => t.textContent));
            const texts = [...svg.querySelectorAll('text')].map(t => ({ tick: t.classList.length > 0, text: t.textContent, r: t.getBoundingClientRect() }));
            for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
              const a = texts[i], b = texts[j];
              if ((a.tick || b.tick) && a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)
                problems.push('"' + a.text + '" overlaps "' + b.text + '"');
            }
          }
          document.getElementById('result').textContent = JSON.stringify({ charts: values.length, values, dates, problems: problems.slice(0, 20) });
        });
        """

    /// A screenshot of `html` at `width` (PNG, with the page beside it), into $HEADWAY_SCREENSHOTS
    /// when set; checks it is an image of that width.
    static func screenshot(_ html: String, width: Int, name: String) throws {
        let directory = ProcessInfo.processInfo.environment["HEADWAY_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("headway-screenshots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["HEADWAY_SCREENSHOTS"] == nil { try? FileManager.default.removeItem(at: directory) } }
        let png = directory.appendingPathComponent(name)
        try Data(html.utf8).write(to: png.deletingPathExtension().appendingPathExtension("html"))
        _ = try run(["--window-size=\(width),2400", "--screenshot=\(png.path)"], page: html)
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.count > 1000 && Array(bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47], "\(name) is a PNG")
        // The image's width: bytes 16–19 of the IHDR chunk, big-endian.
        let imageWidth = bytes.count > 24 ? bytes[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        #expect(imageWidth == width, "\(name)")
    }
}
