import ArgumentParser

/// `ticketsync-bench`: TicketSync's benchmarks. Each sub-command prints one JSON object.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketsync-bench",
        abstract: "TicketSync benchmarks (run with -c release).",
        subcommands: [MergeBenchmark.self, StoreBenchmark.self]
    )
}
