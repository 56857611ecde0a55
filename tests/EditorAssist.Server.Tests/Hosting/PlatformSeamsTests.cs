using System.Runtime.InteropServices;
using EditorAssist.Server.Hosting;

namespace EditorAssist.Server.Tests.Hosting;

/// <summary>The sidecar's per-OS choices: which shutdown requests end it, how stdout is kept for the protocol.</summary>
public sealed class PlatformSeamsTests
{
    [Fact]
    public void Windows_ends_cleanly_on_ctrl_c_ctrl_break_console_close_and_shutdown()
    {
        Assert.Equal([PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP, PosixSignal.SIGTERM], ShutdownSignals.For(OSPlatform.Windows));
    }

    [Fact]
    public void Unix_ends_cleanly_on_sigterm_sigint_and_sighup()
    {
        Assert.Equal([PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP], ShutdownSignals.For(OSPlatform.Linux));
        Assert.Equal(ShutdownSignals.For(OSPlatform.Linux), ShutdownSignals.For(OSPlatform.OSX));
    }

    [Fact]
    public void Registering_and_disposing_the_shutdown_signals_works_on_this_os()
    {
        // PosixSignalRegistration throws for a signal this OS cannot register: every listed one can.
        using var registration = ShutdownSignals.Register(_ => { });
        Assert.NotNull(registration);
    }

    [Fact]
    public void Stdout_is_protected_with_handles_on_windows_and_descriptors_elsewhere()
    {
        Assert.Equal(StdioStreams.Protection.WindowsHandles, StdioStreams.For(OSPlatform.Windows));
        Assert.Equal(StdioStreams.Protection.UnixDescriptors, StdioStreams.For(OSPlatform.Linux));
        Assert.Equal(StdioStreams.Protection.UnixDescriptors, StdioStreams.For(OSPlatform.OSX));
    }
}
