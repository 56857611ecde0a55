using System.Runtime.InteropServices;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// The OS requests that end the sidecar cleanly (stop generations, close the store) instead of
/// killing it. .NET maps them per OS: on Unix the signals themselves; on Windows SIGINT is
/// Ctrl+C, SIGQUIT Ctrl+Break, SIGHUP the console window closing and SIGTERM log-off/shut-down.
/// </summary>
internal static class ShutdownSignals
{
    /// <summary>What ends the sidecar on <paramref name="os"/>.</summary>
    internal static IReadOnlyList<PosixSignal> For(OSPlatform os) => os == OSPlatform.Windows
        ? [PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP, PosixSignal.SIGTERM]
        // SIGHUP on Unix: the terminal a developer ran it from went away.
        : [PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP];

    /// <summary>Registers every shutdown request of this OS; <paramref name="end"/> gets the signal's name. Dispose to unregister.</summary>
    internal static IDisposable Register(Action<string> end)
    {
        var os = OperatingSystem.IsWindows() ? OSPlatform.Windows : OSPlatform.Linux;
        var registrations = For(os)
            .Select(signal => PosixSignalRegistration.Create(signal, ctx => { ctx.Cancel = true; end(Name(signal)); }))
            .ToList();
        return new Registrations(registrations);
    }

    internal static string Name(PosixSignal signal) => OperatingSystem.IsWindows()
        ? signal switch
        {
            PosixSignal.SIGINT => "Ctrl+C",
            PosixSignal.SIGQUIT => "Ctrl+Break",
            PosixSignal.SIGHUP => "console closed",
            PosixSignal.SIGTERM => "shutdown",
            _ => signal.ToString(),
        }
        : signal.ToString();

    private sealed class Registrations(List<PosixSignalRegistration> all) : IDisposable
    {
        public void Dispose() => all.ForEach(r => r.Dispose());
    }
}
