import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// `ticketsync sync`: one round with the server.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send the outbox to the server and receive everything new, then stop.",
        discussion: "Needs a server (ticketsync init --server … or ticketsync server …). Shows a progress bar on a terminal."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let station = try home.openStation()
        let bar = ProgressLine(enabled: !output.json && isatty(STDERR_FILENO) == 1)
        let report: SyncReport
        do {
            report = try await station.syncOnce(progress: { bar.show($0) })
        } catch let error as SyncError {
            bar.finish()
            throw error
        } catch let error as StationError {
            bar.finish()
            throw error
        } catch {
            bar.finish()
            throw CLIError(.unavailable, "could not sync with the server: \(error)")
        }
        bar.finish()
        let status = try station.status()
        if output.json {
            JSONOutput.print([
                "pushed": report.pushed, "rejected": report.rejected, "received": report.received,
                "removed_tickets": report.removedTickets, "snapshot": report.snapshot,
                "clock_offset_ms": report.clockOffsetMillis, "outbox": status.outbox,
                "rejections": report.rejections, "cursor": JSONOutput.orNull(status.cursor),
            ] as JSONObject)
            return
        }
        print("sent \(report.pushed), received \(report.received), outbox \(status.outbox)")
        if report.rejected > 0 {
            print("the server refused \(report.rejected) change\(report.rejected == 1 ? "" : "s") (undone here):")
            for line in report.rejections { print("  \(line)") }
        }
        if report.removedTickets > 0 { print("\(report.removedTickets) ticket(s) left this station's scope") }
        if abs(report.clockOffsetMillis) > 60_000 {
            print("warning: this station's clock is \(abs(report.clockOffsetMillis) / 1000) s off the server's")
        }
    }
}

/// `ticketsync watch`: stay live and print changes as they arrive.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stay connected: send local changes and print remote ones as they arrive (Ctrl-C stops).",
        discussion: "Reconnects by itself with exponential backoff. With --json, one JSON object per change."
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let station = try home.openStation()
        let json = output.json
        try await station.syncLive { event in
            switch event {
            case .received(let operations):
                for op in operations {
                    // Written straight to the file descriptor: a pipe reader sees each change at once.
                    let line: String
                    if json {
                        let object: [String: Any] = [
                            "ticket": op.ticket.description, "operation": op.id.description, "kind": op.payload.kindName,
                            "author": op.author.description, "at": TimeText.iso(millis: op.timestamp.millis),
                        ]
                        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                        line = String(decoding: data, as: UTF8.self)
                    } else {
                        line = "\(TimeText.local(millis: op.timestamp.millis))  \(op.ticket.compactHex.prefix(12))  \(op.payload.kindName)  by \(op.author)"
                    }
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
            case .connecting(let url):
                if !json { FileHandle.standardError.write(Data("connecting to \(url)\n".utf8)) }
            case .connected(let url):
                if !json { FileHandle.standardError.write(Data("live on \(url)\n".utf8)) }
            case .disconnected(let reason):
                if !json { FileHandle.standardError.write(Data("disconnected: \(reason)\n".utf8)) }
            case .retrying(let seconds):
                if !json { FileHandle.standardError.write(Data(String(format: "retrying in %.1f s\n", seconds).utf8)) }
            }
        }
    }
}

/// A one-line progress bar on stderr, redrawn in place.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: SyncProgress) {
        guard enabled, progress.toPush + progress.received >= 200 else { return }
        lock.lock()
        defer { lock.unlock() }
        let total = max(1, progress.toPush)
        let filled = min(30, 30 * progress.pushed / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] sent \(progress.pushed)/\(progress.toPush)  received \(progress.received)".utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }
}
