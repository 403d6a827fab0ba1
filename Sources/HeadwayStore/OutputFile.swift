import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written completely or not at all: the text goes to a temporary file beside it, which
/// replaces the file by rename when `close()` is called. Until then, and if the work fails
/// (the object goes without `close()`), the earlier file stays as it was.
///
/// Special files (`/dev/null`, a FIFO, a terminal) cannot be replaced: they are written in place,
/// as a shell redirection would. A symbolic link keeps pointing where it did; its target is
/// replaced. Every write and the close report failures (a full disk, a closed pipe) as errors,
/// with the system's reason.
public final class OutputFile {
    public let path: String
    private var descriptor: Int32
    /// The temporary file that becomes `target` on close; nil when writing in place.
    private let temporary: String?
    private let target: String
    private let ownsDescriptor: Bool
    private var finished = false

    /// Standard output, written in place and never closed.
    public static var standardOutput: OutputFile { OutputFile(path: "standard output", descriptor: 1) }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
        temporary = nil
        target = path
        ownsDescriptor = false
    }

    private init(path: String) throws {
        self.path = path
        ownsDescriptor = true
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            // A device, FIFO or socket: written in place, not replaced.
            descriptor = openFile(path, O_WRONLY | O_CLOEXEC, 0)
            guard descriptor >= 0 else { throw Self.failure("cannot write", path) }
            temporary = nil
            target = path
            return
        }
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
            $0.hasPrefix("/") ? $0 : (path as NSString).deletingLastPathComponent + "/" + $0
        }
        target = resolved ?? path
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).headway-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Self.failure("cannot write", path) }
        temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkstemp makes the file private; give it the mode the file had, or a new file's.
        let mode: mode_t
        if stat(target, &status) == 0 {
            mode = status.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        fchmod(descriptor, mode)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    /// Opens `path` for a complete write (see the type).
    public static func open(_ path: String) throws -> OutputFile { try OutputFile(path: path) }

    deinit {
        if !finished { discard() }
    }

    /// Writes all of `data`, or throws with the system's reason.
    public func write(contentsOf data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw Self.failure("cannot write", path)
                }
                offset += written
            }
        }
    }

    public func write(_ text: String) throws { try write(contentsOf: Data(text.utf8)) }

    /// Finishes the file: flushed to disk and put in place of the earlier one.
    public func close() throws {
        guard !finished else { return }
        finished = true
        guard ownsDescriptor else { return }
        if temporary != nil, fsync(descriptor) != 0 {
            let failure = Self.failure("cannot write", path)
            discard()
            throw failure
        }
        if closeFile(descriptor) != 0 {
            let failure = Self.failure("cannot write", path)
            if let temporary { unlink(temporary) }
            throw failure
        }
        descriptor = -1
        if let temporary, rename(temporary, target) != 0 {
            let failure = Self.failure("cannot replace", path)
            unlink(temporary)
            throw failure
        }
    }

    /// Gives up: the temporary file goes, the earlier file stays.
    private func discard() {
        finished = true
        if ownsDescriptor, descriptor >= 0 { _ = closeFile(descriptor) }
        descriptor = -1
        if let temporary { unlink(temporary) }
    }

    private static func failure(_ what: String, _ path: String) -> HeadwayError {
        HeadwayError("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

// The C calls under names of their own: inside the type, `open`, `write` and `close` are its methods.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func closeFile(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, bytes, count) }
