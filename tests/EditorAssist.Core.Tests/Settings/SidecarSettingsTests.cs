using System.Text.Json;
using EditorAssist.Core.Settings;

namespace EditorAssist.Core.Tests.Settings;

public sealed class SidecarSettingsTests
{
    private static SidecarSettings Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return SidecarSettings.Read(doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()));
    }

    [Fact]
    public void Nothing_stored_gives_the_defaults()
    {
        var s = Read("{}");
        Assert.Equal(SidecarSettings.Defaults with { }, s with { LocalFiles = SidecarSettings.Defaults.LocalFiles, Invalid = SidecarSettings.Defaults.Invalid });
        Assert.True(s.LocalAllowGpu);
        Assert.Equal(15, s.LocalIdleUnloadMinutes);
        Assert.Equal(2, s.DownloadsMaxParallel);
        Assert.Equal(64, s.CompletionMaxTokens);
        Assert.True(s.CompletionReuseCache);
        Assert.Null(s.StorageQuotaBytes);
        Assert.Empty(s.Invalid);
    }

    [Fact]
    public void Every_key_is_read_typed()
    {
        var s = Read("""
            {"chat.model":"openai/gpt-4o","completion.model":"local/coder","completion.prefixLines":40,"completion.suffixLines":10,
             "completion.maxTokens":32,"completion.reuseCache":false,"completion.reuseSuffix":false,"local.allowGpu":false,
             "local.nativeDir":"/opt/llama","local.idleUnloadMinutes":0,"local.threads":3,"local.files":{"local/a":"/m/a.gguf"},
             "downloads.huggingFaceEndpoint":"https://mirror.example","downloads.maxParallel":4,"storage.quotaBytes":1073741824}
            """);
        Assert.Equal("openai/gpt-4o", s.ChatModel);
        Assert.Equal("local/coder", s.CompletionModel);
        Assert.Equal(40, s.CompletionPrefixLines);
        Assert.Equal(10, s.CompletionSuffixLines);
        Assert.Equal(32, s.CompletionMaxTokens);
        Assert.False(s.CompletionReuseCache);
        Assert.False(s.CompletionReuseSuffix);
        Assert.False(s.LocalAllowGpu);
        Assert.Equal("/opt/llama", s.LocalNativeDir);
        Assert.Equal(0, s.LocalIdleUnloadMinutes);
        Assert.Equal(3, s.LocalThreads);
        Assert.Equal("/m/a.gguf", s.LocalFiles["local/a"]);
        Assert.Equal("https://mirror.example", s.DownloadsHuggingFaceEndpoint);
        Assert.Equal(4, s.DownloadsMaxParallel);
        Assert.Equal(1L << 30, s.StorageQuotaBytes);
        Assert.Empty(s.Invalid);
    }

    [Fact]
    public void A_wrong_type_or_range_falls_back_to_the_default_and_is_named()
    {
        var s = Read("""
            {"local.allowGpu":"false","local.threads":0,"downloads.maxParallel":-1,"local.idleUnloadMinutes":-5,
             "chat.model":"","local.files":[],"completion.maxTokens":1.5,"storage.quotaBytes":0,"unknown.key":1}
            """);
        Assert.True(s.LocalAllowGpu);
        Assert.Null(s.LocalThreads);
        Assert.Equal(2, s.DownloadsMaxParallel);
        Assert.Equal(15, s.LocalIdleUnloadMinutes);
        Assert.Null(s.ChatModel);
        Assert.Empty(s.LocalFiles);
        Assert.Equal(64, s.CompletionMaxTokens);
        Assert.Null(s.StorageQuotaBytes); // 0 is "no quota", not an error
        string[] invalid = [SettingKeys.ChatModel, SettingKeys.CompletionMaxTokens, SettingKeys.LocalAllowGpu, SettingKeys.LocalIdleUnloadMinutes,
            SettingKeys.LocalThreads, SettingKeys.DownloadsMaxParallel, SettingKeys.LocalFiles];
        Assert.Equal(invalid.Order(StringComparer.Ordinal), s.Invalid.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_key_list_names_every_constant_once()
    {
        var constants = typeof(SettingKeys).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(constants.Order(StringComparer.Ordinal), SettingKeys.All.Order(StringComparer.Ordinal));
        Assert.Equal(SettingKeys.All.Count, SettingKeys.All.Distinct().Count());
    }
}
