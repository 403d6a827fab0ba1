import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import HeadwayStore
import TestSupport
import Testing

/// History, metrics, observations, figures on points, sorting and CSV: each answer held against
/// the views (PostgreSQL compares the rows itself, with each column's own type).
@Suite struct ReadEndpointsTests {
    /// The portfolio with a revised figure (Q2 30 -> 32, published 2024-08-01) and past assessments,
    /// so history has changes and observations have revisions.
    static func portfolio() throws -> String {
        let url = try Portfolio.create()
        let connection = try PostgresConnection(url: url)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("revision-\(UUID().uuidString).csv")
        try Data("metric,period_start,period_end,value,source,published_on,note\nclosures,2024-04,2024-06,32,answer,2024-08-01,revised\n".utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try ObservationLoader(connection: connection).load([file.path])
        let store = AssessmentStore(connection: connection)
        for day in ["2024-02-15", "2024-04-30", "2024-07-31"] {
            try store.assessAndStore(keys: ["closures-100", Portfolio.awkwardKey], asOf: try CivilDate(parsing: day))
        }
        try store.assessAndStore(keys: ["closures-100", Portfolio.awkwardKey, "officers-1500"])
        return url
    }

    /// How many rows of `rows` (JSON objects) and of `sql` differ, read back into `type`'s row type.
    static func differences(_ rows: Any?, _ sql: String, as type: String, _ connection: PostgresConnection) throws -> Int {
        let text = String(data: try JSONSerialization.data(withJSONObject: rows ?? []), encoding: .utf8)!
        return try connection.query(
            """
            SELECT count(*) FROM (
                (SELECT * FROM json_populate_recordset(NULL::\(unsafeSQL: type), \(text)::json) EXCEPT ALL \(unsafeSQL: sql))
                UNION ALL
                (\(unsafeSQL: sql) EXCEPT ALL SELECT * FROM json_populate_recordset(NULL::\(unsafeSQL: type), \(text)::json))) d
            """)[0].decode(Int.self, at: 0)
    }

    @Test func historyIsTheStatusHistoryView() async throws {
        let url = try Self.portfolio()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/commitments/closures-100/history")
        let awkward = try await server.get("/api/v1/commitments/\(pathSegment(Portfolio.awkwardKey))/history")
        let none = try await server.get("/api/v1/commitments/zz-unassessed/history")
        let unknown = try await server.get("/api/v1/commitments/no-such-thing/history")
        try await server.stop()
        #expect(answer.status == 200)
        let rows = answer.object["history"] as? [[String: Any]] ?? []
        let expected = try connection.query("SELECT count(*) FROM headway.status_history WHERE commitment_key = 'closures-100'")[0].decode(Int.self, at: 0)
        #expect(rows.count == expected)
        #expect(rows.count >= 2)  // not started, then assessed
        #expect(rows.first?["previous_status"] is NSNull)
        #expect(rows.map { $0["as_of"] as? String ?? "" } == rows.map { $0["as_of"] as? String ?? "" }.sorted())
        let view = "SELECT * FROM headway.status_history WHERE commitment_key = 'closures-100'"
        #expect(try Self.differences(rows, view, as: "headway.status_history", connection) == 0)
        #expect(answer.object["key"] as? String == "closures-100")
        #expect((awkward.object["history"] as? [[String: Any]])?.first?["commitment_key"] as? String == Portfolio.awkwardKey)
        #expect(none.status == 200)
        #expect((none.object["history"] as? [Any])?.isEmpty == true)
        #expect(unknown.status == 404)
        #expect(unknown.contentType == "application/problem+json")
    }

    @Test func metricsAreCountedFromTheFiguresAndCommitments() async throws {
        let url = try Self.portfolio()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/metrics")
        try await server.stop()
        #expect(answer.status == 200)
        let rows = answer.object["metrics"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["key"] as? String } == ["closures", "officers"])
        for row in rows {
            let key = row["key"] as? String ?? ""
            let counts = try connection.query(
                """
                SELECT (SELECT count(*) FROM headway.observation_current WHERE metric = \(key)),
                       (SELECT count(*) FROM headway.observation_revisions WHERE metric = \(key)),
                       (SELECT max(period_end)::text FROM headway.observation_current WHERE metric = \(key)),
                       (SELECT max(published_on)::text FROM headway.observation_revisions WHERE metric = \(key)),
                       (SELECT unit FROM headway.metrics WHERE key = \(key))
                """)[0]
            #expect(try row["figures"] as? Int == counts.decode(Int.self, at: 0))
            #expect(try row["revisions"] as? Int == counts.decode(Int.self, at: 1))
            #expect(row["latest_period_end"] as? String == counts[2])
            #expect(row["latest_published_on"] as? String == counts[3])
            #expect(row["unit"] as? String == counts[4])
            let commitments = try connection.query("SELECT key FROM headway.commitment_status WHERE metric = \(key) ORDER BY key COLLATE \"C\"")
            #expect(row["commitments"] as? [String] == (try commitments.map { try $0.decode(String.self, at: 0) }))
        }
        #expect(rows.first?["figures"] as? Int == 3)
        #expect(rows.first?["revisions"] as? Int == 4)
        #expect(rows.first?["kind"] as? String == "additive")
    }

