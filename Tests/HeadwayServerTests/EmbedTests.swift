import Foundation
import HeadwayReport
import TestSupport
import Testing

@testable import HeadwayServer

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Badges, embeds and the chart alone over real HTTP: what each says, that the SVG is
/// well-formed XML, their caching, and that the embed alone may be framed (by the origins of
/// --embed-origins, or any) while every other page still may not. The browser's view of them,
/// framed on another origin and checked by axe, is in `EmbedBrowserTests`.
@Suite struct EmbedTests {
    /// Whether `data` is well-formed XML.
    static func isXML(_ data: Data) -> Bool { XMLParser(data: data).parse() }

    @Test func badgeSaysTheStatusInWordsAndMarkWithTheChance() async throws {
        let server = try await RunningServer(url: try FeedTests.create())
        let badge = try await server.get("/badges/closures-100.svg")
        let achieved = try await server.get("/badges/officers-1500.svg")
        let unassessed = try await server.get("/badges/zz-unassessed.svg")
        let awkward = try await server.get("/badges/\(pathSegment(Portfolio.awkwardKey)).svg")
        let missing = try await server.get("/badges/nobody.svg")
        let revalidated = try await server.get("/badges/closures-100.svg", headers: ["If-None-Match": badge.headers["etag"] ?? ""])
        try await server.stop()
        #expect(badge.status == 200 && badge.contentType == "image/svg+xml; charset=utf-8")
        #expect(Self.isXML(badge.body))
        let svg = badge.text
        #expect(svg.contains("role=\"img\"") && svg.contains("<title>Close 100 lines in 2024: "))
        #expect(svg.contains(#/[●▲▼◔✓✗] (on track|at risk|off track|missed|achieved|awaiting data)/#))
        #expect(svg.contains("%</text>") || svg.contains("missed") || svg.contains("achieved"), "\(svg)")
        #expect(achieved.text.contains("✓ achieved</text>") && !achieved.text.contains("%</text>"))
        #expect(unassessed.text.contains("not assessed"))
        #expect(awkward.status == 200 && awkward.text.contains("<title>Close 2,000 County Lines a year: "))
        #expect(missing.status == 404 && Self.isXML(missing.body) && missing.text.contains("no such commitment"))
        #expect(badge.headers["etag"] != nil && badge.headers["cache-control"] == "max-age=300")
        #expect(revalidated.status == 304 && revalidated.headers["cache-control"] == "max-age=300")
    }

    /// WCAG's contrast ratio of white on `hex` ("#1a7f37").
    static func contrastWithWhite(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16)!
        func linear(_ channel: Int) -> Double {
            let c = Double(channel) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * linear(value >> 16) + 0.7152 * linear((value >> 8) & 0xFF) + 0.0722 * linear(value & 0xFF)
        return 1.05 / (luminance + 0.05)
    }

    @Test func badgeTextIsLegibleOnEveryColour() {
        for colour in Assessment.Status.allCases.map(StatusBadge.colour) + [StatusBadge.label, StatusBadge.neutral] {
            #expect(Self.contrastWithWhite(colour) >= 4.5, "\(colour)")
        }
    }

    @Test func theEmbedAloneMayBeFramed() async throws {
        let url = try FeedTests.create()
        let server = try await RunningServer(url: url)
        let embed = try await server.get("/embed/commitments/closures-100")
        let missing = try await server.get("/embed/commitments/nobody")
        let page = try await server.get("/commitments/closures-100")
        try await server.stop()
        let policy = try #require(embed.headers["content-security-policy"])
        #expect(policy.hasSuffix("frame-ancestors *") && policy.contains("script-src") == false && policy.hasPrefix("default-src 'none'"))
        #expect(embed.headers["x-frame-options"] == nil)
        #expect(page.headers["content-security-policy"]?.hasSuffix("frame-ancestors 'none'") == true)
        let html = embed.text
        #expect(html.contains("<body class=\"embed\">") && !html.contains("<script") && !html.contains("class=\"site\""))
        #expect(html.contains("<a href=\"http://127.0.0.1:\(server.port)/commitments/closures-100\" target=\"_blank\" rel=\"noopener\">Close 100 lines in 2024</a>"))
        #expect(html.contains("<svg class=\"wide\"") && html.contains("<svg class=\"narrow\"") && html.contains("class=\"legend\""))
        #expect(missing.status == 404 && missing.headers["content-security-policy"] == policy && missing.text.contains("There is no commitment"))

        let chosen = try await RunningServer(url: url) { $0.embedOrigins = ["https://news.example.org", "http://localhost:8000"] }
        let framed = try await chosen.get("/embed/commitments/closures-100")
        try await chosen.stop()
        #expect(framed.headers["content-security-policy"]?.hasSuffix("frame-ancestors https://news.example.org http://localhost:8000") == true)
    }

