import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// Hostile text in every text field goes through apply, load, every report format and the
/// views verbatim where the format keeps text (JSON, the database), escaped where it is markup
/// (HTML, Markdown), quoted in CSV, and with terminal controls neutralised in text
/// (docs/RELIABILITY.md).
@Suite struct HostileTextTests {
    /// Valid as keys too: no control characters, no surrounding spaces, at most 200 characters.
    static let keyValues = [
        "'; DROP TABLE headway.observations; --", "Robert\"); DELETE FROM headway.commitments;--",
        #"back\slash \\ \n \t \0 \'"#, "\u{202E}evil\u{202C} שלום مرحبا", "e\u{301}\u{301} Z\u{335}\u{321}a\u{334}l\u{338}g\u{337}o",
        "🏴‍☠️👩🏽‍💻🇬🇧", "<script>alert(1)</script><img src=x onerror=alert(2)>", "=HYPERLINK(\"http://evil.example\",\"x\")",
        "| pipe | *star* _under_ [link](javascript:alert(1))", "$1 $$ %s %n {0} \\(x) ${HOME} `id`",
    ]
    /// Only for free text: terminal escapes, line breaks, a 100 kB string.
    static let textValues =
        keyValues + [
            "\u{1B}[31mred\u{1B}[0m\u{07}\u{9B}2J\u{1B}]0;title\u{07}", "line one\nline two\r\nline three",
            String(repeating: "Ab<>&\"'\\ ü🙂 ", count: 7_000),
        ]

    struct Fixture {
        let url: String
        private let scratch: ScratchDirectory
        var directory: URL { scratch.url }

        init() throws {
            url = try TestDatabase.create()
            scratch = try ScratchDirectory("hostile")
        }

        func write(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }

        func run(_ arguments: [String]) throws -> ChildProcess.Outcome {
            let outcome = try HeadwayBinary.run(arguments, url: url)
            #expect(outcome.succeeded, "\(arguments.first ?? ""): \(outcome.errors)")
            return outcome
        }
    }

    static func key(_ index: Int) -> String { "k\(index) " + keyValues[index % keyValues.count] }
    static func text(_ index: Int) -> String { textValues[index] }

