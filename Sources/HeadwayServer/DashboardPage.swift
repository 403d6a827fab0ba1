import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore
import Hummingbird

/// The dashboard's pages as HTML: the frame every page shares, the overview and the error page
/// (the commitment and metric pages are in `DashboardPage+Commitment.swift`). Figures are worded
/// by the report's `Display` and charts drawn by `HTMLReport.chart`, so a page and the HTML
/// report say the same thing the same way.
enum DashboardPage {
    /// The frame: the stylesheet and script (from this server), a skip link, the site's
    /// navigation, the live-update note (outside `main`, which the script swaps) and `main`.
    /// `feed`: the status feed the page offers (`<link rel="alternate">`); `head`: more of the head.
    static func frame(title: String, main: HTML, live: [(String, String)] = [], feed: String = StatusFeed.path, head: HTML = .empty) -> HTML {
        let data = live.map { HTML(" data-\($0.0)=\"\($0.1)\"") }.joined()
        return opening(title: title) + """
            <link rel="icon" href="\(DashboardAssets.icon.path)" type="image/svg+xml">
            <script src="\(DashboardAssets.script.path)" defer></script>
            <link rel="alternate" type="application/atom+xml" title="Status changes" href="\(feed)">
            \(head)</head>
            <body data-events="/api/v1/events">
            <a class="skip" href="#main">Skip to the content</a>
            <header class="site">
            <nav aria-label="Site"><a href="/" class="home">Headway</a></nav>
            <p id="live" class="live" role="status"></p>
            </header>
            <main id="main"\(data)>
            \(main)</main>
            <footer class="site"><p>Headway: commitments tracked against the figures published since. Figures, methods and
            the API: <a href="/api/v1/openapi.json">OpenAPI document</a>.</p></footer>
            </body>
            </html>

            """
    }

    /// Every page's start, to its stylesheet: the doctype, language, character set, viewport and title.
    static func opening(title: String) -> HTML {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) – Headway</title>
        <link rel="stylesheet" href="\(DashboardAssets.stylesheet.path)">

