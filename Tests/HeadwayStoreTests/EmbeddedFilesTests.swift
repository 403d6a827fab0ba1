import Foundation
import Testing

@testable import HeadwayStore

/// The migrations and seeds built into the binary (the EmbedFiles plugin) are the source tree's
/// `sql/` and `seeds/`, byte for byte: those directories stay the source of truth.
@Suite struct EmbeddedFilesTests {
    @Test func theBuiltInFilesAreTheSourceTreesFiles() throws {
        let root = ResourceLocator.sourceRoot
        for (builtIn, directory) in [(EmbeddedFiles.sql, "sql"), (EmbeddedFiles.seeds, "seeds")] {
            let onDisk = try ResourceLocator.files(in: root.appendingPathComponent(directory))
            #expect(builtIn.map(\.name) == onDisk.map(\.name), "\(directory)")
            for (embedded, file) in zip(builtIn, onDisk) {
                #expect(Array(embedded.text.utf8) == Array(file.text.utf8), "\(directory)/\(file.name)")
            }
        }
        let migrations = try Migrator(files: EmbeddedFiles.sql, origin: "sql").migrations
        #expect(migrations == (try Migrator(directory: root.appendingPathComponent("sql")).migrations))
        #expect(migrations.count >= 9)
    }
}
