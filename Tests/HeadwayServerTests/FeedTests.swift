import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@testable import HeadwayServer

/// The status feed (`/feeds/status.atom`) read by feedparser (`browser/feed.py`), as feed readers
/// read it: one entry per status change with its title, link, id and time, the filters, the
/// absolute links from --public-url or the Host, revalidation, and hostile text kept whole.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FeedTests {
    struct Parsed: Decodable {
        struct Feed: Decodable {
            struct Link: Decodable {
                let rel: String?, href: String?, type: String?
            }

            let id: String?, title: String?, updated: String?, links: [Link], author: String?
        }

        struct Entry: Decodable {
            let id: String?, title: String?, link: String?, updated: String?, updated_parsed: Bool, summary: String?, tags: [String]
        }

        let bozo: Bool
        let bozo_exception: String
        let version: String
        let content_type: String
        let feed: Feed
        let entries: [Entry]
    }

    /// What feedparser makes of each of `urls`.
    static func parse(_ urls: [String]) async throws -> [String: Parsed] {
        let output = try await DashboardBrowserTests.run("feed.py", config: ["urls": urls])
        return try JSONDecoder().decode([String: Parsed].self, from: output)
    }

    /// The portfolio, then a figure that meets officers-1500's target, assessed: its status changes.
    static func create() throws -> String {
        let url = try Portfolio.create()
        try DashboardTests.load(
            """
            metric,period_start,period_end,value,qualifier,source,published_on,note
            officers,,2025-06-30,1600,,answer,2025-07-10,met
            """, url: url)
        try AssessmentStore(connection: try PostgresConnection(url: url)).assessAndStore(keys: ["officers-1500"])
        return url
    }

    @Test func oneEntryPerStatusChangeNewestFirstValidAtom() async throws {
        let server = try await RunningServer(url: try Self.create())
        let base = "http://127.0.0.1:\(server.port)"
        let parsed = try await Self.parse([base + "/feeds/status.atom"])
        try await server.stop()
        let feed = try #require(parsed.first?.value)
        #expect(!feed.bozo, "\(feed.bozo_exception)")
        #expect(feed.version == "atom10")
        #expect(feed.content_type == "application/atom+xml; charset=utf-8")
        #expect(feed.feed.id == base + "/feeds/status.atom")
        #expect(feed.feed.links.contains { $0.rel == "self" && $0.href == base + "/feeds/status.atom" })
        #expect(feed.feed.updated == feed.entries.first?.updated)
        // Three first statuses (the portfolio's assessments), then officers-1500's change.
        #expect(feed.entries.count == 4)
        let newest = try #require(feed.entries.first)
        let first = try #require(feed.entries.first { $0.title?.hasPrefix("officers-1500: ") == true && $0.title?.contains("→") == false })
        let was = try #require(first.title?.replacingOccurrences(of: "officers-1500: ", with: ""))
        #expect(newest.title == "officers-1500: \(was) → achieved")
        #expect(newest.link == base + "/commitments/officers-1500")
        #expect(newest.tags == ["achieved"])
        #expect(newest.summary?.contains("1,500 officers in post by 2026: achieved, was \(was.replacingOccurrences(of: "_", with: " "))") == true)
        #expect(first.summary?.contains("chance of meeting the target") == true, "\(first.summary ?? "")")
        #expect(feed.entries.allSatisfy { $0.updated_parsed && $0.id?.hasPrefix("tag:127.0.0.1,") == true })
        #expect(Set(feed.entries.compactMap(\.id)).count == 4)
        let awkward = try #require(feed.entries.first { $0.title?.hasPrefix(Portfolio.awkwardKey) == true })
        #expect(awkward.link == base + "/commitments/" + pathSegment(Portfolio.awkwardKey))
    }

    @Test func filtersByTagAndCommitment() async throws {
        let server = try await RunningServer(url: try Self.create())
        let base = "http://127.0.0.1:\(server.port)/feeds/status.atom"
        let urls = [base + "?commitment=officers-1500", base + "?tag=crime", base + "?tag=nobody", base + "?tag=crime&commitment=officers-1500"]
        let feeds = try await Self.parse(urls)
        #expect(feeds[urls[0]]?.entries.map { $0.title?.prefix(15) } == ["officers-1500: ", "officers-1500: "])
        #expect(feeds[urls[0]]?.feed.links.first { $0.rel == "alternate" }?.href == "http://127.0.0.1:\(server.port)/commitments/officers-1500")
        #expect(Set(feeds[urls[1]]?.entries.compactMap { $0.title?.components(separatedBy: ": ").first } ?? []) == ["closures-100", Portfolio.awkwardKey.components(separatedBy: ": ").first!])
        #expect(feeds[urls[2]]?.entries.isEmpty == true && feeds[urls[2]]?.bozo == false)
        #expect(feeds[urls[3]]?.entries.isEmpty == true)
        #expect(try await server.get("/feeds/status.atom?commitment=nobody").status == 404)
        #expect(try await server.get("/feeds/status.atom?status=achieved").status == 400)
        #expect(try await server.get("/feeds/status.atom?tag=a&tag=b").status == 400)
        #expect(try await server.get("/feeds/status.atom", method: "POST").status == 405)
        try await server.stop()
    }

    @Test func linksComeFromThePublicURLOrTheHost() async throws {
        let url = try Self.create()
        let server = try await RunningServer(url: url) { $0.publicURL = "https://pledges.example.org/track" }
        let text = try await server.get("/feeds/status.atom").text
        try await server.stop()
        #expect(text.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://pledges.example.org/track/feeds/status.atom\"/>"))
        #expect(text.contains("href=\"https://pledges.example.org/track/commitments/officers-1500\""))
        #expect(text.contains("<id>tag:pledges.example.org,"))
        let plain = try await RunningServer(url: url)
        let byHost = try await plain.get("/feeds/status.atom", headers: ["Host": "localhost:\(plain.port)"])
        let refused = try await plain.get("/feeds/status.atom", headers: ["Host": "evil.example/<x>"])
        try await plain.stop()
        #expect(byHost.text.contains("href=\"http://localhost:\(plain.port)/commitments/officers-1500\""))
        #expect(refused.status == 400)
    }

    @Test func revalidatesByTheStateVersion() async throws {
        let url = try Self.create()
        let server = try await RunningServer(url: url)
        let first = try await server.get("/feeds/status.atom")
        let tag = try #require(first.headers["etag"])
        #expect(first.headers["cache-control"] == "no-cache")
        #expect(try await server.get("/feeds/status.atom", headers: ["If-None-Match": tag]).status == 304)
        // Another Host is another answer (its links differ), so another tag.
        #expect(try await server.get("/feeds/status.atom", headers: ["Host": "localhost:\(server.port)"]).headers["etag"] != tag)
        try await server.stop()
    }

    @Test func hostileTextKeepsTheFeedWhole() async throws {
        let server = try await RunningServer(url: try DashboardHostileTextTests.create())
        let base = "http://127.0.0.1:\(server.port)/feeds/status.atom"
        let tagged = base + "?tag=" + pathSegment(HostileText.key(6))
        let feeds = try await Self.parse([base, tagged])
        let text = try await server.get("/feeds/status.atom").text
        try await server.stop()
        let all = try #require(feeds[base]), one = try #require(feeds[tagged])
        #expect(!all.bozo && !one.bozo, "\(all.bozo_exception) \(one.bozo_exception)")
        #expect(all.entries.count == HostileText.textValues.count)
        #expect(one.entries.count == 1)
        #expect(one.entries.first?.link == "http://127.0.0.1:\(server.port)/commitments/" + pathSegment(HostileText.key(6)))
        #expect(!text.contains("<script>") && HostileText.controls(in: text).isEmpty)
    }
}
