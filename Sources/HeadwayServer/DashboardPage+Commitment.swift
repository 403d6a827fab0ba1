import Foundation
import HeadwayModel
import HeadwayReport
import HeadwayStore

/// The commitment page (its story: chart, verdict, pace, history, figures, chain) and the metric page.
extension DashboardPage {
    struct Story {
        let definition: Commitment
        /// Nil when the commitment had not been made yet at the as-of date.
        let assessment: Assessment?
        /// The date asked for; nil is today.
        let asOf: CivilDate?
        let chain: DashboardReader.Chain
        let figures: [FigureReader.Figure]
        let history: [DashboardReader.StatusChange]
        /// The scheme, host and port of absolute links (`PublicLinks`).
        let base: String
    }

    static func commitment(_ story: Story) -> HTML {
        let definition = story.definition
        var main: HTML = "<h1>\(definition.title)</h1>\n"
        main += asOfForm(story)
        if let a = story.assessment {
            main += "<div class=\"verdict\">\(HTMLReport.verdict(a))</div>\n"
            main += "<div class=\"story\">\n" + chart(a) + "<section aria-labelledby=\"numbers-title\" class=\"numbers\">\n<h2 id=\"numbers-title\">The numbers</h2>\n"
            main += pace(a) + HTMLReport.facts(a) + "</section>\n</div>\n"
        } else {
            main += "<p class=\"problem\">This commitment was made on \(definition.madeOn?.description ?? "a later date"), after the as-of date: it did not exist yet.</p>\n"
        }
        main += history(story.history)
        main += "<section aria-labelledby=\"figures-title\">\n<h2 id=\"figures-title\">The figures</h2>\n"
        main += "<p>Every figure published on \(metricLink(definition.metric, definition.metric))\(story.asOf.map { " by \($0)" } ?? ""), "
        main += "each revision with the date it was published.</p>\n" + figuresTable(story.figures, unit: story.assessment?.unit ?? "") + "</section>\n"
        main += about(definition, chain: story.chain)
        main += share(story)
        return frame(
            title: definition.title, main: main, live: [("commitment", definition.key), ("metric", definition.metric)],
            feed: "\(StatusFeed.path)?commitment=\(query(definition.key))", head: shareMeta(story))
    }

    /// The "as of" control: a GET form, so a past assessment is a URL too. It is computed on
    /// demand and never stored.
    static func asOfForm(_ story: Story) -> HTML {
        let key = story.definition.key
        let shown: HTML = story.asOf.map { "Assessed as of <strong>\($0)</strong> with what had been published by then (computed now, not stored)." }
            ?? "Assessed as of today, <strong>\(CivilDate.today())</strong>, from every figure published."
        let back: HTML = story.asOf == nil ? .empty : " <a href=\"/commitments/\(segment(key))\">Back to today</a>"
        return """
            <form class="as-of" method="get" action="/commitments/\(segment(key))">
            <p>\(shown)</p>
            <label for="as_of">Assess as of</label> <input id="as_of" name="as_of" type="date" value="\(story.asOf?.description ?? "")">
            <button type="submit">Show</button>\(back)
            </form>

            """
    }