    /// Definitions as JSON (which `headway apply` accepts), so every value is escaped exactly.
    static func definitions() throws -> Data {
        let indices = Array(textValues.indices)
        let object: [String: Any] = [
            "sources": indices.map { ["key": key($0), "title": text($0), "publisher": text($0), "url": text($0)] },
            "metrics": indices.map { ["key": key($0), "name": text($0), "unit": text($0), "kind": "additive"] },
            "commitments": indices.map {
                [
                    "key": key($0), "title": text($0), "metric": key($0), "source": key($0), "made_by": text($0),
                    "baseline": ["date": "2024-01"], "target": ["value": "50"], "deadline": "2024-12", "tags": [key($0)],
                ] as [String: Any]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// RFC 4180: every field quoted, quotes doubled.
    static func figures() -> Data {
        func quoted(_ field: String) -> String { "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = "metric,period_start,period_end,value,qualifier,source,published_on,note\r\n"
        for index in textValues.indices {
            text += [key(index), "2024-01", "2024-06", "60", "exact", key(index), "2024-07-01", self.text(index)].map(quoted).joined(separator: ",") + "\r\n"
        }
        return Data(text.utf8)
    }

    @Test func hostileTextRoundTripsThroughApplyLoadReportsAndViews() throws {
        let fixture = try Fixture()
        let definitions = try fixture.write("definitions.json", try Self.definitions())
        let figures = try fixture.write("figures.csv", Self.figures())
        _ = try fixture.run(["apply", definitions])
        _ = try fixture.run(["load", figures])
        // Again: nothing changes.
        #expect(try fixture.run(["apply", definitions]).output.contains("0 created, 0 updated, \(3 * Self.textValues.count) unchanged"))
        #expect(try fixture.run(["load", figures]).output.contains("0 inserted, \(Self.textValues.count) unchanged"))

        // JSON: verbatim.
        let json = try fixture.run(["report", "--format", "json", "--as-of", "2024-07-31"]).output
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let commitments = try #require(report["commitments"] as? [[String: Any]])
        #expect(commitments.count == Self.textValues.count)
        for index in Self.textValues.indices {
            let commitment = try #require(commitments.first { $0["key"] as? String == Self.key(index) }, "\(index)")
            #expect(commitment["title"] as? String == Self.text(index))
            #expect(commitment["metric"] as? String == Self.key(index))
            #expect(commitment["unit"] as? String == Self.text(index))
            #expect(commitment["progress"] as? Int == 60)
        }

        // CSV: each title one field, as it was (a formula defused with a leading apostrophe).
        let csv = Self.parseCSV(try fixture.run(["report", "--format", "csv", "--as-of", "2024-07-31"]).output)
        let titleColumn = try #require(csv.first?.firstIndex(of: "title"))
        for index in Self.textValues.indices {
            var title = Self.text(index)
            if let first = title.first, "=+-@".contains(first) { title = "'" + title }
            #expect(csv.first { $0.first == Self.key(index) }?[titleColumn] == title, "\(index)")
        }

        // HTML and Markdown: no markup gets through; text: no terminal control gets through.
        let html = try fixture.run(["report", "--format", "html", "--as-of", "2024-07-31"]).output
        let markdown = try fixture.run(["report", "--format", "markdown", "--as-of", "2024-07-31"]).output
        let text = try fixture.run(["report", "--format", "text", "--as-of", "2024-07-31"]).output
        for page in [html, markdown] {
            #expect(!page.contains("<script>") && !page.contains("<img"))
        }
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        for output in [text, markdown, html] {
            let forbidden = output.unicodeScalars.filter {
                $0.value == 0x1B || $0.value == 0x07 || (0x80...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
            }
            #expect(forbidden.isEmpty, "\(forbidden.map { String($0.value, radix: 16) })")
        }

        // The views, as a reader: verbatim.
        let reader = "hostile_reader_" + UUID().uuidString.prefix(6).lowercased()
        _ = try fixture.run(["db", "grant-reader", reader])
        let connection = try PostgresConnection(url: TestDatabase.url(fixture.url, user: reader))
        for index in Self.textValues.indices {
            let status = try connection.query("SELECT title, unit, tags[1], status FROM headway.commitment_status WHERE key = \(Self.key(index))")
            #expect(status.first?.values == [Self.text(index), Self.text(index), Self.key(index), "achieved"], "\(index)")
            let observation = try connection.query(
                "SELECT note, source, source_title, source_publisher, source_url FROM headway.observation_current WHERE metric = \(Self.key(index))")
            #expect(observation.first?.values == [Self.text(index), Self.key(index), Self.text(index), Self.text(index), Self.text(index)])
        }
    }

    /// RFC 4180, strictly: fields separated by commas, quoted fields with doubled quotes, CRLF rows.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, wasQuote = false
        for character in text {
            if quoted {
                if character == "\"" { quoted = false; wasQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"": if wasQuote { field.append("\"") }; quoted = true
            case ",": row.append(field); field = ""
            case "\r\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(character)
            }
            wasQuote = false
        }
        return rows
    }

    @Test func aKeyThatCannotBeOneIsRefusedWithItsLine() throws {
        let fixture = try Fixture()
        let cases = [
            (String(repeating: "k", count: 100_000), "a key is at most 200 characters"),
            ("tab\there", "a key must not contain control characters"),
            (" padded", "a key must not start or end with spaces"),
        ]
        for (key, message) in cases {
            let body = try JSONSerialization.data(withJSONObject: ["metrics": [["key": key, "name": "n", "unit": "u", "kind": "level"]]])
            let path = try fixture.write("bad.json", body)
            let outcome = try HeadwayBinary.run(["apply", path], url: fixture.url)
            #expect(outcome.status == 2 && outcome.errors.contains("\(path):1: ") && outcome.errors.contains(message), "\(outcome.errors.prefix(300))")
        }
        let connection = try PostgresConnection(url: fixture.url)
        #expect(try connection.query("SELECT count(*) FROM headway.metrics")[0].decode(Int.self, at: 0) == 0)
    }
}
