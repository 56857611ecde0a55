using EditorAssist.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Tests.Hosting;

public class SidecarOptionsTests
{
    [Fact]
    public void Defaults_to_serving_stdio()
    {
        var o = SidecarOptions.Parse([]);
        Assert.Equal("serve", o.Verb);
        Assert.False(o.Diagnostics);
        Assert.Equal(8 * 1024 * 1024, o.MaxMessageBytes);
    }

    [Fact]
    public void Parses_every_option()
    {
        var o = SidecarOptions.Parse(["--stdio", "--diagnostics", "--max-message-bytes", "4096", "--log-level", "debug"]);
        Assert.True(o.Diagnostics);
        Assert.Equal(4096, o.MaxMessageBytes);
        Assert.Equal(LogLevel.Debug, o.LogLevel);
        Assert.Equal("version", SidecarOptions.Parse(["--version"]).Verb);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--max-message-bytes")]
    [InlineData("--max-message-bytes", "-5")]
    [InlineData("--max-message-bytes", "12abc")]
    [InlineData("--log-level", "loud")]
    public void Rejects_bad_arguments_with_a_message(params string[] args)
    {
        var ex = Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void Parses_the_model_verbs()
    {
        var pull = SidecarOptions.Parse(["pull", "qwen2.5-coder-1.5b-q8_0", "--storage-dir", "/tmp/x"]);
        Assert.Equal("pull", pull.Verb);
        Assert.Equal(["qwen2.5-coder-1.5b-q8_0"], pull.Arguments);
        Assert.Equal("/tmp/x", pull.StorageDir);
        Assert.Equal("models", SidecarOptions.Parse(["models"]).Verb);
        Assert.Equal(["local/a"], SidecarOptions.Parse(["rm", "local/a"]).Arguments);
        Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(["pull"]));
        Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(["models", "extra"]));
        Assert.Throws<ArgumentException>(() => SidecarOptions.Parse(["bogus-verb"]));
    }
}
