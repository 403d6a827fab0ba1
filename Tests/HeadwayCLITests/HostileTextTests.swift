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

    @Test func hostileTextRoundTripsThroughApplyLoadReportsAndViews() throws {
        let fixture = try Fixture()
        let definitions = try fixture.write("definitions.json", try HostileText.definitions())
        let figures = try fixture.write("figures.csv", HostileText.figures())
        _ = try fixture.run(["apply", definitions])
        _ = try fixture.run(["load", figures])
        // Again: nothing changes.
        #expect(try fixture.run(["apply", definitions]).output.contains("0 created, 0 updated, \(3 * HostileText.textValues.count) unchanged"))
        #expect(try fixture.run(["load", figures]).output.contains("0 inserted, \(HostileText.textValues.count) unchanged"))

        // JSON: verbatim.
        let json = try fixture.run(["report", "--format", "json", "--as-of", "2024-07-31"]).output
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let commitments = try #require(report["commitments"] as? [[String: Any]])
        #expect(commitments.count == HostileText.textValues.count)
        for index in HostileText.textValues.indices {
            let commitment = try #require(commitments.first { $0["key"] as? String == HostileText.key(index) }, "\(index)")
            #expect(commitment["title"] as? String == HostileText.text(index))
            #expect(commitment["metric"] as? String == HostileText.key(index))
            #expect(commitment["unit"] as? String == HostileText.text(index))
            #expect(commitment["progress"] as? Int == 60)
        }

        // CSV: each title one field, as it was (a formula defused with a leading apostrophe).
        let csv = Self.parseCSV(try fixture.run(["report", "--format", "csv", "--as-of", "2024-07-31"]).output)
        let titleColumn = try #require(csv.first?.firstIndex(of: "title"))
        for index in HostileText.textValues.indices {
            var title = HostileText.text(index)
            if let first = title.first, "=+-@".contains(first) { title = "'" + title }
            #expect(csv.first { $0.first == HostileText.key(index) }?[titleColumn] == title, "\(index)")
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
            #expect(HostileText.controls(in: output) == [])
        }

        // The views, as a reader: verbatim.
        let reader = "hostile_reader_" + UUID().uuidString.prefix(6).lowercased()
        _ = try fixture.run(["db", "grant-reader", reader])
        let connection = try PostgresConnection(url: TestDatabase.url(fixture.url, user: reader))
        for index in HostileText.textValues.indices {
            let status = try connection.query("SELECT title, unit, tags[1], status FROM headway.commitment_status WHERE key = \(HostileText.key(index))")
            #expect(status.first?.values == [HostileText.text(index), HostileText.text(index), HostileText.key(index), "achieved"], "\(index)")
            let observation = try connection.query(
                "SELECT note, source, source_title, source_publisher, source_url FROM headway.observation_current WHERE metric = \(HostileText.key(index))")
            #expect(observation.first?.values == [HostileText.text(index), HostileText.key(index), HostileText.text(index), HostileText.text(index), HostileText.text(index)])
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
