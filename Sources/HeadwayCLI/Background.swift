import Foundation

/// Work on another thread: `wait()` returns its result or rethrows its error.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?  // written once before `done` is signalled

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result(catching: body)
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
