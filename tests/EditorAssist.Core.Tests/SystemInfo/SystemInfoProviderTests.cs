using EditorAssist.Core.SystemInfo;

namespace EditorAssist.Core.Tests.SystemInfo;

public class SystemInfoProviderTests
{
    [Fact]
    public void Reports_the_real_machine()
    {
        var info = new SystemInfoProvider(new NoAccelerators()).Read();
        Assert.Equal(Environment.ProcessorCount, info.Cpu.Cores);
        Assert.False(string.IsNullOrWhiteSpace(info.Cpu.Name));
        Assert.False(string.IsNullOrWhiteSpace(info.Os));
        Assert.True(info.RamTotalBytes > 256L * 1024 * 1024, $"RAM total {info.RamTotalBytes}");
        Assert.InRange(info.RamFreeBytes, 1, info.RamTotalBytes);
        Assert.Empty(info.Gpus);
        if (OperatingSystem.IsLinux())
        {
            var memTotalKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:"));
            Assert.Contains((info.RamTotalBytes / 1024).ToString(), memTotalKb);
        }
    }
}
