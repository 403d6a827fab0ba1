import Foundation
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// How a command reaches the embedded cluster: at once when it is serving, by starting it when not.
@Suite(.serialized) struct EmbeddedClusterStartTests {
    @Test func aCommandConnectsToARunningClusterWithoutStartingItAndStartsAStoppedOne() throws {
        let home = try ScratchHome()
        defer { home.remove() }
        let cluster = home.cluster
        try cluster.start()
        let file = home.url.appendingPathComponent("header-only.csv")
        try Data("metric,period_end,value\n".utf8).write(to: file)
        func load() throws -> ChildProcess.Outcome {
            try HeadwayBinary.run(["load", file.path], url: nil, environment: ["HEADWAY_HOME": home.url.path])
        }

        // Starting holds the cluster's lock while it forks pg_ctl to ask whether the server runs;
        // a command that finds the server serving needs neither. The lock is held here, and let go
        // after 20 s in case the command waits for it.
        let lock = open(cluster.clusterDirectory.appendingPathComponent(".lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        #expect(lock >= 0 && flock(lock, LOCK_EX) == 0)
        let release = DispatchWorkItem { flock(lock, LOCK_UN) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: release)
        let started = Date()
        let outcome = try load()
        let seconds = Date().timeIntervalSince(started)
        release.cancel()
        flock(lock, LOCK_UN)
        close(lock)
        #expect(outcome.succeeded, "\(outcome.errors)")
        #expect(outcome.output.hasPrefix("0 rows"), "\(outcome.output)")
        #expect(seconds < 20, "the command waited for the start-up lock")

        // Stopped, the cluster is started again by the next command.
        try cluster.stop()
        let restarted = try load()
        #expect(restarted.succeeded, "\(restarted.errors)")
        #expect(try cluster.status().running)
    }

    /// A command that fails stops the cluster it started, and leaves one it found running as it was.
    @Test func aCommandThatFailsLeavesNoClusterItStartedRunning() throws {
        let home = try ScratchHome()
        defer { home.remove() }
        let cluster = home.cluster
        try cluster.start()
        try cluster.stop()
        func report() throws -> ChildProcess.Outcome {
            try HeadwayBinary.run(["report", "no-such-commitment"], url: nil, environment: ["HEADWAY_HOME": home.url.path])
        }
        let failed = try report()
        #expect(failed.status == 2, "\(failed.errors)")
        #expect(failed.errors.contains("no-such-commitment"), "\(failed.errors)")
        #expect(try !cluster.status().running, "the failed report left the cluster it started running")

        try cluster.start()
        #expect(try report().status == 2)
        #expect(try cluster.status().running, "the failed report stopped a cluster it had not started")
    }
}
