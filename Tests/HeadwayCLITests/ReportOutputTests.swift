import Foundation
import HeadwayStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `report --output FILE`: the file is replaced only by a complete report; special files are
/// written in place; a failed write is an error with its reason, never a crash.
@Suite struct ReportOutputTests {
    @Test func aFailedReportLeavesTheEarlierFileAsItWas() throws {
        let folder = try ScratchDirectory("headway-output")
        let report = folder.path("report.json")
        try "yesterday's report".write(toFile: report, atomically: false, encoding: .utf8)
        let refused = try HeadwayBinary.run(["report", "--format", "json", "--output", report], url: "postgresql://u@127.0.0.1:1/db?connect_timeout=2")
        #expect(refused.status != 0)
        #expect(try String(contentsOfFile: report, encoding: .utf8) == "yesterday's report")
        #expect(try folder.names() == ["report.json"], "no temporary file is left behind")
        // A report that succeeds replaces it, keeping the file's mode.
        chmod(report, 0o640)
        let url = try TestDatabase.create()
        let done = try HeadwayBinary.run(["report", "--format", "json", "--output", report], url: url)
        #expect(done.status == 0, "\(done.errors)")
        #expect(try String(contentsOfFile: report, encoding: .utf8).contains("\"as_of\""))
        #expect(try FileManager.default.attributesOfItem(atPath: report)[.posixPermissions] as? Int == 0o640)
        #expect(try folder.names() == ["report.json"])
    }

    @Test func specialFilesAreWrittenInPlace() throws {
        let url = try TestDatabase.create()
        let null = try HeadwayBinary.run(["report", "--output", "/dev/null"], url: url)
        #expect(null.status == 0, "\(null.errors)")
        #expect(try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType == .typeCharacterSpecial)
        // A FIFO stays a FIFO, and its reader gets the report.
        let folder = try ScratchDirectory("headway-output")
        let fifo = folder.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = Received()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Plain reads: Foundation's whole-file readers do not wait on a pipe.
            let descriptor = open(fifo, O_RDONLY)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while descriptor >= 0 {
                let count = read(descriptor, &chunk, chunk.count)
                if count <= 0 { break }
                bytes += chunk[..<count]
            }
            if descriptor >= 0 { close(descriptor) }
            received.text = String(decoding: bytes, as: UTF8.self)
            done.signal()
        }
        let piped = try HeadwayBinary.run(["report", "--format", "csv", "--output", fifo], url: url)
        #expect(piped.status == 0, "\(piped.errors)")
        // Should the command have failed before opening the pipe, this lets the reader go.
        let unblock = open(fifo, O_WRONLY | O_NONBLOCK)
        if unblock >= 0 { close(unblock) }
        done.wait()
        #expect(received.text.contains("key"), "\(received.text)")
        var status = stat()
        #expect(stat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }

    final class Received: @unchecked Sendable { var text = "" }  // written before `done` is signalled

    @Test func aFullDiskIsAnErrorWithItsReason() throws {
        let url = try TestDatabase.create()
        for arguments in [["report", "--output", "/dev/full"], ["report", "--format", "json", "--output", "/dev/full"]] {
            let outcome = try HeadwayBinary.run(arguments, url: url)
            #expect(outcome.status != 0)
            #expect(outcome.errors.hasPrefix("headway: cannot write /dev/full: No space left on device"), "\(outcome.errors)")
            #expect(outcome.errors.split(separator: "\n").count == 1)
        }
    }
}
