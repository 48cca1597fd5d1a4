import ArgumentParser

/// `--json`: print one compact JSON document for scripts instead of text for people.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print compact JSON (snake_case keys, ISO-8601 UTC times) for scripts.")
    var json = false
}