        """
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> HTML {
        frame(title: "\(status.code) \(status.reasonPhrase)", main: "<h1>\(status.reasonPhrase)</h1>\n<p class=\"problem\">\(message)</p>\n<p><a href=\"/\">All commitments</a></p>\n")
    }

    // MARK: Shared pieces

    /// A key as one path segment: everything but unreserved characters percent-encoded.
    static func segment(_ key: String) -> String {
        // Most keys need nothing (Foundation's encoding is slow enough to show on a page of 1000 rows).
        if key.utf8.allSatisfy({ isUnreserved[Int($0)] }) { return key }
        return key.addingPercentEncoding(withAllowedCharacters: unreserved) ?? key
    }

    /// Per byte: whether it is an unreserved character (RFC 3986), as `unreserved` says.
    private static let isUnreserved: [Bool] = (0..<256).map { byte in
        byte < 0x80 && unreserved.contains(Unicode.Scalar(UInt8(byte)))
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func commitmentLink(_ key: String, _ title: String) -> HTML {
        "<a href=\"/commitments/\(segment(key))\">\(title)</a>"
    }

    static func metricLink(_ key: String, _ text: String) -> HTML {
        "<a href=\"/metrics/\(segment(key))\">\(text)</a>"
    }

    /// A status as a mark and words (never colour alone); nil is a commitment not assessed yet.
    static func status(_ raw: String?) -> HTML {
        guard let raw, let status = Assessment.Status(rawValue: raw) else {
            return "<span class=\"status unassessed\" title=\"no stored assessment yet\"><span aria-hidden=\"true\">–</span> not assessed</span>"
        }
        return HTMLReport.status(status)
    }

    /// A count with thousands separators: "10,000".
    static func number(_ count: Int) -> String { Display.grouped(String(count)) }

    static func statusWords(_ raw: String) -> String {
        raw == "unassessed" ? "not assessed" : raw.replacingOccurrences(of: "_", with: " ")
    }

    // MARK: The overview

    struct Overview {
        let query: DashboardReader.OverviewQuery
        let rows: [DashboardReader.OverviewRow]
        /// Each row's sparkline.
        let sparklines: [HTML]
        /// How many commitments the filter matches.
        let total: Int
        let counts: [StatusReader.StatusCount]
    }

    /// How many commitments there are: the sum of the overall counts.
    static func overallCount(_ counts: [StatusReader.StatusCount]) -> Int {
        counts.filter { $0.tag == nil }.reduce(0) { $0 + $1.commitments }
    }

    static func overview(_ overview: Overview) -> HTML {
        let total = overallCount(overview.counts)
        let main: HTML = """
            <h1>Commitments</h1>
            <p class="lede">\(number(total)) commitment\(total == 1 ? "" : "s"), each as its latest stored assessment of the present says
            (made by the last report, load or apply; <em>stale</em> marks one that newer figures or definitions have overtaken).</p>
            \(counts(overview.counts, total: total))
            \(filters(overview.query, tags: Set(overview.counts.compactMap(\.tag)).sorted()))
            \(list(overview))
            """
        let feed = overview.query.filter.tag.map { "\(StatusFeed.path)?tag=\(query($0))" } ?? StatusFeed.path
        return frame(title: "Commitments", main: main, live: [("live", "all")], feed: feed)
    }

    /// Counts by status, overall and per tag: each a bar (for the eye) and the same counts as
    /// linked text (for everyone), in a table with a caption.
    static func counts(_ counts: [StatusReader.StatusCount], total: Int) -> HTML {
        var groups: [(tag: String?, counts: [String: Int])] = [(nil, [:])]
        for row in counts {
            if groups.last?.tag != row.tag { groups.append((row.tag, [:])) }
            groups[groups.count - 1].counts[row.status, default: 0] += row.commitments
        }
        let rows = groups.map { group -> HTML in
            let sum = group.counts.values.reduce(0, +)
            let name: HTML = group.tag.map { "<a href=\"/?tag=\(query($0))\">\($0)</a>" } ?? "All"
            let items = Queries.statuses.compactMap { status -> HTML? in
                guard let count = group.counts[status], count > 0 else { return nil }
                let filter = (group.tag.map { "tag=\(query($0))&amp;" } ?? "") + "status=\(status)"
                return "<li><a href=\"/?\(HTML(escaped: filter))\">\(Self.status(status == "unassessed" ? nil : status)) <span class=\"n\">\(number(count))</span></a></li>"
            }
            return "<tr><th scope=\"row\">\(name)</th><td class=\"n\">\(number(sum))</td><td>\(bar(group.counts, total: sum))<ul class=\"tally\">\(items)</ul></td></tr>\n"
        }
        return """
            <section aria-labelledby="counts-title" class="counts">
            <h2 id="counts-title">Status at a glance</h2>
            <table class="counts" aria-describedby="counts-description">
            <caption>Commitments by status, overall and per tag</caption>
            <thead><tr><th scope="col">Tag</th><th scope="col">Commitments</th><th scope="col">By status</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            <p id="counts-description" class="note">Each bar divides the commitments by status, in the order of the counts under it; a
            commitment with several tags counts once under each.</p>
            </section>
            """
    }

    /// A bar divided by status: an image of the counts beside it, so hidden from screen readers.
    static func bar(_ counts: [String: Int], total: Int) -> HTML {
        guard total > 0 else { return .empty }
        var x = 0.0
        var rects: [HTML] = []
        for status in Queries.statuses {
            guard let count = counts[status], count > 0 else { continue }
            let width = 100 * Double(count) / Double(total)
            rects.append("<rect class=\"s-\(status)\" x=\"\(String(format: "%.2f", x))\" y=\"0\" width=\"\(String(format: "%.2f", width))\" height=\"4\"/>")
            x += width
        }
        return "<svg class=\"bar\" viewBox=\"0 0 100 4\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">\(rects)</svg>"
    }

    /// Text for a query string value.
    static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// The filters as a GET form, so a filtered view is a URL to share; the sort is kept.
    static func filters(_ query: DashboardReader.OverviewQuery, tags: [String]) -> HTML {
        let filter = query.filter
        let statuses = Queries.statuses.map { status -> HTML in
            let checked = filter.statuses.contains(status) ? " checked" : ""
            return "<label class=\"check\"><input type=\"checkbox\" name=\"status\" value=\"\(status)\"\(HTML(escaped: checked))> \(statusWords(status))</label>\n"
        }
        func option(_ value: String, _ label: String, selected: Bool) -> HTML {
            "<option value=\"\(value)\"\(HTML(escaped: selected ? " selected" : ""))>\(label)</option>"
        }
        let tagOptions = [option("", "any tag", selected: filter.tag == nil)] + tags.map { option($0, $0, selected: $0 == filter.tag) }
        let stale = [
            option("", "either", selected: filter.stale == nil), option("true", "stale only", selected: filter.stale == true),
            option("false", "up to date only", selected: filter.stale == false),
        ]
        return """
            <form class="filters" method="get" action="/" role="search" aria-label="Filter the commitments" data-swap>
            <div class="field"><label for="q">Title or key contains</label><input id="q" name="q" type="search" value="\(filter.search ?? "")"></div>
            <div class="field"><label for="tag">Tag</label><select id="tag" name="tag">\(tagOptions)</select></div>
            <div class="field"><label for="metric">Metric key</label><input id="metric" name="metric" type="text" value="\(filter.metric ?? "")"></div>
            <div class="field"><label for="stale">Stale</label><select id="stale" name="stale">\(stale)</select></div>
            <fieldset class="statuses"><legend>Status (none ticked: any)</legend>
            \(statuses)</fieldset>
            <input type="hidden" name="sort" value="\(query.sort.rawValue)">
            <input type="hidden" name="order" value="\(query.descending ? "desc" : "asc")">
            <div class="actions"><button type="submit">Show</button> <a href="/" data-swap>Clear the filters</a></div>
            </form>
            """
    }

    /// The overview's URL for `query`, with only the parameters that differ from the defaults.
    static func url(_ query: DashboardReader.OverviewQuery) -> String {
        var items: [(String, String)] = query.filter.statuses.map { ("status", $0) }
        if let tag = query.filter.tag { items.append(("tag", tag)) }
        if let metric = query.filter.metric { items.append(("metric", metric)) }
        if let search = query.filter.search { items.append(("q", search)) }
        if let stale = query.filter.stale { items.append(("stale", String(stale))) }
        if query.sort != .title { items.append(("sort", query.sort.rawValue)) }
        if query.descending { items.append(("order", "desc")) }
        if query.page != 1 { items.append(("page", String(query.page))) }
        if query.perPage != DashboardQueries.defaultPerPage { items.append(("per_page", String(query.perPage))) }
        return "/" + (items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(self.query($0.1))" }.joined(separator: "&"))
    }

    static func list(_ overview: Overview) -> HTML {
        let query = overview.query, total = overview.total
        let first = (query.page - 1) * query.perPage
        let shown = overview.rows.isEmpty
            ? "No commitment matches these filters."
            : "Commitments \(number(first + 1)) to \(number(first + overview.rows.count)) of \(number(total)), by \(sortWords[query.sort] ?? "")\(query.descending ? ", descending" : "")."
        func header(_ label: String, _ sort: DashboardReader.Sort?) -> HTML {
            guard let sort else { return "<th scope=\"col\" class=\"plain\">\(label)</th>" }
            var next = query
            next.page = 1
            next.descending = next.sort == sort ? !query.descending : false
            next.sort = sort
            let current = query.sort == sort
            let state: HTML = current ? " aria-sort=\"\(query.descending ? "descending" : "ascending")\"" : ""
            let arrow: HTML = current ? (query.descending ? " <span aria-hidden=\"true\">▼</span>" : " <span aria-hidden=\"true\">▲</span>") : ""
            return "<th scope=\"col\"\(state)><a id=\"sort-\(sort.rawValue)\" href=\"\(url(next))\" data-swap>\(label)\(arrow)</a></th>"
        }
        let headers: [HTML] = [
            header("Commitment", .title), header("Status", .status), header("Progress", .progress), header("Target", nil),
            header("Deadline", .deadline), header("Chance", .probability), header("Trend", nil),
        ]
        let rows = zip(overview.rows, overview.sparklines).map(row)
        return """
            <section aria-labelledby="list-title">
            <h2 id="list-title">The commitments</h2>
            <p class="shown">\(shown)</p>
            <table class="list">
            <caption class="visually-hidden">Commitments with their status, progress, target, deadline, chance of meeting the target and trend</caption>
            <thead><tr>\(headers)</tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>
            \(pagination(query, total: total))
            </section>
            """
    }

    static let sortWords: [DashboardReader.Sort: String] = [
        .title: "title", .status: "status", .deadline: "deadline", .progress: "share done", .probability: "chance", .latest: "latest figure",
    ]

    static func row(_ row: DashboardReader.OverviewRow, sparkline: HTML) -> HTML {
        var progress = Display.blank
        if let value = row.latestValue, let qualifier = row.latestQualifier {
            progress = Display.latest(value: value, progress: row.latestProgress, qualifier: qualifier, unit: row.unit, kind: row.kind)
            if let over = row.over, over.months != nil, let date = row.latestDate {
                progress = Display.figure(value, qualifier: qualifier, unit: row.unit) + " " + Display.window(over, endingOn: date)
            }
        }
        let done = row.percentComplete.map { " · \(Display.percent($0)) done" } ?? ""
        var target = Display.blank
        if let value = row.targetValue, let comparison = row.comparison {
            let over = row.baselineDate.flatMap { baseline in row.deadline.flatMap { Display.over(row.over, baseline: baseline, deadline: $0) } }
            target = Display.target(value: value, change: row.targetChange, comparison: comparison, unit: row.unit, over: over)
        }
        let stale: HTML = row.stale && row.status != nil ? " <span class=\"stale\">stale</span>" : ""
        return """
            <tr><td class="what">\(commitmentLink(row.key, row.title))<span class="key">\(row.key)</span>\(stale)</td>
            <td data-label="Status">\(status(row.status))</td>
            <td data-label="Progress">\(progress + done)</td>
            <td data-label="Target">\(target)</td>
            <td data-label="Deadline" class="d">\(row.deadline?.description ?? Display.blank)</td>
            <td data-label="Chance" class="n">\(Display.probability(row.probabilityMet))</td>
            <td class="trend">\(sparkline)</td></tr>

