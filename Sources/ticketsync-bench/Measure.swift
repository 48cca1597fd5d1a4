import CZlib
import Foundation

/// Small measuring helpers shared by the benchmarks.
enum Measure {
    /// Seconds `body` takes, and its result.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// CPU seconds (user and system) the process has used so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The process's peak resident set size, in MiB.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The size of `bytes` compressed by zlib at level 6 (what the peers report).
    static func deflatedSize(_ bytes: [UInt8]) -> Int {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&out, &length, bytes, uLong(bytes.count), 6)
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        return Int(length)
    }

    /// p50, p99 and max of samples, rounded to 3 places.
    static func percentiles(_ samples: [Double]) -> [String: Double] {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return [:] }
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.down)))] }
        return ["p50": rounded(at(0.5), 3), "p99": rounded(at(0.99), 3), "max": rounded(sorted.last!, 3), "n": Double(sorted.count)]
    }

    static func rounded(_ value: Double, _ places: Int = 4) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    /// Prints a JSON object with sorted keys.
    static func printJSON(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: data, as: UTF8.self))
    }
}
