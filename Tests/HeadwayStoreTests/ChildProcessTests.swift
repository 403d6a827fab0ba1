import Foundation
import HeadwayStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ChildProcessTests {
    @Test func aProcessNobodyWaitsForIsReapedAndItsFilesRemoved() throws {
        var process: ChildProcess? = try ChildProcess(["/bin/sleep", "30"], separateErrors: true)
        let pid = try #require(process?.pid)
        let files = try #require(process?.temporaryFiles)
        #expect(files.count == 2 && files.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        process = nil
        // Reaped, not a zombie: a zombie would still answer signal 0.
        #expect(kill(pid, 0) == -1 && errno == ESRCH)
        #expect(files.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    @Test func waitingRemovesTheFilesToo() throws {
        let process = try ChildProcess(["/bin/echo", "hello"])
        let files = process.temporaryFiles
        #expect(try process.wait().output == "hello\n")
        #expect(files.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }
}
