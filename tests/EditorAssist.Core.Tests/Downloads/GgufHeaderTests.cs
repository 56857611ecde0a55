using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Testing;

namespace EditorAssist.Core.Tests.Downloads;

public sealed class GgufHeaderTests
{
    [Fact]
    public void A_valid_header_passes() => Assert.Null(GgufHeader.Check(FakeModelBytes.Create(64)));

    [Fact]
    public void Html_json_empty_short_and_wrong_versions_fail()
    {
        Assert.Contains("HTML", GgufHeader.Check("  <!DOCTYPE html><html><body>Sign in to continue........</body></html>"u8));
        Assert.Contains("JSON", GgufHeader.Check("{\"error\":\"Repository not found or access denied\"}"u8));
        Assert.Contains("empty", GgufHeader.Check([]));
        Assert.Contains("too short", GgufHeader.Check("GGUF"u8));
        var v9 = FakeModelBytes.Create(64);
        v9[4] = 9;
        Assert.Contains("version", GgufHeader.Check(v9));
        var huge = FakeModelBytes.Create(64);
        huge[15] = 0x7f;
        Assert.Contains("implausible", GgufHeader.Check(huge));
    }

    [Fact]
    public void The_first_bytes_suffice_to_reject_early()
    {
        Assert.True(GgufHeader.StartsLikeGguf("GG"u8));
        Assert.True(GgufHeader.StartsLikeGguf("GGUF\x03"u8));
        Assert.False(GgufHeader.StartsLikeGguf("<htm"u8));
    }
}
