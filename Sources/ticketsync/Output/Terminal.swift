#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What the CLI needs to know about where standard output goes.
enum Terminal {
    /// Whether standard output is a terminal (a person reads it) rather than a pipe or file.
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The terminal's width in columns, or nil when standard output is not a terminal.
    static var width: Int? {
        guard isInteractive else { return nil }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}
