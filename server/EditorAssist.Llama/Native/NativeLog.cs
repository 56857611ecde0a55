using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Llama.Native;

/// <summary>
/// Routes llama.cpp and ggml logging into an <see cref="ILogger"/>. Without this both print to
/// stderr themselves — harmless — but some paths in ggml print to stdout, and the sidecar's
/// stdout is reserved for JSON-RPC frames, so we own the callback and the host's logger decides
/// where lines go (stderr). The native callback is process-global, hence the static logger.
/// </summary>
internal static unsafe class NativeLog
{
    private static ILogger? s_logger;
    private static readonly object s_gate = new();
    // ggml emits a line in pieces: a first call with a level, then GGML_LOG_LEVEL_CONT calls.
    // We assemble them and log one line per '\n' so the output stays readable.
    private static readonly StringBuilder s_pending = new();
    private static LogLevel s_pendingLevel = LogLevel.Debug;

    internal static void Install(ILogger logger)
    {
        s_logger = logger;
        NativeMethods.ggml_log_set(&OnLog, IntPtr.Zero);
        NativeMethods.llama_log_set(&OnLog, IntPtr.Zero);
    }

    [UnmanagedCallersOnly]
    private static void OnLog(GgmlLogLevel level, byte* text, IntPtr userData)
    {
        // Never let an exception unwind into native code: that would tear down the process.
        try
        {
            string piece = text == null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)text) ?? string.Empty;
            lock (s_gate)
            {
                if (level != GgmlLogLevel.Cont)
                {
                    s_pendingLevel = Map(level);
                }
                s_pending.Append(piece);
                int nl;
                while ((nl = IndexOfNewline(s_pending)) >= 0)
                {
                    string line = s_pending.ToString(0, nl);
                    s_pending.Remove(0, nl + 1);
                    if (line.Length > 0)
                    {
                        s_logger?.Log(s_pendingLevel, "{NativeLine}", line);
                    }
                }
            }
        }
        catch
        {
            // Dropping a log line is better than crashing inside libllama.
        }
    }

    private static int IndexOfNewline(StringBuilder sb)
    {
        for (int i = 0; i < sb.Length; i++)
        {
            if (sb[i] == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    // llama.cpp logs at INFO a lot of per-load detail (every metadata key); that is debug-level
    // chatter for a user, so INFO maps to Debug and only warnings and errors surface by default.
    private static LogLevel Map(GgmlLogLevel level) => level switch
    {
        GgmlLogLevel.Error => LogLevel.Error,
        GgmlLogLevel.Warn => LogLevel.Warning,
        GgmlLogLevel.Info => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}
