import Foundation
import HeadwayModel
import HeadwayReport

/// What the dashboard gives other sites: the embed page (a commitment's headline and chart, made
/// for an `<iframe>`), and on the commitment page its share card (Open Graph and Twitter meta)
/// and the feed, badge and embed to copy.
extension DashboardPage {
    /// The embed: no site chrome, no script; the title links back to the commitment's page (in
    /// a new tab, out of the frame), then the verdict, the chart with its legend, and the target.
    static func embed(_ a: Assessment, base: String) -> HTML {
        let page = base + "/commitments/\(segment(a.key))"
        let main: HTML = """
            <h1><a href="\(page)" target="_blank" rel="noopener">\(a.title)</a></h1>
            <div class="verdict">\(HTMLReport.verdict(a))</div>
            <figure class="chart">
            \(HTMLReport.chart(a, .wide))\(HTMLReport.chart(a, .narrow))<figcaption class="legend">\(HTMLReport.legend)</figcaption>
            </figure>
            <p class="credit">Target \(Display.target(a)) by \(a.deadline); latest figure \(Display.latest(a)).
            <a href="\(page)" target="_blank" rel="noopener">The figures and their sources on Headway</a></p>

            """
        return embedFrame(title: a.title, main: main, canonical: page)
    }

    static func embedError(_ message: String) -> HTML {
        embedFrame(title: "Not shown", main: "<p class=\"problem\">\(message)</p>\n", canonical: nil)
    }

    static func embedFrame(title: String, main: HTML, canonical: String?) -> HTML {
        let link: HTML = canonical.map { "<link rel=\"canonical\" href=\"\($0)\">\n" } ?? .empty
        return opening(title: title) + """
            \(link)</head>
            <body class="embed">
            <main>
            \(main)</main>
            </body>
            </html>

            """
    }

    /// The page's card where it is shared (Open Graph, Twitter): its title, and its status and
    /// chance in a sentence.
    static func shareMeta(_ story: Story) -> HTML {
        let definition = story.definition
        let url = story.base + "/commitments/\(segment(definition.key))"
        var description = "Not assessed: the commitment was made after \(story.asOf?.description ?? "today")."
        if let a = story.assessment {
            let words = Display.words(a.status)
            description = "\(words.prefix(1).uppercased() + words.dropFirst()): \(Display.statusAndChance(a))"
            if a.probabilityMet != nil, Display.chanceInWords(a) != nil { description += " (\(Display.probability(a.probabilityMet)))" }
            description += ". Latest figure \(Display.latest(a)); target \(Display.target(a)) by \(a.deadline)."
        }
        let pairs: [(String, String, String)] = [
            ("name", "description", description), ("property", "og:type", "website"), ("property", "og:site_name", "Headway"),
            ("property", "og:title", definition.title), ("property", "og:description", description), ("property", "og:url", url),
            ("name", "twitter:card", "summary"), ("name", "twitter:title", definition.title), ("name", "twitter:description", description),
        ]
        return pairs.map { "<meta \($0.0)=\"\($0.1)\" content=\"\($0.2)\">\n" as HTML }.joined()
    }

    /// The feed, the badge and the embed, each to copy.
    static func share(_ story: Story) -> HTML {
        let key = segment(story.definition.key), base = story.base, title = story.definition.title
        let feed = "\(StatusFeed.path)?commitment=\(query(story.definition.key))"
        // The snippets are markup for another page, shown here as text: made as HTML (so the
        // title is escaped inside them), then interpolated as text (so they are escaped again, to show).
        let iframe: HTML = """
            <iframe src="\(base)/embed/commitments/\(key)" title="\(title): progress against the plan" width="100%" height="480" style="border:0" loading="lazy"></iframe>
            """
        let badge = "[![Headway status](\(base)/badges/\(key).svg)](\(base)/commitments/\(key))"
        return """
            <section aria-labelledby="share-title" class="share">
            <h2 id="share-title">Follow and embed</h2>
            <p><a href="\(feed)">Status changes as an Atom feed</a> · <a href="/badges/\(key).svg">The status badge</a>
            · <a href="/commitments/\(key)/chart.svg">The chart as SVG</a> · <a href="/embed/commitments/\(key)">The embed on its own</a></p>
            <div class="field"><label for="embed-code">To show the chart on another site, put this in its page:</label>
            <textarea id="embed-code" readonly rows="4">\(iframe.text)</textarea></div>
            <div class="field"><label for="badge-code">The badge, in Markdown:</label>
            <textarea id="badge-code" readonly rows="3">\(badge)</textarea></div>
            </section>

            """
    }
}
