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
    public func load(spooled path: String, as name: String) throws -> ObservationLoader.Summary {
        do {
            var summary = try load([path])
            summary.firstPublishedLater = summary.firstPublishedLater.map { $0.hasPrefix(path) ? name + $0.dropFirst(path.count) : $0 }
            return summary
        } catch let error as ObservationLoader.InvalidInput {
            throw ObservationLoader.InvalidInput(errors: error.errors.map { $0.naming(path, name) }, truncated: error.truncated)
        } catch let error as InputError {
            throw error.naming(path, name)
        }
    }
}

extension InputError {
    /// The error with file `path` called `name`, here and in the problems it carries.
    func naming(_ path: String, _ name: String) -> InputError {
        var renamed = InputError(file: file == path ? name : file, line: line, column: column, message: message)
        renamed.label = label
        renamed.others = others.map { $0.naming(path, name) }
        return renamed
    }
}
