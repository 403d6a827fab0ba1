import ArgumentParser
import HeadwayReport
import Testing

@testable import HeadwayCLI

@Suite struct CommandParsingTests {
    @Test func databaseSubcommandsParse() throws {
        let migrate = try HeadwayCommand.parseAsRoot(["db", "migrate", "--database-url", "postgresql://x@y/z"])
        #expect((migrate as? DatabaseCommand.Migrate)?.database.databaseURL == "postgresql://x@y/z")
        #expect(try HeadwayCommand.parseAsRoot(["db", "start"]) is DatabaseCommand.Start)
        #expect(try HeadwayCommand.parseAsRoot(["db", "stop"]) is DatabaseCommand.Stop)
        #expect(try HeadwayCommand.parseAsRoot(["db", "status"]) is DatabaseCommand.Status)
        #expect((try HeadwayCommand.parseAsRoot(["db", "url", "--show-password"]) as? DatabaseCommand.PrintURL)?.showPassword == true)
        #expect(throws: (any Error).self) { try HeadwayCommand.parseAsRoot(["db", "explode"]) }
    }

    /// Help text is wrapped by the terminal's width, so a discussion breaks lines only between
    /// paragraphs; counts read "1 row", "2 sources".
    @Test func helpIsNotBrokenMidSentenceAndWordingReads() {
        func discussions(_ command: any ParsableCommand.Type) -> [String] {
            [command.configuration.discussion] + command.configuration.subcommands.flatMap(discussions)
        }
        for discussion in discussions(HeadwayCommand.self) {
            #expect(!discussion.replacingOccurrences(of: "\n\n", with: "").contains("\n"), "\(discussion)")
        }
        #expect(counted(1, "row") == "1 row" && counted(2, "source") == "2 sources")
    }

    @Test func helpNamesTheDatabaseChoices() {
        let help = HeadwayCommand.helpMessage()
        #expect(help.contains("HEADWAY_DATABASE_URL"))
        #expect(help.contains("db"))
    }
}
