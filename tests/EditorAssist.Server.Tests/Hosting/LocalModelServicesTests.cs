using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using EditorAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Server.Tests.Hosting;

public sealed class LocalModelServicesTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("ea-lms");
    private SqliteStore _store = null!;
    private LocalModelServices _services = null!;

    public Task InitializeAsync()
    {
        _store = SqliteStore.Open(_dir.Path, NullLogger.Instance);
        _services = LocalModelServices.Create(_store, NoLoadedModels.Instance, TimeProvider.System, NullLoggerFactory.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_catalog_id_resolves_to_the_hub_url_saved_under_the_id_and_honours_a_mirror_setting()
    {
        var r = _services.ResolveRequest(new DownloadParams { CatalogId = "qwen2.5-coder-1.5b-q8_0" });
        Assert.Equal("https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q8_0.gguf", r.Url.ToString());
        Assert.Equal("qwen2.5-coder-1.5b-q8_0.gguf", r.FileName);
        Assert.Equal("local/qwen2.5-coder-1.5b-q8_0", LocalModelStore.RefFor(r.FileName));

        using var doc = JsonDocument.Parse("""{"downloads.huggingFaceEndpoint":"https://hf-mirror.example/"}""");
        _store.Settings.Update(doc.RootElement);
        var mirrored = _services.ResolveRequest(new DownloadParams { CatalogId = "qwen2.5-coder-1.5b-q8_0" });
        Assert.StartsWith("https://hf-mirror.example/Qwen/", mirrored.Url.ToString());
        Assert.Equal(new Uri("https://hf-mirror.example/"), _services.Credentials.Endpoint);
    }

    [Fact]
    public void Urls_and_repo_files_resolve_with_their_own_names()
    {
        var u = _services.ResolveRequest(new DownloadParams { Url = "https://example.com/files/My-Model.Q4_K_M.gguf?download=1" });
        Assert.Equal("My-Model.Q4_K_M.gguf", u.FileName);
        var h = _services.ResolveRequest(new DownloadParams { Repo = "org/repo", File = "sub/x.gguf", Revision = "v1" });
        Assert.Equal("https://huggingface.co/org/repo/resolve/v1/sub/x.gguf", h.Url.ToString());
        Assert.Equal("x.gguf", h.FileName);
    }

    [Fact]
    public void Malformed_params_are_invalid_params_and_unknown_ids_are_model_not_found()
    {
        Assert.Equal(ErrorCodes.InvalidParams, Assert.Throws<RpcException>(() => _services.ResolveRequest(new DownloadParams())).Code);
        Assert.Equal(ErrorCodes.InvalidParams, Assert.Throws<RpcException>(() => _services.ResolveRequest(new DownloadParams { CatalogId = "x", Url = "https://a/b.gguf" })).Code);
        Assert.Equal(ErrorCodes.InvalidParams, Assert.Throws<RpcException>(() => _services.ResolveRequest(new DownloadParams { Repo = "org/repo" })).Code);
        Assert.Equal(ErrorCodes.InvalidParams, Assert.Throws<RpcException>(() => _services.ResolveRequest(new DownloadParams { Url = "not a url" })).Code);
        Assert.Equal(ErrorCode.ModelNotFound, Assert.Throws<EditorAssistException>(() => _services.ResolveRequest(new DownloadParams { CatalogId = "no-such-model" })).Code);
    }
}
