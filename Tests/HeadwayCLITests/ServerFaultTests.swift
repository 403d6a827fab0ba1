import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The server going away, refusing, hanging or rejecting a password: one clear line, a non-zero
/// exit, nothing partial written, and no password in any output (docs/RELIABILITY.md).
@Suite(.serialized) struct ServerFaultTests {
    static func oneLine(_ outcome: ChildProcess.Outcome, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(outcome.status == 3, "exit \(outcome.status): the database is unavailable", sourceLocation: sourceLocation)
        let lines = outcome.errors.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(outcome.errors)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("headway: ") == true, sourceLocation: sourceLocation)
        return outcome.errors
    }

    /// A cluster of this test's own, to stop and start.
    struct OwnCluster {
        let home: ScratchHome
        let url: String
        let directory: URL

        init() throws {
            home = try ScratchHome()
            try home.cluster.start()
            url = home.cluster.url
            directory = home.url.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func file(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }

        func count(_ sql: SQLQuery) throws -> Int { try PostgresConnection(url: url).query(sql)[0].decode(Int.self, at: 0) }
    }

    /// Runs `arguments` on `own`'s database and stops the server (fast shutdown, which ends every
    /// session) as soon as the command's statement matching `statement` (a LIKE pattern) is
    /// running; returns what the interrupted command printed, with the server started again.
    static func stopServer(during statement: String, of arguments: [String], on own: OwnCluster) throws -> ChildProcess.Outcome {
        let process = try HeadwayBinary.start(arguments, url: own.url)
        let watcher = try PostgresConnection(url: own.url)
        let deadline = Date().addingTimeInterval(60)
        var seen = false
        while !seen && Date() < deadline {
            let running = try watcher.query(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE \(statement) AND pid <> pg_backend_pid()")
            seen = try running[0].decode(Int.self, at: 0) > 0
            if !seen { usleep(2_000) }
        }
        #expect(seen, "never saw \(statement) running")
        try own.home.cluster.stop()
        let outcome = try process.wait()
        try own.home.cluster.start()
        return outcome
    }

    @Test func serverStoppedMidLoadOrReportLeavesNothingPartialAndTheNextRunSucceeds() throws {
        let own = try OwnCluster()
        defer { own.home.remove() }
        let metrics = 40, months = 1_200
        var yaml = "sources:\n  - {key: release, title: Monthly release}\nmetrics:\n"
        for m in 0..<metrics { yaml += "  - {key: m\(m), name: Metric \(m), unit: things, kind: additive}\n" }
        var commitments = "commitments:\n"
        for m in 0..<metrics {
            for c in 0..<50 {
                commitments += "  - {key: c\(m)-\(c), title: Pledge, metric: m\(m), baseline: {date: 2020-01}, target: {value: \(500 * (c + 1))}, deadline: 2030-12}\n"
            }
        }
        // No commitments yet: the load is all loading (no re-assessment after it).
        #expect(try HeadwayBinary.run(["apply", try own.file("definitions.yaml", yaml)], url: own.url).succeeded)
        let figures = try own.file("figures.csv", CrashSafetyTests.figures(metrics: metrics, months: months))

        // The load, stopped while its COPY is running.
        let loadMessage = Self.oneLine(try Self.stopServer(during: "COPY headway.observations%", of: ["load", figures], on: own))
        #expect(try own.count("SELECT count(*) FROM headway.observations") == 0, "\(loadMessage)")
        #expect(try HeadwayBinary.run(["load", figures], url: own.url).succeeded)
        #expect(try own.count("SELECT count(*) FROM headway.observations") == metrics * months)

        // The report: whatever it stored before is kept, its own assessments all or none.
        #expect(try HeadwayBinary.run(["apply", try own.file("commitments.yaml", commitments)], url: own.url).succeeded)
        let before = try own.count("SELECT count(*) FROM headway.assessments")
        let output = own.directory.appendingPathComponent("report.json").path
        _ = Self.oneLine(
            try Self.stopServer(during: "COPY pg_temp.headway_assessed%", of: ["report", "--format", "json", "--output", output], on: own))
        #expect(try own.count("SELECT count(*) FROM headway.assessments") == before)
        #expect(try HeadwayBinary.run(["report", "--format", "json", "--output", output], url: own.url).succeeded)
        #expect(try own.count("SELECT count(*) FROM headway.commitment_status WHERE NOT stale") == 2_000)
    }

    @Test func refusedConnectionIsOneLineAndSaysWhatToDo() throws {
        let url = "postgresql://headway:hunter2-secret@/headway?host=/tmp/headway-no-server-\(UUID().uuidString.prefix(6))"
        let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds").path
        for arguments in [["load", "x.csv"], ["report"], ["apply", "\(seeds)/written-answer-2024-04-05.yaml"], ["db", "status"]] {
            let outcome = try HeadwayBinary.run(arguments, url: url)
            let message = arguments == ["db", "status"] ? outcome.output + outcome.errors : Self.oneLine(outcome)
            #expect(message.contains("no database server is listening there"), "\(arguments): \(message)")
            #expect(!message.contains("hunter2"))
        }
    }

    @Test func serverThatNeverAnswersTimesOut() throws {
        // A socket that accepts connections (the kernel's backlog) and never says a word.
        let listener = try LoopbackSocket()
        defer { listener.close() }
        #expect(listen(listener.descriptor, 16) == 0)
        let port = listener.port
        let started = Date()
        let outcome = try HeadwayBinary.run(["report"], url: "postgresql://headway:s3cret-word@127.0.0.1:\(port)/headway?connect_timeout=2")
        let message = Self.oneLine(outcome)
        #expect(message.contains("did not answer in time"), "\(message)")
        #expect(!message.contains("s3cret-word"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test func wrongPasswordIsNamedAndNeverShown() throws {
        // One login on the shared test cluster that must give a password over its Unix socket.
        let cluster = try TestDatabase.cluster()
        let hba = cluster.dataDirectory.appendingPathComponent("pg_hba.conf").path
        let rule = "local all headway_pw_probe scram-sha-256\n"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        if !rules.contains(rule) {
            let handle = try #require(FileHandle(forUpdatingAtPath: hba))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data((rule + rules).utf8))
            try handle.close()
        }
        let admin = try PostgresConnection(url: cluster.url)
        try admin.executeScript(
            """
            DO $$ BEGIN CREATE ROLE headway_pw_probe LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            SELECT pg_reload_conf();
            """)
        let verifier = try admin.encryptedPassword("the-right-one", user: "headway_pw_probe")
        try admin.execute(SQLQuery(try admin.query("SELECT format('ALTER ROLE headway_pw_probe PASSWORD %L', \(verifier)::text)")[0].decode(String.self, at: 0), parameters: []))
        let database = try TestDatabase.create()
        let message = Self.oneLine(try HeadwayBinary.run(["report"], url: TestDatabase.url(database, user: "headway_pw_probe:Wr0ng-pa55word")))
        #expect(message.contains("rejected the user name or password"), "\(message)")
        #expect(!message.contains("Wr0ng-pa55word"))
        // The right password gets in.
        #expect(throws: Never.self) { try PostgresConnection(url: TestDatabase.url(database, user: "headway_pw_probe:the-right-one")) }
    }

    @Test func aPasswordInTheURLAppearsInNoOutputUnlessAsked() throws {
        let plain = try TestDatabase.create()
        let keywordValue = try DatabaseURL.options(plain).map { "\($0.keyword)='\($0.value)'" }.joined(separator: " ")
        // Every spelling libpq accepts: URI userinfo, URI query, keyword/value with spaces and quotes.
        let spellings = [
            TestDatabase.url(plain, user: "headway:pa55-in-url"), plain + "&password=pa55-in-url",
            keywordValue + " password = 'pa55-in-url x'", keywordValue + " password=pa55-in-url",
        ]
        // Debug logging too: every line a command prints, on either stream.
        let environment: [String: String?] = ["HEADWAY_LOG_LEVEL": "trace"]
        let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds").path
        for url in spellings {
            for arguments in [
                ["apply", "\(seeds)/written-answer-2024-04-05.yaml"], ["load", "\(seeds)/written-answer-2024-04-05.csv"],
                ["report", "--format", "json"], ["db", "status"], ["db", "url"], ["db", "migrate"], ["load", "/nonexistent.csv"],
            ] {
                let outcome = try HeadwayBinary.run(arguments, url: url, environment: environment)
                #expect(!(outcome.output + outcome.errors).contains("pa55-in-url"), "\(arguments) \(outcome.output) \(outcome.errors)")
            }
            let shown = try HeadwayBinary.run(["db", "url", "--show-password"], url: url)
            #expect(shown.output.contains("pa55-in-url"))
        }
    }

    @Test func aRefusedServerIsNamedWithoutItsPasswordOrTheEmbeddedAdvice() throws {
        for url in [
            "postgresql://u:pa55-in-url@127.0.0.1:1/db?connect_timeout=2", "postgresql://u@127.0.0.1:1/db?connect_timeout=2&password=pa55-in-url",
            "host=127.0.0.1 port=1 connect_timeout=2 password = 'pa55-in-url x'", "host=127.0.0.1 port=1 password pa55-in-url",
        ] {
            for arguments in [["report"], ["db", "status"]] {
                let outcome = try HeadwayBinary.run(arguments, url: url)
                let message = Self.oneLine(outcome)
                #expect(!(outcome.output + message).contains("pa55-in-url"), "\(arguments): \(outcome.output) \(message)")
                #expect(!message.contains("headway db start"), "\(message)")
            }
        }
    }
}
