import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@testable import HeadwayServer

/// The web dashboard's pages over real HTTP on a real database: what each shows, its filters,
/// sorting and pages, the as-of view that stores nothing, its errors, and its safety headers.
@Suite struct DashboardTests {
    /// The API's portfolio, and: a revised figure, a commitment that extends another, sources
    /// with a web address and with a `javascript:` one.
    static func create() throws -> String {
        let url = try Portfolio.create()
        let connection = try PostgresConnection(url: url)
        let definitions = """
            sources:
              - key: stats
                title: Quarterly statistics
                url: https://example.org/stats
              - key: sneaky
                title: Sneaky source
                url: "javascript:alert(1)"
            commitments:
              - key: closures-150
                title: Close 150 lines by mid-2025
                metric: closures
                baseline: { date: 2024-01 }
                target: { value: 150 }
                deadline: 2025-06
                extends: closures-100
                tags: [crime]
            """
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: definitions, fileName: "more.yaml"))
        try load(
            """
            metric,period_start,period_end,value,qualifier,source,published_on,note
            closures,2024-01,2024-03,22,about,stats,2024-05-01,revised first quarter
            closures,2024-10,2024-10,9,,sneaky,2024-11-05,
            """, url: url)
        try AssessmentStore(connection: connection).assessAndStore(keys: ["closures-100", "closures-150"])
        return url
    }

    static func load(_ csv: String, url: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString).csv")
        try Data((csv + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try ObservationLoader(connection: try PostgresConnection(url: url)).load([file.path])
    }

    /// The titles on a page, in the order they appear in the overview's list.
    static func listed(_ page: String) -> [String] {
        guard let list = page.range(of: "<table class=\"list\">") else { return [] }
        return page[list.upperBound...].matches(of: #/<td class="what"><a href="[^"]*">([^<]*)</a>/#).map { String($0.output.1) }
    }

    @Test func theOverviewCountsFiltersSortsAndPages() async throws {
        let server = try await RunningServer(url: try Self.create())
        let page = try await server.get("/")
        #expect(page.status == 200)
        #expect(page.contentType == "text/html; charset=utf-8")
        let text = page.text
        #expect(Self.listed(text) == [
            "1,500 officers in post by 2026", "Close 100 lines in 2024", "Close 150 lines by mid-2025", "Close 2,000 County Lines a year", "Never assessed yet",
        ])
        #expect(text.contains("5 commitments"))
        #expect(text.contains("<th scope=\"row\">All</th><td class=\"n\">5</td>"))
        #expect(text.contains("<a href=\"/?tag=policing\">policing</a></th><td class=\"n\">1</td>"))
        #expect(text.contains("not assessed</span> <span class=\"n\">1</span>"))
        // Links to each commitment, the awkward key as one path segment.
        #expect(text.contains("href=\"/commitments/\(pathSegment(Portfolio.awkwardKey))\""))

        func titles(_ query: String) async throws -> [String] {
            let answer = try await server.get("/?\(query)")
            #expect(answer.status == 200, "\(query)")
            return Self.listed(answer.text)
        }
        #expect(try await titles("tag=policing") == ["1,500 officers in post by 2026"])
        #expect(try await titles("q=LINES&tag=&stale=&metric=") == ["Close 100 lines in 2024", "Close 150 lines by mid-2025", "Close 2,000 County Lines a year"])
        #expect(try await titles("status=unassessed") == ["Never assessed yet"])
        #expect(try await titles("metric=officers&sort=deadline&order=desc") == ["1,500 officers in post by 2026", "Never assessed yet"])
        #expect(try await titles("sort=deadline") == [
            "Close 100 lines in 2024", "Close 2,000 County Lines a year", "Close 150 lines by mid-2025", "1,500 officers in post by 2026", "Never assessed yet",
        ])
        #expect(try await titles("status=missed&metric=nothing").isEmpty)
        // Pages of two: every row once, and a link to the next page that keeps the filter and sort.
        let first = try await server.get("/?sort=deadline&per_page=2")
        #expect(first.text.contains("Commitments 1 to 2 of 5, by deadline."))
        #expect(first.text.contains("href=\"/?sort=deadline&amp;page=2&amp;per_page=2\" rel=\"next\""))
        var walked: [String] = []
        for number in 1...3 { walked += try await titles("sort=deadline&per_page=2&page=\(number)") }
        #expect(walked == (try await titles("sort=deadline")))
        #expect(try await titles("page=9").isEmpty)
        #expect(try await server.get("/?page=9").text.contains("No commitment matches these filters."))
        // A filter's count (kept for its pages until the state changes) and the default order, by title.
        #expect(try await server.get("/?q=lines&per_page=2").text.contains("Commitments 1 to 2 of 3, by title."))
        #expect(try await server.get("/?q=lines&per_page=2&page=2").text.contains("Commitments 3 to 3 of 3, by title."))
        let byTitle = try await titles("")
        #expect(byTitle.count == 5 && byTitle == byTitle.sorted { $0.lowercased() < $1.lowercased() })
        // The current sort is marked for assistive technology, and its header link reverses it.
        let sorted = try await server.get("/?sort=deadline")
        #expect(sorted.text.contains("<th scope=\"col\" aria-sort=\"ascending\"><a id=\"sort-deadline\" href=\"/?sort=deadline&amp;order=desc\""))
        try await server.stop()
    }

    @Test func badParametersGetAPageThatNamesThem() async throws {
        let server = try await RunningServer(url: try Self.create())
        for (query, words) in [
            ("/?status=bogus", "status &quot;bogus&quot; is not one of"), ("/?sort=key;drop", "sort must be one of"), ("/?per_page=0", "per_page must be"),
            ("/?colour=red", "unknown query parameter"), ("/commitments/closures-100?as_of=yesterday", "as_of"),
            ("/metrics/closures?x=1", "unknown query parameter"),
        ] {
            let answer = try await server.get(query)
            #expect(answer.status == 400, "\(query)")
            #expect(answer.contentType == "text/html; charset=utf-8")
            #expect(answer.text.contains(words), "\(query): \(answer.text.prefix(2000))")
        }
        for path in ["/commitments/nothing-here", "/metrics/nothing-here"] {
            let answer = try await server.get(path)
            #expect(answer.status == 404, "\(path)")
            #expect(answer.text.contains("There is no"), "\(path)")
        }
        try await server.stop()
    }

    @Test func theCommitmentPageTellsItsStory() async throws {
        let url = try Self.create()
        let server = try await RunningServer(url: url)
        let page = try await server.get("/commitments/closures-100")
        #expect(page.status == 200)
        let text = page.text
        // The chart, at both sizes, with its title, description, legend and data as a table.
        #expect(text.contains("<svg class=\"wide\"") && text.contains("<svg class=\"narrow\""))
        #expect(text.contains("<h2 id=\"chart-title\">Progress against the plan</h2>"))
        #expect(text.contains("<figure aria-describedby=\"chart-description\">"))
        #expect(text.contains("<table class=\"series\">"))
        // The published figures, the revised one open (about), each with its revision.
        #expect(text.contains("<td data-label=\"Value\" class=\"n\">20 lines</td>"))
        #expect(text.contains("<td data-label=\"Revision\">1, superseded</td>"))
        #expect(text.contains("<td data-label=\"Value\" class=\"n\">22 lines</td>"))
        #expect(text.contains("revised first quarter"))
        #expect(text.contains("<a href=\"https://example.org/stats\" rel=\"noopener noreferrer\">Quarterly statistics</a>"))
        #expect(!text.contains("href=\"javascript:"))
        #expect(text.contains("<td data-label=\"Source\">Sneaky source</td>"))
        // Status and probability in words, pace against need, the history, the chain.
        #expect(text.contains("class=\"status "))
        #expect(text.contains("<p class=\"pace\">Recent pace "))
        #expect(text.contains("<p class=\"schedule\">"))
        #expect(text.contains("<ol class=\"timeline\" reversed>"))
        #expect(text.contains("<time datetime=\"\(CivilDate.today())\">"))
        #expect(text.contains("<dt>Extended by</dt><dd><a href=\"/commitments/closures-150\">Close 150 lines by mid-2025</a></dd>"))
        #expect(text.contains("data-commitment=\"closures-100\" data-metric=\"closures\""))
        let extending = try await server.get("/commitments/closures-150")
        #expect(extending.text.contains("<dt>Extends</dt><dd><a href=\"/commitments/closures-100\">Close 100 lines in 2024</a></dd>"))
        let awkward = try await server.get("/commitments/\(pathSegment(Portfolio.awkwardKey))")
        #expect(awkward.status == 200)
        #expect(awkward.text.contains("<h1>Close 2,000 County Lines a year</h1>"))
        try await server.stop()
    }

    @Test func asOfShowsThePastAndStoresNothing() async throws {
        let url = try Self.create()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        let before = try TestDatabase.snapshot(connection)
        let past = try await server.get("/commitments/closures-100?as_of=2024-04-30")
        let form = try await server.get("/commitments/closures-100?as_of=")
        let tooEarly = try await server.get("/commitments/officers-1500?as_of=2024-05-31")
        #expect(try TestDatabase.snapshot(connection) == before)
        try await server.stop()
        #expect(past.status == 200)
        #expect(past.text.contains("Assessed as of <strong>2024-04-30</strong>"))
        #expect(past.text.contains("value=\"2024-04-30\""))
        // Only the first figure was published by then, in its first revision, current then.
        #expect(past.text.contains("<td data-label=\"Revision\">1</td>"))
        #expect(!past.text.contains("22 lines") && !past.text.contains("30 lines"))
        #expect(past.text.contains("Back to today"))
        // The form's empty date is today.
        #expect(form.status == 200 && form.text.contains("Assessed as of today"))
        #expect(tooEarly.status == 200 && tooEarly.text.contains("it did not exist yet"))
    }

    @Test func theMetricPageListsEveryRevisionAndItsCommitments() async throws {
        let server = try await RunningServer(url: try Self.create())
        let page = try await server.get("/metrics/closures")
        try await server.stop()
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>County lines closed</h1>"))
        for title in ["Close 100 lines in 2024", "Close 150 lines by mid-2025", "Close 2,000 County Lines a year"] { #expect(page.text.contains(">\(title)</a>")) }
        #expect(!page.text.contains("1,500 officers"))
        #expect(page.text.contains("5 published figures and revisions"))
        #expect(page.text.components(separatedBy: "<td data-label=\"Period\"").count == 6)
        #expect(page.text.contains("data-metric=\"closures\""))
    }

    /// Sparklines are kept by their series' fingerprint: a page made from kept lines shows
    /// what one drawn afresh shows, and a new figure (a new series) is drawn again.
    @Test func keptSparklinesFollowTheirSeries() async throws {
        let url = try Self.create()
        let server = try await RunningServer(url: url)
        func line(_ path: String) async throws -> String {
            let page = try await server.get(path).text
            let row = page.range(of: "<td class=\"what\"><a href=\"/commitments/closures-150\"").map { String(page[$0.lowerBound...]) } ?? ""
            return row.firstMatch(of: #/<polyline points="([^"]*)"/#).map { String($0.output.1) } ?? ""
        }
        let drawn = try await line("/?per_page=50")
        #expect(!drawn.isEmpty)
        #expect(try await line("/?per_page=49") == drawn)  // another page (not a kept answer), the kept line
        try Self.load(
            """
            metric,period_start,period_end,value,qualifier,source,published_on,note
            closures,2024-11,2024-11,30,,stats,2024-12-05,
            """, url: url)
        try AssessmentStore(connection: try PostgresConnection(url: url)).assessAndStore(keys: ["closures-150"])
        let redrawn = try await line("/?per_page=48")
        try await server.stop()
        #expect(redrawn.split(separator: " ").count == drawn.split(separator: " ").count + 1)
    }

    @Test func theSparklineMemoKeepsOneLinePerKeyUpToItsCapacity() {
        let memo = SparklineMemo(capacity: 2)
        memo.keep("<svg>a</svg>", key: "a", fingerprint: 1)
        #expect(memo.line("a", fingerprint: 1)?.text == "<svg>a</svg>" && memo.line("a", fingerprint: 2) == nil)
        memo.keep("<svg>a2</svg>", key: "a", fingerprint: 2)
        #expect(memo.line("a", fingerprint: 1) == nil && memo.line("a", fingerprint: 2)?.text == "<svg>a2</svg>" && memo.count == 1)
        memo.keep("<svg>b</svg>", key: "b", fingerprint: 1)
        memo.keep("<svg>c</svg>", key: "c", fingerprint: 1)  // full: starts again
        #expect(memo.count == 1 && memo.line("c", fingerprint: 1) != nil)
    }

    /// A long series is thinned to what 80 units can show, from its first point to its last.
    @Test func sparklinesKeepTheEndsOfALongSeries() throws {
        let values = try DashboardReader.sparklineValues((0..<100).map { String($0) }.joined(separator: ","))
        #expect(values.first == 0 && values.last == 99 && values.count <= 41)
        #expect(try DashboardReader.sparklineValues("1.5,-2,3") == [1.5, -2, 3])
        #expect(throws: HeadwayError.self) { try DashboardReader.sparklineValues("1,x,3") }
        // Numbers read without strtod are strtod's, to the last bit (and NaN or long ones through it).
        var generator = SystemRandomNumberGenerator()
        let texts = (0..<30).map { _ in
            let whole = Int.random(in: -99_999_999...99_999_999, using: &generator), places = Int.random(in: 0...7, using: &generator)
            let fraction = places == 0 ? "" : "." + String(String(Int.random(in: 0...9_999_999, using: &generator)).prefix(places))
            return "\(whole)\(fraction)"
        } + ["-0", "0.1", "0.3", "123456789012345678.25", "1.000000000000000000001", "NaN"]
        let parsed = try DashboardReader.sparklineValues(texts.joined(separator: ","))
        #expect(parsed.count == texts.count)
        for (text, value) in zip(texts, parsed) { #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)") }
        let line = DashboardPage.sparkline(values).text
        let points = line.firstMatch(of: #/points="([^"]*)"/#).map { $0.output.1.split(separator: " ") } ?? []
        #expect(points.count <= 41 && points.count >= 34)
        #expect(points.first == "2,16" && points.last == "78,2")
        #expect(DashboardPage.sparkline([5]).text.isEmpty)
        #expect([9, 2.46, -0.5, -0.04, 16, 78.25, 123.4].map(DashboardPage.coordinate) == ["9", "2.5", "-0.5", "0", "16", "78.3", "123.4"])
    }

    /// Every page and asset: a Content-Security-Policy that allows nothing inline and nothing
    /// from elsewhere, no inline script or style, nothing loaded from another origin.
    @Test func pagesLoadNothingFromElsewhereAndNothingInline() async throws {
        let server = try await RunningServer(url: try Self.create())
        for path in ["/", "/commitments/closures-100", "/metrics/closures", "/?status=bogus", "/commitments/none"] {
            let answer = try await server.get(path)
            let policy = answer.headers["content-security-policy"] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("style-src 'self'"), "\(path)")
            #expect(!policy.contains("unsafe"), "\(path)")
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            // The snippets to copy (an iframe's, for another site) are text in a textarea, not this page's markup.
            let text = answer.text.replacing(#/<textarea([^>]*)>[^<]*</textarea>/#) { "<textarea\($0.output.1)></textarea>" }
            #expect(!text.contains(" style=") && !text.contains("<style"), "\(path)")
            for tag in text.matches(of: #/<script[^>]*>/#) { #expect(tag.output.contains("src=\"/assets/"), "\(path): \(tag.output)") }
            for reference in text.matches(of: #/ (?:src|href)="([^"]*)"/#).map({ String($0.output.1) }) where !reference.hasPrefix("/") && !reference.hasPrefix("#") {
                // Only a source's own address, as a link the reader may follow.
                #expect(reference == "https://example.org/stats", "\(path): \(reference)")
            }
        }
        for (path, type) in [
            ("/assets/dashboard.js", "text/javascript; charset=utf-8"), ("/assets/dashboard.css", "text/css; charset=utf-8"), ("/assets/icon.svg", "image/svg+xml"),
        ] {
            let answer = try await server.get(path)
            #expect(answer.status == 200 && answer.contentType == type, "\(path)")
            #expect(answer.body.count > 100)
        }
        try await server.stop()
    }
}

extension RunningServer.Answer {
    var text: String { String(decoding: body, as: UTF8.self) }
}
