/// One problem in a policy file: where (1-based line and column) and what, with the fix.
public struct PolicyProblem: Hashable, Sendable, CustomStringConvertible {
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int
    /// What is wrong.
    public var error: SLAConfigurationError

    /// Creates a problem.
    public init(line: Int, column: Int, error: SLAConfigurationError) {
        self.line = line
        self.column = column
        self.error = error
    }

    /// `LINE:COL: message`.
    public var description: String { "\(line):\(column): \(error.message)" }
}

/// A policy file that could not be used: every problem found, in file order.
public struct PolicyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's name as given (only used in messages).
    public var file: String
    /// The problems, in file order; never empty.
    public var problems: [PolicyProblem]

    /// Creates an error.
    public init(file: String, problems: [PolicyProblem]) {
        self.file = file
        self.problems = problems
    }

    /// One line per problem: `FILE:LINE:COL: message`.
    public var lines: [String] { problems.map { "\(file):\($0.line):\($0.column): \($0.error.message)" } }

    /// The lines joined by newlines.
    public var description: String { lines.joined(separator: "\n") }
}
