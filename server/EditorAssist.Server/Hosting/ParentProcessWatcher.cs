using System.Diagnostics;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// Polls for the client process named in <c>initialize.processId</c>. If the editor dies without
/// closing our stdin (a crash, a SIGKILL of the extension host), the sidecar must not linger.
/// </summary>
internal sealed class ParentProcessWatcher(int processId, TimeSpan interval, TimeProvider time) : IDisposable
{
    private ITimer? _timer;

    public void Start(Action onExited)
    {
        _timer = time.CreateTimer(_ =>
        {
            if (IsAlive(processId)) return;
            _timer?.Dispose();
            onExited();
        }, null, interval, interval);
    }

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public void Dispose() => _timer?.Dispose();
}
