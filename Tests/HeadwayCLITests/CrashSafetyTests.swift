import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `headway` killed with SIGKILL anywhere in a load, an apply or a report leaves all or none of
/// that command's writes, and running it again completes them (docs/RELIABILITY.md).
@Suite(.serialized) struct CrashSafetyTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"
    static let killsPerCommand = 22

    /// A database with `metrics` additive metrics and a source, and a scratch directory.
    struct Scene {
        let url: String
        let admin: PostgresConnection
        private let scratch: ScratchDirectory
        var directory: URL { scratch.url }

        init(metrics: Int, commitmentsPerMetric: Int = 0) throws {
            url = try TestDatabase.create()
            admin = try PostgresConnection(url: url)
            scratch = try ScratchDirectory("crash")
            var yaml = "sources:\n  - {key: release, title: Monthly release}\nmetrics:\n"
            for m in 0..<metrics { yaml += "  - {key: m\(m), name: Metric \(m), unit: things, kind: additive}\n" }
            if commitmentsPerMetric > 0 {
                yaml += "commitments:\n"
                for m in 0..<metrics {
                    for c in 0..<commitmentsPerMetric {
                        yaml += "  - {key: c\(m)-\(c), title: Pledge \(m)-\(c), metric: m\(m), baseline: {date: 2020-01}, "
                            + "target: {value: \(1000 * (c + 1))}, deadline: 2026-12}\n"
                    }
                }
            }
            CrashSafetyTests.expectSuccess(try HeadwayBinary.run(["apply", try file("definitions.yaml", yaml)], url: url))
        }

        func file(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }

        func count(_ sql: SQLQuery) throws -> Int { try admin.query(sql)[0].decode(Int.self, at: 0) }
    }

    static func expectSuccess(_ outcome: ChildProcess.Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.succeeded, "exit \(outcome.status): \(outcome.errors)", sourceLocation: sourceLocation)
    }

    /// Monthly figures for `metrics` metrics, `months` each, values offset by `shift`.
    static func figures(metrics: Int, months: Int, shift: Int = 0) -> String {
        var text = header
        for m in 0..<metrics {
            for i in 0..<months {
                let year = 2000 + i / 12, month = i % 12 + 1
                text += "m\(m),\(year)-\(month < 10 ? "0" : "")\(month),\(year)-\(month < 10 ? "0" : "")\(month),\((m * 7 + i * 13) % 97 + shift),,release,2024-01-01,\n"
            }
        }
        return text
    }

    /// Runs `arguments` once to time it (on a scratch database made by `fresh`), then on `scene`
    /// kills it with SIGKILL at `killsPerCommand` points spread over that time, calling `check`
    /// after each kill. A kill that comes too late (the command had finished) does not count, and
    /// shrinks the later delays: timings move when other tests share the machine. Returns the
    /// number of kills that landed before the command finished.
    static func killRepeatedly(_ arguments: [String], on scene: Scene, timedOn fresh: Scene, check: () throws -> Void) throws -> Int {
        let started = Date()
        expectSuccess(try HeadwayBinary.run(arguments, url: fresh.url))
        let duration = Date().timeIntervalSince(started)
        var landed = 0, scale = 1.0
        for _ in 0..<(3 * killsPerCommand) where landed < killsPerCommand {
            let delay = duration * scale * (0.03 + 0.82 * Double(landed) / Double(killsPerCommand - 1))
            let process = try HeadwayBinary.start(arguments, url: scene.url)
            usleep(UInt32(delay * 1_000_000))
            process.send(SIGKILL)
            if try process.wait().status == 128 + SIGKILL { landed += 1 } else { scale *= 0.8 }
            try check()
        }
        print("killed `headway \(arguments[0])` (\(String(format: "%.2f", duration)) s uninterrupted) \(landed) times mid-run")
        return landed
    }

    @Test func loadKilledAnywhereLeavesAllOrNoneAndARerunCompletes() throws {
        let metrics = 40, months = 600
        let rows = metrics * months
        let scene = try Scene(metrics: metrics), fresh = try Scene(metrics: metrics)
        // First into metrics without data (COPY straight into the table), then a revising file
        // (the staging-table merge): both paths are killed.
        let first = try scene.file("first.csv", Self.figures(metrics: metrics, months: months))
        let revised = try scene.file("revised.csv", Self.figures(metrics: metrics, months: months, shift: 1000))
        let landedFirst = try Self.killRepeatedly(["load", first], on: scene, timedOn: fresh) {
            let count = try scene.count("SELECT count(*) FROM headway.observations")
            #expect([0, rows].contains(count))
        }
        Self.expectSuccess(try HeadwayBinary.run(["load", first], url: scene.url))
        #expect(try scene.count("SELECT count(*) FROM headway.observations") == rows)
        let landedRevised = try Self.killRepeatedly(["load", revised], on: scene, timedOn: fresh) {
            let count = try scene.count("SELECT count(*) FROM headway.observations")
            #expect([rows, 2 * rows].contains(count))
        }
        Self.expectSuccess(try HeadwayBinary.run(["load", revised], url: scene.url))
        #expect(try scene.count("SELECT count(*) FROM headway.observations WHERE revision = 2 AND value >= 1000") == rows)
        #expect(try scene.count("SELECT count(*) FROM headway.observations") == 2 * rows)
        #expect(min(landedFirst, landedRevised) == Self.killsPerCommand, "kills that landed mid-load: \(landedFirst) + \(landedRevised)")
    }

    @Test func applyKilledAnywhereLeavesAllOrNoneAndARerunCompletes() throws {
        let scene = try Scene(metrics: 1), fresh = try Scene(metrics: 1)
        let count = 400
        func definitions(_ title: String) -> String {
            "commitments:\n"
                + (0..<count).map {
                    "  - {key: k\($0), title: \(title) \($0), metric: m0, baseline: {date: 2020-01}, target: {value: \($0 + 10)}, deadline: 2026-12, tags: [a, b]}\n"
                }.joined()
        }
        let original = try scene.file("original.yaml", definitions("Original"))
        let changed = try scene.file("changed.yaml", definitions("Changed"))
        let landedOriginal = try Self.killRepeatedly(["apply", original], on: scene, timedOn: fresh) {
            let applied = try scene.count("SELECT count(*) FROM headway.commitments")
            #expect([0, count].contains(applied))
        }
        Self.expectSuccess(try HeadwayBinary.run(["apply", original], url: scene.url))
        let landedChanged = try Self.killRepeatedly(["apply", changed], on: scene, timedOn: fresh) {
            let changedTitles = try scene.count("SELECT count(*) FROM headway.commitments WHERE title LIKE 'Changed%'")
            #expect([0, count].contains(changedTitles))
            let history = try scene.count("SELECT count(*) FROM headway.definition_history")
            #expect(history == changedTitles)
        }
        Self.expectSuccess(try HeadwayBinary.run(["apply", changed], url: scene.url))
        #expect(try scene.count("SELECT count(*) FROM headway.commitments WHERE title LIKE 'Changed%' AND version = 2") == count)
        #expect(min(landedOriginal, landedChanged) == Self.killsPerCommand, "kills that landed mid-apply: \(landedOriginal) + \(landedChanged)")
    }

    @Test func reportKilledAnywhereStoresAllOrNoneOfItsAssessments() throws {
        let scene = try Scene(metrics: 50, commitmentsPerMetric: 20), fresh = try Scene(metrics: 50, commitmentsPerMetric: 20)
        let commitments = 1_000
        for target in [scene, fresh] {
            Self.expectSuccess(try HeadwayBinary.run(["load", try target.file("f.csv", Self.figures(metrics: 50, months: 120))], url: target.url))
        }
        let before = try scene.count("SELECT count(*) FROM headway.assessments")
        let output = scene.directory.appendingPathComponent("report.json").path
        let landed = try Self.killRepeatedly(["report", "--format", "json", "--output", output], on: scene, timedOn: fresh) {
            let stored = try scene.count("SELECT count(*) FROM headway.assessments") - before
            #expect(stored % commitments == 0)
            // The latest state is always the last stored assessment (all are of the present), whole.
            let behind = try scene.count(
                """
                SELECT count(*) FROM headway.commitment_state s
                WHERE s.assessment_id IS DISTINCT FROM (SELECT max(id) FROM headway.assessments a WHERE a.commitment_key = s.commitment_key)
                """)
            #expect(behind == 0)
        }
        Self.expectSuccess(try HeadwayBinary.run(["report", "--output", output], url: scene.url))
        #expect(try scene.count("SELECT count(*) FROM headway.commitment_status WHERE as_of = (now() AT TIME ZONE 'UTC')::date AND NOT stale") == commitments)
        #expect(landed == Self.killsPerCommand, "kills that landed mid-report: \(landed)")
    }
}
