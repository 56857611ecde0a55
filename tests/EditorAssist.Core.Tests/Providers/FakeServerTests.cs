using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>The fakes misbehave the way the provider tests rely on.</summary>
public class FakeServerTests
{
    [Fact]
    public async Task A_dropped_stream_keeps_what_was_sent_and_then_fails_instead_of_ending_cleanly()
    {
        await using var server = await OpenAiFakeServer.StartAsync();
        server.Enqueue(new StreamReply(["a", "b", "c"], DropAfter: 2));
        using var http = new HttpClient();
        using var response = await http.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = new StringContent("""{"stream":true}""") },
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var seen = new System.Text.StringBuilder();
        while (!seen.ToString().Contains("\"b\"", StringComparison.Ordinal))
            seen.AppendLine(await reader.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("ended early: " + seen));
        server.DropNow();
        await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync());
    }
}