    @Test func observationsAreTheViewsRowsCurrentAsOfOrEveryRevision() async throws {
        let url = try Self.portfolio()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        func rows(_ query: String) async throws -> [[String: Any]] {
            let answer = try await server.get("/api/v1/metrics/closures/observations\(query)")
            #expect(answer.status == 200, "\(query)")
            #expect(answer.object["metric"] as? String == "closures")
            return answer.object["observations"] as? [[String: Any]] ?? []
        }
        func values(_ query: String) async throws -> [Int] { try await rows(query).compactMap { $0["value"] as? Int } }
        let current = try await rows("")
        #expect(try Self.differences(current, "SELECT * FROM headway.observation_current WHERE metric = 'closures'", as: "headway.observation_current", connection) == 0)
        let all = try await rows("?revisions=all")
        #expect(try Self.differences(all, "SELECT * FROM headway.observation_revisions WHERE metric = 'closures'", as: "headway.observation_revisions", connection) == 0)
        #expect(Set(all.first.map { Array($0.keys) } ?? []) == Set(current.first.map { Array($0.keys) } ?? []))
        #expect(try await values("") == [20, 32, 25])
        #expect(try await values("?revisions=all") == [20, 30, 32, 25])
        #expect(try await rows("?revisions=all").map { $0["revision"] as? Int } == [1, 1, 2, 1])
        // As published by then: before the revision, and before the third quarter's figure.
        #expect(try await values("?as_of=2024-07-31") == [20, 30])
        #expect(try await values("?as_of=2024-08") == [20, 32])
        #expect(try await values("?as_of=2024-07-31&revisions=all") == [20, 30])
        #expect(try await values("?as_of=2024-04-04") == [])
        #expect(try await values("?from=2024-04&to=2024-06") == [32])
        #expect(try await values("?from=2024-Q2") == [32, 25])
        #expect(try await values("?to=2024-06-29") == [20])
        #expect(try await rows("?as_of=2024-07-31").map { $0["source_title"] as? String } == ["Written answer", "Written answer"])
        let unknown = try await server.get("/api/v1/metrics/nothing/observations")
        let badDate = try await server.get("/api/v1/metrics/closures/observations?as_of=yesterday")
        let badRevisions = try await server.get("/api/v1/metrics/closures/observations?revisions=some")
        let backwards = try await server.get("/api/v1/metrics/closures/observations?from=2024-06&to=2024-01")
        try await server.stop()
        #expect(unknown.status == 404)
        for (answer, parameter) in [(badDate, "as_of"), (badRevisions, "revisions"), (backwards, "from")] {
            #expect(answer.status == 400)
            #expect((answer.object["detail"] as? String)?.hasPrefix(parameter) == true, "\(answer.object)")
        }
    }

