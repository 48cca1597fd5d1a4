#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A shell script running as the leader of its own process group, so that it and every process
/// it started can be killed at once.
struct ProcessGroup {
    /// The shell's process id, which is also the group's id.
    let pid: pid_t

    /// Starts `/bin/sh -c script` in a new process group, standard output appended to `stdoutPath`,
    /// standard error discarded, with `environment` added to this process's environment.
    static func start(script: String, stdoutPath: String, environment: [String: String]) throws -> ProcessGroup {
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t?
        var actions: posix_spawn_file_actions_t?
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let words: [String] = ["/bin/sh", "-c", script]
        let pairs: [String] = merged.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard result == 0 else { throw CLI.Failure("posix_spawn /bin/sh failed: \(String(cString: strerror(result)))") }
        return ProcessGroup(pid: pid)
    }

    /// Sends SIGKILL to every process of the group and reaps the shell.
    func killAll() {
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}