    @Test func theChartAloneIsAnSVGDocument() async throws {
        let server = try await RunningServer(url: try FeedTests.create())
        let chart = try await server.get("/commitments/closures-100/chart.svg")
        let awkward = try await server.get("/commitments/\(pathSegment(Portfolio.awkwardKey))/chart.svg")
        let missing = try await server.get("/commitments/nobody/chart.svg")
        try await server.stop()
        #expect(chart.status == 200 && chart.contentType == "image/svg+xml; charset=utf-8" && Self.isXML(chart.body))
        #expect(chart.text.hasPrefix("<svg class=\"wide\" viewBox=\"0 0 640 260\" role=\"img\" aria-label=\"Close 100 lines in 2024: progress against plan"))
        #expect(chart.text.contains("xmlns=\"http://www.w3.org/2000/svg\"") && chart.text.contains("<title>Close 100 lines in 2024: progress against plan"))
        #expect(chart.headers["cache-control"] == "max-age=300")
        #expect(awkward.status == 200 && Self.isXML(awkward.body))
        #expect(missing.status == 404 && missing.contentType == "application/problem+json")
    }

    @Test func theCommitmentPageOffersItsCardFeedBadgeAndEmbed() async throws {
        let server = try await RunningServer(url: try FeedTests.create())
        let page = try await server.get("/commitments/officers-1500").text
        let overview = try await server.get("/?tag=crime").text
        try await server.stop()
        let base = "http://127.0.0.1:\(server.port)"
        #expect(page.contains("<meta property=\"og:title\" content=\"1,500 officers in post by 2026\">"))
        #expect(page.contains("<meta property=\"og:url\" content=\"\(base)/commitments/officers-1500\">"))
        #expect(page.contains("<meta name=\"twitter:card\" content=\"summary\">"))
        #expect(page.contains(#/<meta property="og:description" content="Achieved: the target was met by the deadline[^"]*Latest figure 1,600 officers/#))
        #expect(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Status changes\" href=\"/feeds/status.atom?commitment=officers-1500\">"))
        #expect(overview.contains("href=\"/feeds/status.atom?tag=crime\">"))
        // The snippet is text to copy: the markup escaped once more.
        #expect(page.contains("&lt;iframe src=&quot;\(base)/embed/commitments/officers-1500&quot; title=&quot;1,500 officers in post by 2026: progress against the plan&quot;"))
        #expect(page.contains("[![Headway status](\(base)/badges/officers-1500.svg)](\(base)/commitments/officers-1500)"))
    }

    @Test func hostileTextStaysTextInBadgesEmbedsAndCards() async throws {
        let server = try await RunningServer(url: try DashboardHostileTextTests.create())
        var answers: [(String, RunningServer.Answer)] = []
        for index in HostileText.textValues.indices {
            let key = pathSegment(HostileText.key(index))
            for path in ["/badges/\(key).svg", "/embed/commitments/\(key)", "/commitments/\(key)/chart.svg", "/commitments/\(key)"] {
                answers.append((path, try await server.get(path)))
            }
        }
        try await server.stop()
        for (path, answer) in answers {
            #expect(answer.status == 200, "\(path)")
            #expect(!answer.text.contains("<script>") && !answer.text.contains("<img") && HostileText.controls(in: answer.text).isEmpty, "\(path)")
            if path.hasSuffix(".svg") { #expect(Self.isXML(answer.body), "\(path)") }
        }
    }
}
