import ArgumentParser

/// `ticketsync-bench`: TicketSync's benchmarks. Each sub-command prints one JSON object.
/// Asynchronous at the root so sub-commands may be (`sync` drives stations with async/await).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticketsync-bench",
        abstract: "TicketSync benchmarks (run with -c release).",
        subcommands: [MergeBenchmark.self, StoreBenchmark.self, SyncBenchmark.self, NodesBenchmark.self, FailoverBenchmark.self, TimerBenchmark.self, APIBenchmark.self]
    )
}
