using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;

namespace EditorAssist.Core.Tests.Downloads;

public sealed class DownloadUrlPolicyTests
{
    [Theory]
    [InlineData("https://huggingface.co/a/b/resolve/main/x.gguf", true)]
    [InlineData("http://127.0.0.1:8080/x.gguf", true)]
    [InlineData("http://localhost:8080/x.gguf", true)]
    [InlineData("http://[::1]:8080/x.gguf", true)]
    [InlineData("http://huggingface.co/x.gguf", false)]
    [InlineData("ftp://127.0.0.1/x.gguf", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Only_https_or_loopback_http(string url, bool allowed)
    {
        var u = new Uri(url);
        if (allowed) DownloadUrlPolicy.EnsureAllowed(u);
        else Assert.Equal(ErrorCode.DownloadFailed, Assert.Throws<EditorAssistException>(() => DownloadUrlPolicy.EnsureAllowed(u)).Code);
    }

    [Theory]
    [InlineData("model.gguf", "model.gguf")]
    [InlineData("Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf", "Qwen2.5-Coder-7B-Instruct-Q4_K_M.gguf")]
    [InlineData("a:b?.gguf", "a_b_.gguf")]
    [InlineData("tab\there.gguf", "tab_here.gguf")]
    public void Names_are_cleaned(string input, string expected) => Assert.Equal(expected, DownloadUrlPolicy.SanitizeFileName(input));

    [Theory]
    [InlineData("../x.gguf")]
    [InlineData("..\\x.gguf")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/x.gguf")]
    [InlineData("..")]
    [InlineData(".hidden.gguf")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("x.gguf.partial")]
    public void Traversal_and_unusable_names_are_rejected(string input) =>
        Assert.Equal(ErrorCode.DownloadFailed, Assert.Throws<EditorAssistException>(() => DownloadUrlPolicy.SanitizeFileName(input)).Code);

    [Fact]
    public void A_file_name_is_taken_from_the_last_path_segment_and_escapes_cannot_smuggle_a_path()
    {
        Assert.Equal("x.gguf", DownloadUrlPolicy.FileNameFromUrl(new Uri("https://h/a/b/x.gguf?download=true")));
        Assert.Throws<EditorAssistException>(() => DownloadUrlPolicy.FileNameFromUrl(new Uri("https://h/a/..%2F..%2Fetc%2Fpasswd")));
    }

    [Fact]
    public void Same_origin_means_scheme_host_and_port()
    {
        Assert.True(DownloadUrlPolicy.SameOrigin(new Uri("https://huggingface.co/a"), new Uri("https://HuggingFace.co/b")));
        Assert.False(DownloadUrlPolicy.SameOrigin(new Uri("https://huggingface.co/a"), new Uri("https://cdn-lfs.huggingface.co/a")));
        Assert.False(DownloadUrlPolicy.SameOrigin(new Uri("http://127.0.0.1:1/a"), new Uri("http://127.0.0.1:2/a")));
    }
}