    @Test func eachPointCarriesTheFiguresItCameFrom() async throws {
        let url = try Self.portfolio()
        let connection = try PostgresConnection(url: url)
        let server = try await RunningServer(url: url)
        let answer = try await server.get("/api/v1/commitments/closures-100")
        let level = try await server.get("/api/v1/commitments/officers-1500")
        try await server.stop()
        let revisions = try connection.query("SELECT row_to_json(r)::text FROM headway.observation_revisions r").map {
            try JSONSerialization.jsonObject(with: Data(try $0.decode(String.self, at: 0).utf8)) as? [String: Any] ?? [:]
        }
        var checked = 0
        for (answer, metric) in [(answer, "closures"), (level, "officers")] {
            let series = answer.object["series"] as? [[String: Any]] ?? []
            let listed = answer.object["figures"] as? [[String: Any]] ?? []
            let byReference = Dictionary(listed.map { ($0["ref"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(byReference.count == listed.count)  // each figure once
            #expect(!series.isEmpty)
            var named: Set<String> = []
            for point in series {
                let references = point["derived_from"] as? [String] ?? []
                guard let progress = point["progress"] as? Double else {
                    #expect(references.isEmpty)
                    continue
                }
                #expect(!references.isEmpty)
                let figures = references.map { reference in
                    let subtracted = reference.hasPrefix("-")
                    let name = subtracted ? String(reference.dropFirst()) : reference
                    named.insert(name)
                    return (byReference[name] ?? [:]).merging(["subtracted": subtracted]) { $1 }
                }
                for figure in figures {
                    #expect(figure["ref"] as? String == "\(figure["period_start"] as? String ?? "")..\(figure["period_end"] as? String ?? "")#\(figure["revision"] as? Int ?? 0)")
                    let row = revisions.first {
                        $0["metric"] as? String == metric && $0["period_end"] as? String == figure["period_end"] as? String
                            && $0["revision"] as? Int == figure["revision"] as? Int
                            && ($0["period_start"] as? String) == (figure["period_start"] as? String)
                    }
                    let source = figure["source"] as? [String: Any]
                    #expect(row != nil)
                    #expect(row?["value"] as? Double == figure["value"] as? Double)
                    #expect(row?["qualifier"] as? String == figure["qualifier"] as? String)
                    #expect(row?["published_on"] as? String == figure["published_on"] as? String)
                    #expect(row?["note"] as? String == figure["note"] as? String)
                    #expect(row?["source"] as? String == source?["key"] as? String)
                    #expect(row?["source_title"] as? String == source?["title"] as? String)
                    #expect(source?.keys.contains("url") == true)
                    checked += 1
                }
                if metric == "closures" {
                    // Additive: the amounts over the chained periods add up to the progress.
                    let sum = figures.reduce(0.0) { $0 + ($1["value"] as? Double ?? 0) * (($1["subtracted"] as? Bool ?? false) ? -1 : 1) }
                    #expect(sum == progress)
                } else {
                    #expect(figures.count == 1)
                    #expect((figures.first?["value"] as? Double).map { $0 - 1000 } == progress)
                }
            }
            // Listed: exactly the figures the points and the latest value name.
            let latest = ((answer.object["latest"] as? [String: Any])?["derived_from"] as? [String] ?? []).map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }
            #expect(Set(byReference.keys) == named.union(latest))
        }
        // Today's closures series uses the revised second quarter (32, revision 2).
        let figures = answer.object["figures"] as? [[String: Any]] ?? []
        #expect(figures.contains { $0["value"] as? Int == 32 && $0["revision"] as? Int == 2 && $0["note"] as? String == "revised" })
        #expect(!figures.contains { $0["value"] as? Int == 30 })
        #expect(checked >= 5)
    }

    /// Eleven more commitments with shared deadlines and some never assessed, so every sort
    /// has ties and nulls to page across.
    static func crowdedPortfolio() throws -> String {
        let url = try Portfolio.create()
        let connection = try PostgresConnection(url: url)
        var yaml = "commitments:\n"
        for index in 0..<11 {
            yaml += """
                  - key: extra-\(String(format: "%02d", index))
                    title: Extra \(index)
                    metric: closures
                    baseline: { date: 2024-01 }
                    target: { value: \(50 + index * 25) }
                    deadline: \(index % 3 == 0 ? "2024-12" : "2025-06")

                """
        }
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: yaml, fileName: "extra.yaml"))
        try AssessmentStore(connection: connection).assessAndStore(keys: (0..<11).filter { $0 % 4 != 0 }.map { String(format: "extra-%02d", $0) })
        return url
    }

    @Test func everySortPagesThroughEveryRowExactlyOnce() async throws {
        let url = try Self.crowdedPortfolio()
        let server = try await RunningServer(url: url)
        let connection = try PostgresConnection(url: url)
        let total = try connection.query("SELECT count(*) FROM headway.commitment_status")[0].decode(Int.self, at: 0)
        #expect(total == 15)
        for field in ["key", "deadline", "status", "probability_met", "percent_complete", "updated"] {
            for sort in [field, "-" + field] {
                let whole = try await server.get("/api/v1/commitments?sort=\(sort)&limit=1000")
                #expect(whole.status == 200, "\(sort)")
                let rows = whole.object["commitments"] as? [[String: Any]] ?? []
                let keys = rows.compactMap { $0["key"] as? String }
                #expect(keys.count == total, "\(sort)")
                #expect(Self.isOrdered(rows, by: field, descending: sort.hasPrefix("-")), "\(sort): \(keys)")
                for limit in [1, 4] {
                    var walked: [String] = []
                    var query = "sort=\(sort)&limit=\(limit)"
                    for _ in 0...total {
                        let page = try await server.get("/api/v1/commitments?\(query)")
                        #expect(page.status == 200, "\(query) \(page.object)")
                        walked += (page.object["commitments"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
                        guard let cursor = page.object["next_cursor"] as? String else { break }
                        query = "sort=\(sort)&limit=\(limit)&cursor=\(cursor)"
                    }
                    #expect(walked == keys, "\(sort) by \(limit)")
                }
            }
        }
        // A cursor belongs to its sort, and one altered by hand is refused, not a 500.
        let first = try await server.get("/api/v1/commitments?sort=deadline&limit=2")
        let cursor = first.object["next_cursor"] as? String ?? ""
        let otherSort = try await server.get("/api/v1/commitments?sort=-deadline&cursor=\(cursor)")
        let forged = Data(#"["deadline","not a date","x"]"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let forgedAnswer = try await server.get("/api/v1/commitments?sort=deadline&cursor=\(forged)")
        let badSort = try await server.get("/api/v1/commitments?sort=title")
        try await server.stop()
        for answer in [otherSort, forgedAnswer, badSort] {
            #expect(answer.status == 400)
            #expect(answer.contentType == "application/problem+json")
        }
        #expect((otherSort.object["detail"] as? String)?.hasPrefix("cursor") == true)
        #expect((badSort.object["detail"] as? String)?.hasPrefix("sort") == true)
    }

    @Test func csvAnswersParseBackToTheJSONRows() async throws {
        let url = try Self.portfolio()
        let server = try await RunningServer(url: url)
        let tables = [
            ("/api/v1/commitments?limit=1000", "commitments"), ("/api/v1/commitments/closures-100/history", "history"),
            ("/api/v1/metrics", "metrics"), ("/api/v1/metrics/closures/observations?revisions=all", "observations"),
        ]
        for (path, name) in tables {
            let json = try await server.get(path)
            let byParameter = try await server.get(path + (path.contains("?") ? "&" : "?") + "format=csv")
            let byAccept = try await server.get(path, headers: ["Accept": "text/csv"])
            let jsonPreferred = try await server.get(path, headers: ["Accept": "application/json, text/csv;q=0.5"])
            #expect(byParameter.status == 200)
            #expect(byParameter.contentType?.hasPrefix("text/csv") == true)
            #expect(byAccept.body == byParameter.body, "\(path)")
            #expect(jsonPreferred.contentType == "application/json")
            let rows = json.object[name] as? [[String: Any]] ?? []
            let records = Self.parseCSV(String(decoding: byParameter.body, as: UTF8.self))
            #expect(!rows.isEmpty)
            #expect(records.count == rows.count + 1, "\(path)")
            let header = records.first?.map { $0 ?? "" } ?? []
            #expect(Set(header) == Set(rows.first?.keys.map { $0 } ?? []), "\(path)")
            for (row, record) in zip(rows, records.dropFirst()) {
                #expect(record.count == header.count)
                for (column, cell) in zip(header, record) {
                    #expect(Self.cell(cell, matches: row[column]), "\(path) \(column): \(String(describing: cell)) vs \(String(describing: row[column]))")
                }
            }
        }
        let bad = try await server.get("/api/v1/metrics?format=xml")
        try await server.stop()
        #expect(bad.status == 400)
        #expect((bad.object["detail"] as? String)?.hasPrefix("format") == true)
    }

    /// Whether a CSV field (nil: empty and unquoted) says what a JSON value says.
    static func cell(_ cell: String?, matches value: Any?) -> Bool {
        switch value {
        case nil, is NSNull: return cell == nil
        case let text as String:
            // Text that a spreadsheet would run as a formula comes defused (docs/FORMATS.md).
            let formula = text.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } ?? false
            return cell == (formula ? "'" + text : text)
        case let array as [Any]:
            guard let cell, let parsed = try? JSONSerialization.jsonObject(with: Data(cell.utf8)) as? [Any] else { return false }
            return (parsed as NSArray).isEqual(to: array)
        case let number as NSNumber:
            if cell == "true" || cell == "false" { return (cell == "true") == number.boolValue }
            return cell.flatMap(Double.init) == number.doubleValue
        default: return false
        }
    }

    /// RFC 4180 records: fields split at commas, quoted fields unquoted ("" a quote); an empty
    /// unquoted field is nil (null), a quoted empty one "".
    static func parseCSV(_ text: String) -> [[String?]] {
        var records: [[String?]] = []
        var record: [String?] = []
        var field = ""
        var quoted = false, inQuotes = false
        var characters = Array(text).makeIterator()
        var pending: Character? = nil
        func endField() {
            record.append(quoted || !field.isEmpty ? field : nil)
            field = ""
            quoted = false
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                inQuotes = true
                quoted = true
            } else if character == "," {
                endField()
            } else if character == "\r\n" || character == "\n" {
                endField()
                records.append(record)
                record = []
            } else {
                field.append(character)
            }
        }
        return records
    }

    /// Rows in the order of `field`: nulls last either way, equal values by key (byte order).
    static func isOrdered(_ rows: [[String: Any]], by field: String, descending: Bool) -> Bool {
        let statuses = Assessment.Status.allCases.map(\.rawValue)
        func value(_ row: [String: Any]) -> Any? {
            switch field {
            case "status": return (row["status"] as? String).flatMap { statuses.firstIndex(of: $0) }.map(Double.init)
            case "updated": return row["assessed_at"] as? String
            default: return row[field] is NSNull ? nil : row[field]
            }
        }
        func less(_ a: Any, _ b: Any) -> Bool {
            if let a = a as? String, let b = b as? String { return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
            return (a as? Double ?? 0) < (b as? Double ?? 0)
        }
        for (a, b) in zip(rows, rows.dropFirst()) {
            let keyA = a["key"] as? String ?? "", keyB = b["key"] as? String ?? ""
            let keysInOrder = Array(keyA.utf8).lexicographicallyPrecedes(Array(keyB.utf8))
            switch (value(a), value(b)) {
            case (nil, nil): if !keysInOrder { return false }
            case (nil, _): return false
            case (_, nil): continue
            case (let x?, let y?):
                if less(x, y) { if descending { return false } } else if less(y, x) { if !descending { return false } } else if !keysInOrder { return false }
            }
        }
        return true
    }
}
