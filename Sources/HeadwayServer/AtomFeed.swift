import Foundation
import HeadwayReport
import HeadwayStore

/// The status feed as Atom (RFC 4287, https://www.rfc-editor.org/rfc/rfc4287): one entry per
/// change of a commitment's status in the event log, newest first.
///
/// Written with the `HTML` type, whose escaping suits XML as well: it makes only `&amp;`,
/// `&lt;`, `&gt;`, `&quot;` and `&#39;`, and turns the control characters XML 1.0 forbids
/// into U+FFFD, so no text from the database can break the document.
enum AtomFeed {
    /// What the feed holds: the changes, and what they were chosen by.
    struct Feed {
        let changes: [EventLog.StatusChange]
        let tag: String?
        let commitment: String?
        /// The scheme, host and port links start with (`PublicLinks`).
        let base: String
        /// When the request was answered, RFC 3339: the feed's `updated` when it has no entry.
        let now: String
    }

    static func document(_ feed: Feed) -> HTML {
        let title = feed.commitment.map { "Headway: status changes of \($0)" }
            ?? feed.tag.map { "Headway: status changes of commitments tagged \($0)" } ?? "Headway: status changes"
        let page = feed.base + (feed.commitment.map { "/commitments/\(DashboardPage.segment($0))" } ?? feed.tag.map { "/?tag=\(DashboardPage.query($0))" } ?? "/")
        let entries = feed.changes.map { entry($0, base: feed.base) }
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <id>\(selfLink(feed))</id>
            <title>\(title)</title>
            <subtitle>Each change of a commitment's status, as Headway assessed it, newest first (the last \(StatusFeed.limit) the event log keeps).</subtitle>
            <updated>\(feed.changes.first?.updated ?? feed.now)</updated>
            <link rel="self" type="application/atom+xml" href="\(selfLink(feed))"/>
            <link rel="alternate" type="text/html" href="\(page)"/>
            <author><name>Headway</name></author>
            <generator>Headway</generator>
            \(entries)</feed>

            """
    }

    /// The feed's own address: the path with its filters, in a fixed order.
    static func selfLink(_ feed: Feed) -> String {
        let filters = [("tag", feed.tag), ("commitment", feed.commitment)].compactMap { name, value in value.map { "\(name)=\(DashboardPage.query($0))" } }
        return feed.base + StatusFeed.path + (filters.isEmpty ? "" : "?" + filters.joined(separator: "&"))
    }

    static func entry(_ change: EventLog.StatusChange, base: String) -> HTML {
        let from = change.previousStatus.map { "\($0.rawValue) → " } ?? ""
        return """
            <entry>
            <id>\(id(change, base: base))</id>
            <title>\(change.key): \(from)\(change.status.rawValue)</title>
            <updated>\(change.updated)</updated>
            <link rel="alternate" type="text/html" href="\(base)/commitments/\(DashboardPage.segment(change.key))"/>
            <category term="\(change.status.rawValue)" label="\(Display.words(change.status))"/>
            <summary>\(summary(change))</summary>
            </entry>

            """
    }

    /// A tag URI (RFC 4151) per event and commitment, the same every time the feed is read
    /// through the same address: "tag:pledges.example.org,2026-12-07:status/412/closures-100".
    static func id(_ change: EventLog.StatusChange, base: String) -> String {
        "tag:\(PublicLinks.host(of: base)),\(change.updated.prefix(10)):status/\(change.eventID)/\(DashboardPage.segment(change.key))"
    }

    /// The change in words, then the chance in words and the reason, as the assessment gave them.
    static func summary(_ change: EventLog.StatusChange) -> String {
        var text = "\(change.title): \(Display.words(change.status))"
        text += change.previousStatus.map { ", was \(Display.words($0))" } ?? " (its first assessment)"
        text += ", assessed as of \(change.asOf)."
        if let chance = Display.chanceInWords(change.status, probability: change.probabilityMet) {
            text += " \(chance.prefix(1).uppercased() + chance.dropFirst()) (\(Display.probability(change.probabilityMet)))."
        }
        if let reason = change.reason { text += " Why: \(reason)" }
        return text
    }
}