            """
    }

    /// The published progress as a small line, an image of what the row's figures say (the
    /// reader thins a long series to what a line 80 units wide can show). Written as bytes: a
    /// page of 1000 rows draws 1000 lines.
    static func sparkline(_ values: [Double]) -> HTML {
        guard values.count >= 2, let low = values.min(), let high = values.max() else { return .empty }
        let step = 76 / Double(values.count - 1)
        var bytes = Array(#"<svg class="spark" viewBox="0 0 80 18" aria-hidden="true" focusable="false"><polyline points=""#.utf8)
        bytes.reserveCapacity(bytes.count + values.count * 10 + 9)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: " ")) }
            appendCoordinate(2 + Double(index) * step, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            appendCoordinate(high == low ? 9 : 16 - 14 * (value - low) / (high - low), to: &bytes)
        }
        bytes += #""/></svg>"#.utf8
        // Digits, commas, dots, minus signs and spaces inside fixed markup: nothing to escape.
        return HTML(escaped: String(decoding: bytes, as: UTF8.self))
    }

    /// A coordinate to a tenth: "9", "2.5", "-0.5".
    static func coordinate(_ value: Double) -> String {
        var bytes: [UInt8] = []
        appendCoordinate(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendCoordinate(_ value: Double, to bytes: inout [UInt8]) {
        let tenths = Int((value * 10).rounded())
        if tenths < 0 { bytes.append(UInt8(ascii: "-")) }
        let whole = tenths.magnitude / 10, tenth = tenths.magnitude % 10
        if whole >= 100 {
            bytes += String(whole).utf8  // not within these 80 by 18 units, but right
        } else {
            if whole >= 10 { bytes.append(UInt8(ascii: "0") + UInt8(whole / 10)) }
            bytes.append(UInt8(ascii: "0") + UInt8(whole % 10))
        }
        if tenth != 0 {
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0") + UInt8(tenth))
        }
    }

    static func pagination(_ query: DashboardReader.OverviewQuery, total: Int) -> HTML {
        let pages = max(1, (total + query.perPage - 1) / query.perPage)
        guard pages > 1 else { return .empty }
        func link(_ page: Int, _ label: String, rel: String) -> HTML {
            var target = query
            target.page = page
            return "<a href=\"\(url(target))\" rel=\"\(rel)\" data-swap>\(label)</a>"
        }
        let previous: HTML = query.page > 1 ? link(query.page - 1, "← Previous page", rel: "prev") : .empty
        let next: HTML = query.page < pages ? link(query.page + 1, "Next page →", rel: "next") : .empty
        return "<nav class=\"pages\" aria-label=\"Pages\">\(previous) <span>Page \(query.page) of \(pages)</span> \(next)</nav>"
    }
}
