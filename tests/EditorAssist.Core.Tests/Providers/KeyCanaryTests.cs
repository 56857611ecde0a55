using System.Text;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Testing.Fakes;

namespace EditorAssist.Core.Tests.Providers;

/// <summary>A canary key, used for a full round of work, must not show up in the database, logs or errors.</summary>
public class KeyCanaryTests
{
    private const string Canary = "sk-canary-7f3a9c2e5b1d4f6a8c0e";

    [Fact]
    public async Task The_canary_key_never_reaches_sqlite_logs_or_error_messages()
    {
        await using var openai = await OpenAiFakeServer.StartAsync();
        await using var anthropic = await AnthropicFakeServer.StartAsync();
        var messages = new List<string>();
        using (var bed = new TestBed(sqlite: true))
        {
            var dir = bed.StoreDirectory!;
            bed.Keys.Set("openai", Canary);
            bed.Keys.Set("anthropic", Canary);
            bed.Registry.Configure("openai", openai.BaseUrl, new ProviderOptions { DefaultModel = "gpt-4.1-mini", MaxRetries = 0 });
            bed.Registry.Configure("anthropic", anthropic.BaseUrl, new ProviderOptions { MaxRetries = 0 });
            bed.State.SetRouterPolicy(new RouterPolicy { Strategy = RoutingStrategy.CloudFirst, Fallback = false });

            await bed.Router.SendAsync(new ChatSendRequest { Model = "openai/gpt-4.1-mini", Messages = [new("user", "hi")] }, _ => { }, default);
            await bed.Discovery.ListAllAsync(refresh: true, default);
            foreach (var p in bed.Registry.Providers) await p.CheckAsync(bed.Context(p.Descriptor.Id), default);

            // Servers that echo the key back in their error bodies.
            openai.Enqueue(new StatusReply(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + Canary + ".\",\"code\":\"invalid_api_key\"}}"));
            anthropic.Enqueue(new StatusReply(400, AnthropicFakeServer.ErrorBody("invalid_request_error", $"bad header x-api-key: {Canary}")));
            foreach (var model in new[] { "openai/gpt-4.1-mini", "anthropic/claude-sonnet-4-20250514" })
            {
                var ex = await Assert.ThrowsAsync<EditorAssistException>(() =>
                    bed.Router.SendAsync(new ChatSendRequest { Model = model, Messages = [new("user", "hi")] }, _ => { }, default));
                messages.Add(ex.Message);
                messages.AddRange(ex.Details?.Values.Select(v => v?.ToString() ?? "") ?? []);
            }
            messages.AddRange(bed.Log.Lines);
            Assert.Contains(openai.Requests, r => r.Headers.GetValueOrDefault("authorization") == $"Bearer {Canary}");

            // Read the database files with the WAL still present (the state a crash would leave), then after a clean close.
            AssertNoCanaryIn(dir);
            bed.Store!.Dispose();
            AssertNoCanaryIn(dir);

        }

        foreach (var m in messages) Assert.DoesNotContain(Canary, m);
        Assert.NotEmpty(messages);
    }

    private static void AssertNoCanaryIn(string dir)
    {
        var files = Directory.EnumerateFiles(dir).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "editorassist.db");
        foreach (var file in files)
        {
            byte[] bytes;
            using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var ms = new MemoryStream())
            {
                fs.CopyTo(ms);
                bytes = ms.ToArray();
            }
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(Canary)), $"{Path.GetFileName(file)} holds the key");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(Canary)), $"{Path.GetFileName(file)} holds the key (UTF-16)");
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
