import Foundation
import HeadwayIngest
import HeadwayModel

extension Workspace {
    /// What applying definitions did.
    public struct Applied: Sendable {
        /// One per definition, unchanged ones included.
        public let changes: [DefinitionApplier.Change]
        /// Commitments that cannot be assessed for a reason their definition can mend (a level
        /// baseline with no level known): "commitment KEY: reason".
        public let warnings: [String]
    }

    /// Applies sources, metrics and commitments in one transaction, then re-assesses the
    /// commitments that changed and those on changed metrics. With `dryRun` nothing is written.
    public func apply(_ definitions: Definitions, dryRun: Bool = false) throws -> Applied {
        let changes = try DefinitionApplier(connection: connection).apply(definitions, dryRun: dryRun)
        guard !dryRun else { return Applied(changes: changes, warnings: []) }
        let changed = changes.filter { $0.action != .unchanged }
        var keys = Set(changed.filter { $0.kind == "commitment" }.map(\.key))
        keys.formUnion(try AssessmentStore(connection: connection).commitmentKeys(onMetrics: Set(changed.filter { $0.kind == "metric" }.map(\.key))))
        var warnings: [(key: String, text: String)] = []
        try reassess(keys: keys.sorted()) { assessment in
            if assessment.baselineValue == nil, let reason = assessment.reason { warnings.append((assessment.key, "commitment \(assessment.key): \(reason)")) }
        }
        return Applied(changes: changes, warnings: warnings.sorted { $0.key < $1.key }.map(\.text))
    }

    /// Loads observation CSV files (`-`: standard input) all or nothing, then, with
    /// `reassessing`, re-assesses the commitments whose figures changed, so SQL clients see
    /// current numbers. Figures published after `today()` are counted in the summary.
    public func load(_ paths: [String], options: ObservationLoader.Options = .init(), reassessing: Bool = true) throws -> ObservationLoader.Summary {
        var options = options
        options.today = today()
        let summary = try ObservationLoader(connection: connection, options: options).load(paths)
        if reassessing, summary.inserted + summary.revised > 0 { try reassess(onMetrics: summary.touchedMetrics) }
        return summary
    }
}

extension Workspace {
    /// Loads one CSV file that stands for something else, such as a request body spooled to
    /// disk: errors and the summary name it `name` rather than its path.
    public func load(spooled path: String, as name: String, reassessing: Bool = true) throws -> ObservationLoader.Summary {
        try load(spooled: [(path, name)], reassessing: reassessing)
    }

    /// Loads CSV texts that are no file of their own (the seeds built into the binary), all or
    /// nothing, each named `name` in errors and the summary.
    public func load(texts: [(name: String, text: String)], reassessing: Bool = true) throws -> ObservationLoader.Summary {
        try withScratchDirectory("headway-texts") { directory in
            var spooled: [(path: String, name: String)] = []
            for (index, file) in texts.enumerated() {
                let url = directory.appendingPathComponent("\(index).csv")
                try Data(file.text.utf8).write(to: url)
                spooled.append((url.path, file.name))
            }
            return try load(spooled: spooled, reassessing: reassessing)
        }
    }

    /// Runs `body` with a new private directory under the temporary one, removed afterwards.
    func withScratchDirectory<T>(_ prefix: String, _ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    private func load(spooled files: [(path: String, name: String)], options: ObservationLoader.Options = .init(), reassessing: Bool) throws -> ObservationLoader.Summary {
        func renamed(_ error: InputError) -> InputError { files.reduce(error) { $0.naming($1.path, $1.name) } }
        do {
            var summary = try load(files.map(\.path), options: options, reassessing: reassessing)
            summary.firstPublishedLater = summary.firstPublishedLater.map { text in
                guard let file = files.first(where: { text.hasPrefix($0.path) }) else { return text }
                return file.name + text.dropFirst(file.path.count)
            }
            return summary
        } catch let error as ObservationLoader.InvalidInput {
            throw ObservationLoader.InvalidInput(errors: error.errors.map(renamed), truncated: error.truncated)
        } catch let error as InputError {
            throw renamed(error)
        }
    }
}

extension InputError {
    /// The error with file `path` called `name`, here and in the problems it carries.
    func naming(_ path: String, _ name: String) -> InputError {
        var renamed = InputError(file: file == path ? name : file, line: line, column: column, message: message)
        renamed.label = label
        renamed.path = self.path
        renamed.others = others.map { $0.naming(path, name) }
        return renamed
    }
}

extension Workspace {
    /// The kind of a defined metric, or nil when there is none of that key.
    public func metricKind(_ key: String) throws -> Metric.Kind? { try ObservationCatalog.load(connection).metricKinds[key] }
}

extension Workspace {
    /// What importing publishers' files did: what each conversion took, and what loading them
    /// did (nil with `dryRun`).
    public struct Imported: Sendable {
        public let outcomes: [ImportOutcome]
        public let summary: ObservationLoader.Summary?
    }

    /// Imports publishers' files (`FigureImport`) as the figures of `selection`'s metric: each
    /// converted, then all loaded as `load` loads files — in one transaction, all or nothing,
    /// one rejects file — every error at its original file's line or JSON path. With `dryRun`
    /// nothing is written.
    public func importFigures(
        _ files: [(path: String, name: String)], format: ImportFormat?, selection: ImportSelection, options: ObservationLoader.Options = .init(),
        dryRun: Bool = false
    ) throws -> Imported {
        try withScratchDirectory("headway-import") { directory in
            let converted = try files.enumerated().map { index, file in
                try FigureImport.convert(
                    path: file.path, fileName: file.name, format: format, selection: selection,
                    spoolPath: directory.appendingPathComponent("\(index).csv").path)
            }
            let outcomes = converted.map(\.outcome)
            guard !dryRun else { return Imported(outcomes: outcomes, summary: nil) }
            var options = options
            let spools = Dictionary(uniqueKeysWithValues: zip(converted, files).map { ($0.spool.path, ($0.spool.locator, $1.name)) })
            options.locate = { error in
                guard let (locator, name) = spools[error.file] else { return error }
                return locator.locate(error).naming(error.file, name)
            }
            let summary = try load(spooled: zip(converted, files).map { ($0.spool.path, $1.name) }, options: options, reassessing: true)
            return Imported(outcomes: outcomes, summary: summary)
        }
    }
}
