import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a file for writing the way a shell redirection does: created (mode 0644 before umask)
/// or truncated in place. Never replaced by rename, as `FileManager.createFile` does, which
/// would turn `/dev/null` or a symlink's target into a new regular file.
public enum OutputFile {
    public static func open(_ path: String) throws -> FileHandle {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw HeadwayError("cannot write \(path): \(String(cString: strerror(errno)))") }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
