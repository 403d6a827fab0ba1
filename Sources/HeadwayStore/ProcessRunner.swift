import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a helper program (initdb, pg_ctl) to completion and captures what it printed.
///
/// Uses posix_spawn and waitpid rather than Foundation's `Process`, whose exit notification
/// travels over a descriptor the child inherits: `pg_ctl start` leaves a server running that
/// keeps it open, and `waitUntilExit` would never return. Output goes to a temporary file for
/// the same reason (a pipe would be held open too).
enum ProcessRunner {
    struct Outcome {
        let status: Int32
        let output: String
        var succeeded: Bool { status == 0 }
    }

    /// Runs `executable` with `arguments`; as `user` (through `runuser`) when given.
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil) throws -> Outcome {
        let argv: [String]
        if let user {
            argv = [try findRunuser(), "-u", user, "--", executable] + arguments
        } else {
            argv = [executable] + arguments
        }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("headway-\(UUID().uuidString).out").path
        let outputDescriptor = open(outputPath, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        guard outputDescriptor >= 0 else { throw HeadwayError("cannot create \(outputPath): \(String(cString: strerror(errno)))") }
        defer {
            close(outputDescriptor)
            unlink(outputPath)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 2)

        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "PGDATA")
        let environmentStrings = environment.map { "\($0.key)=\($0.value)" }

        var pid = pid_t()
        let spawned = withCStringArray(argv) { argvPointers in
            withCStringArray(environmentStrings) { environmentPointers in
                posix_spawn(&pid, argv[0], &actions, nil, argvPointers, environmentPointers)
            }
        }
        guard spawned == 0 else { throw HeadwayError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw HeadwayError("waiting for \(argv[0]) failed: \(String(cString: strerror(errno)))") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros: decode the wait status by hand.
        let exitStatus: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, output: output)
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