    /// The chart with a title, a description of what it shows, a legend, and its data as a table.
    static func chart(_ a: Assessment) -> HTML {
        let base = a.baselineValue ?? 0
        let figures = a.series.filter { $0.progress != nil }
        var description = "It shows \(figures.count) point\(figures.count == 1 ? "" : "s") of progress from the published figures"
        if let first = figures.first, let last = figures.last { description += ", from \(first.date) to \(last.date)" }
        description += " (open markers for over, under and about), the plan from the baseline on \(a.baselineDate) to the target "
        description += "\(Display.target(a)) by the deadline, \(a.deadline)"
        if let central = a.projection.valueAtDeadline, let latest = a.latest, latest.date < a.deadline {
            description += ", and the projection at the recent pace: \(HTMLReport.number(central)) \(a.unit) at the deadline"
            if let low = a.projection.valueAtDeadlineLow, let high = a.projection.valueAtDeadlineHigh {
                description += " (90% range \(HTMLReport.number(low)) to \(HTMLReport.number(high)))"
            }
        }
        description += ". A dotted line marks the as-of date, \(a.asOf)."
        let rows = a.series.map { point -> HTML in
            let figure = point.progress.map { Display.figure($0 + base, qualifier: point.qualifier ?? .exact, unit: a.unit) } ?? Display.blank
            let plan = a.baselineValue == nil && a.kind == .level ? Display.blank : HTMLReport.number(point.trajectory + NSDecimalNumber(decimal: base).doubleValue)
            return "<tr><td class=\"d\">\(point.date)</td><td class=\"n\">\(figure)</td><td class=\"n\">\(plan)</td></tr>\n"
        }
        return """
            <section aria-labelledby="chart-title" class="chart">
            <h2 id="chart-title">Progress against the plan</h2>
            <figure aria-describedby="chart-description">
            \(HTMLReport.chart(a, .wide))\(HTMLReport.chart(a, .narrow))<figcaption class="legend">\(HTMLReport.legend)</figcaption>
            </figure>
            <p id="chart-description" class="note">\(description)</p>
            <details><summary>The chart's data as a table</summary>
            <table class="series"><caption>Progress and plan by date, in \(a.unit)</caption>
            <thead><tr><th scope="col">Date</th><th scope="col">Published</th><th scope="col">Plan</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            </details>
            </section>

            """
    }

    /// The pace so far against the pace needed, and the schedule variance, in sentences.
    static func pace(_ a: Assessment) -> HTML {
        var pace = "Recent pace \(Display.perMonth(a.pace.recentPerDay)), \(Display.perMonth(a.pace.averagePerDay)) on average since the baseline; "
        pace += "the plan needs \(Display.perMonth(a.pace.requiredPerDay)) overall"
        let needed = Display.needed(a)
        pace += needed == Display.blank ? "." : ", and meeting the target from now needs \(needed)."
        let variance = Display.scheduleVariance(a)
        let schedule = variance == Display.blank ? "No figure yet to compare with the plan." : "Against the plan: \(variance)."
        return "<p class=\"pace\">\(pace)</p>\n<p class=\"schedule\">\(schedule)</p>\n"
    }

    /// How the stored status moved: one entry per change, with the date it was assessed for.
    static func history(_ changes: [DashboardReader.StatusChange]) -> HTML {
        let entries = changes.reversed().map { change -> HTML in
            let was: HTML = change.previousStatus.map { " <span class=\"was\">(was \(statusWords($0)))</span>" } ?? " <span class=\"was\">(first assessment)</span>"
            let done: HTML = change.percentComplete.map { " · \(Display.percent($0)) done" } ?? .empty
            return "<li><time datetime=\"\(change.asOf)\">\(change.asOf)</time> \(status(change.status))\(was)\(done)</li>\n"
        }
        let body: HTML = entries.isEmpty
            ? "<p>No stored assessment yet: the history grows as reports, loads and applies assess this commitment.</p>\n"
            : "<ol class=\"timeline\" reversed>\n\(entries)</ol>\n"
        return "<section aria-labelledby=\"history-title\">\n<h2 id=\"history-title\">Status history</h2>\n\(body)</section>\n"
    }

    /// Every revision of every figure, with its period, qualifier, source (linked where it has a
    /// web address), publication date and note.
    static func figuresTable(_ figures: [FigureReader.Figure], unit: String) -> HTML {
        guard !figures.isEmpty else { return "<p>No figure has been published yet.</p>\n" }
        let rows = figures.map { figure -> HTML in
            let period = figure.periodStart.map { "\($0) to \(figure.periodEnd)" } ?? "at \(figure.periodEnd)"
            let revision = "\(figure.revision)" + (figure.current ? "" : ", superseded")
            return """
                <tr\(HTML(escaped: figure.current ? "" : " class=\"superseded\""))><td data-label="Period" class="d">\(period)</td>
                <td data-label="Value" class="n">\(Display.amount(figure.value, unit: unit))</td>
                <td data-label="Qualifier">\(figure.qualifier.rawValue.replacingOccurrences(of: "_", with: " "))</td>
                <td data-label="Source">\(source(figure))</td><td data-label="Published" class="d">\(figure.publishedOn)</td>
                <td data-label="Revision">\(revision)</td><td data-label="Note" class="note-cell">\(figure.note ?? "")</td></tr>

                """
        }
        return """
            <table class="figures">
            <caption class="visually-hidden">Published figures and their revisions</caption>
            <thead><tr><th scope="col">Period</th><th scope="col">Value</th><th scope="col">Qualifier</th><th scope="col">Source</th>
            <th scope="col">Published</th><th scope="col">Revision</th><th scope="col">Note</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            </table>

            """
    }

