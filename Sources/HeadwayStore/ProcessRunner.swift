import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program started with posix_spawn, its output going to temporary files.
///
/// Not Foundation's `Process`, whose exit notification travels over a descriptor the child
/// inherits: `pg_ctl start` leaves a server running that keeps it open, and `waitUntilExit`
/// would never return. Output goes to files for the same reason (a pipe would be held open too).
public final class ChildProcess {
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public let status: Int32
        /// Standard output (with standard error too, unless they were kept apart).
        public let output: String
        /// Standard error, when kept apart from standard output.
        public let errors: String
        public var succeeded: Bool { status == 0 }
    }

    public let pid: pid_t
    private let outputPath: String
    private let errorsPath: String?
    private var reaped = false

    /// The files the output goes to until `wait()` (or the end of this object) removes them.
    public var temporaryFiles: [String] { [outputPath, errorsPath].compactMap { $0 } }

    /// Starts `argv[0]` (a path) with `argv`, standard input from /dev/null, in the current
    /// environment changed by `environment` (a nil value removes a variable).
    public init(_ argv: [String], environment changes: [String: String?] = [:], separateErrors: Bool = false) throws {
        let directory = FileManager.default.temporaryDirectory.path
        outputPath = "\(directory)/headway-\(UUID().uuidString).out"
        errorsPath = separateErrors ? "\(directory)/headway-\(UUID().uuidString).err" : nil
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        for path in [outputPath, errorsPath].compactMap({ $0 }) {
            let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw HeadwayError("cannot create \(path): \(String(cString: strerror(errno)))") }
            descriptors.append(descriptor)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, descriptors[0], 1)
        posix_spawn_file_actions_adddup2(&actions, descriptors.last!, 2)

        var environment = ProcessInfo.processInfo.environment
        for (name, value) in changes { environment[name] = value }
        let environmentStrings = environment.map { "\($0.key)=\($0.value)" }

        var pid = pid_t()
        let spawned = withCStringArray(argv) { argvPointers in
            withCStringArray(environmentStrings) { environmentPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, environmentPointers)
            }
        }
        guard spawned == 0 else {
            for path in [outputPath, errorsPath].compactMap({ $0 }) { unlink(path) }
            throw HeadwayError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// Sends `signal` (e.g. SIGKILL) to the process.
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end and returns what it printed.
    public func wait() throws -> Outcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw HeadwayError("waiting for process \(pid) failed: \(String(cString: strerror(errno)))") }
        }
        reaped = true
        defer { cleanUp() }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = errorsPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitStatus: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, output: output, errors: errors)
    }

    /// A process nobody waited for is ended and reaped, so that it leaves no zombie, and its
    /// output files go.
    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        cleanUp()
    }

    private func cleanUp() {
        unlink(outputPath)
        if let errorsPath { unlink(errorsPath) }
    }
}

/// Runs a helper program (initdb, pg_ctl) to completion and captures what it printed.
enum ProcessRunner {
    /// Runs `executable` with `arguments`; as `user` (through `runuser`) when given.
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil) throws -> ChildProcess.Outcome {
        let argv = try user.map { [try findRunuser(), "-u", $0, "--", executable] } ?? [executable]
        return try ChildProcess(argv + arguments, environment: ["LC_ALL": "C", "PGDATA": nil]).wait()
    }

    private static func findRunuser() throws -> String {
        for path in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw HeadwayError("running PostgreSQL as root needs `runuser` (util-linux) to drop privileges; install util-linux")
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
