using System.Globalization;
using System.Runtime.InteropServices;

namespace EditorAssist.Core.SystemInfo;

public sealed record CpuInfo(string Name, int Cores);

public sealed record GpuInfo(string Name, string Backend, long VramTotalBytes, long VramFreeBytes);

/// <summary>The native runtime; <see cref="Error"/> says why it is unavailable, when it is.</summary>
public sealed record RuntimeInfo(string? LlamaBuild, IReadOnlyList<string> Backends, string? Error = null);

public sealed record MachineInfo(
    string Os, string Arch, CpuInfo Cpu, long RamTotalBytes, long RamFreeBytes,
    IReadOnlyList<GpuInfo> Gpus, RuntimeInfo Runtime);

/// <summary>Supplies accelerator data once a native runtime is loaded; the default knows none.</summary>
public interface IAcceleratorInfoSource
{
    IReadOnlyList<GpuInfo> GetGpus();
    RuntimeInfo GetRuntime();
}

public sealed class NoAccelerators : IAcceleratorInfoSource
{
    public IReadOnlyList<GpuInfo> GetGpus() => [];
    public RuntimeInfo GetRuntime() => new(null, []);
}

/// <summary>
/// Reads the machine's facts: OS, CPU, RAM (free = what the kernel reports as available, i.e.
/// reclaimable cache included, which is what a model load can actually get).
/// </summary>
public sealed class SystemInfoProvider(IAcceleratorInfoSource accelerators)
{
    public MachineInfo Read()
    {
        var (total, free) = ReadMemory();
        return new MachineInfo(
            RuntimeInformation.OSDescription,
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            new CpuInfo(ReadCpuName(), Environment.ProcessorCount),
            total, free,
            accelerators.GetGpus(),
            accelerators.GetRuntime());
    }

    internal static string ReadCpuName()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    // x86 says "model name"; some ARM kernels only have "Hardware" or "CPU part".
                    if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Hardware", StringComparison.Ordinal))
                    {
                        var colon = line.IndexOf(':');
                        if (colon > 0) return line[(colon + 1)..].Trim();
                    }
                }
            }
            var env = Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER");
            if (!string.IsNullOrWhiteSpace(env)) return env.Trim();
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    internal static (long Total, long Free) ReadMemory()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/meminfo"))
        {
            long total = 0, available = -1;
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = ParseKb(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = ParseKb(line);
            }
            if (total > 0) return (total, available >= 0 ? available : 0);
        }
        var gc = GC.GetGCMemoryInfo();
        return (gc.TotalAvailableMemoryBytes, Math.Max(0, gc.TotalAvailableMemoryBytes - gc.MemoryLoadBytes));
    }

    private static long ParseKb(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
    }
}