    /// The source's title, linked when its address is a web address (never `javascript:` or the like).
    static func source(_ figure: FigureReader.Figure) -> HTML {
        guard let key = figure.source else { return HTML(escaped: Display.blank) }
        let title = figure.sourceTitle ?? key
        guard let url = figure.sourceURL, let scheme = URL(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            return "\(title)"
        }
        return "<a href=\"\(url)\" rel=\"noopener noreferrer\">\(title)</a>"
    }

    /// The definition: who made it and when, its source, tags and milestones, and its chain.
    static func about(_ c: Commitment, chain: DashboardReader.Chain) -> HTML {
        var facts: [(String, HTML)] = [("Key", "\(c.key)"), ("Metric", metricLink(c.metric, c.metric))]
        if let madeBy = c.madeBy { facts.append(("Made by", "\(madeBy)")) }
        if let madeOn = c.madeOn { facts.append(("Made on", "\(madeOn)")) }
        if let source = c.source { facts.append(("Source", "\(source)")) }
        if !c.tags.isEmpty { facts.append(("Tags", c.tags.map { "<a href=\"/?tag=\(query($0))\">\($0)</a>" as HTML }.joined(separator: ", "))) }
        if !c.milestones.isEmpty { facts.append(("Milestones", "\(c.milestones.map { "\(DecimalText.format($0.value)) by \($0.date)" }.joined(separator: "; "))")) }
        if let extends = chain.extends { facts.append(("Extends", commitmentLink(extends.key, extends.title))) }
        if !chain.extendedBy.isEmpty { facts.append(("Extended by", chain.extendedBy.map { commitmentLink($0.key, $0.title) }.joined(separator: ", "))) }
        let items = facts.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>\n" as HTML }
        return "<section aria-labelledby=\"about-title\">\n<h2 id=\"about-title\">The commitment</h2>\n<dl>\n\(items)</dl>\n</section>\n"
    }

    // MARK: The metric page

    struct MetricPage {
        let metric: Metric
        let commitments: [(key: String, title: String, status: String?)]
        let figures: [FigureReader.Figure]
    }

    static func metric(_ page: MetricPage) -> HTML {
        let metric = page.metric
        let commitments = page.commitments.map { "<li>\(commitmentLink($0.key, $0.title)) \(status($0.status))</li>\n" as HTML }
        let kind = metric.kind == .additive ? "an amount over each period" : "a level at each date"
        let list: HTML = commitments.isEmpty ? "<p>None yet.</p>" : "<ul class=\"on-metric\">\n\(commitments)</ul>"
        let main: HTML = """
            <h1>\(metric.name)</h1>
            <p class="lede">Metric <code>\(metric.key)</code>, in \(metric.unit): each figure is \(kind).</p>
            <section aria-labelledby="on-title">
            <h2 id="on-title">Commitments on this metric</h2>
            \(list)
            <p><a href="/?metric=\(query(metric.key))">These commitments in the overview</a></p>
            </section>
            <section aria-labelledby="figures-title">
            <h2 id="figures-title">The figures</h2>
            <p>\(page.figures.count) published figure\(page.figures.count == 1 ? "" : "s") and revisions, each with the date it was published.</p>
            \(figuresTable(page.figures, unit: metric.unit))</section>

            """
        return frame(title: metric.name, main: main, live: [("metric", metric.key)])
    }
}

extension Array where Element == HTML {
    func joined(separator: String) -> HTML {
        HTML(escaped: map(\.text).joined(separator: HTMLReport.escape(separator)))
    }
}
