using EditorAssist.Core.Errors;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Tests.Downloads;
using EditorAssist.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EditorAssist.Core.Tests.Models;

public sealed class LocalModelStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("ea-models");
    private readonly SqliteStore _store;
    private readonly FakeDiskFileSystem _disk = new() { FreeBytes = 1000 };
    private readonly HashSet<string> _loaded = [];
    private readonly LocalModelStore _models;
    private readonly string _modelsDir;

    public LocalModelStoreTests()
    {
        _store = SqliteStore.Open(_dir.Path, NullLogger.Instance);
        _modelsDir = Path.Combine(_dir.Path, "models");
        Directory.CreateDirectory(_modelsDir);
        _models = new LocalModelStore(_modelsDir, _store, new Loaded(_loaded), _disk, () => 2500);
    }

    private sealed class Loaded(HashSet<string> set) : ILoadedModels
    {
        public bool IsLoaded(string fileName) => set.Contains(fileName);
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private void Add(string name, int size, int? usedMinutesAgo)
    {
        File.WriteAllBytes(Path.Combine(_modelsDir, name), new byte[size]);
        _models.Record(name, new string('0', 64), size, null, null);
        if (usedMinutesAgo is { } m) _models.MarkUsed(name, DateTimeOffset.UtcNow.AddMinutes(-m));
    }

    [Fact]
    public void Lists_gguf_files_with_refs_sizes_and_last_use_and_ignores_partials()
    {
        Add("Qwen-A.gguf", 100, 5);
        File.WriteAllBytes(Path.Combine(_modelsDir, "b.gguf.partial"), new byte[50]);
        var m = Assert.Single(_models.List());
        Assert.Equal("local/qwen-a", m.Ref);
        Assert.Equal(100, m.SizeBytes);
        Assert.NotNull(m.LastUsed);
        var summary = _models.Summary();
        Assert.Equal(150, summary.UsedBytes);
        Assert.Equal(2500, summary.QuotaBytes);
        Assert.Equal(1000, summary.DiskFreeBytes);
    }

    [Fact]
    public void Eviction_removes_least_recently_used_first_never_used_before_used_and_never_a_loaded_model()
    {
        Add("recent.gguf", 1000, 1);
        Add("old.gguf", 1000, 60);
        Add("never.gguf", 1000, null);
        Add("oldest-but-loaded.gguf", 1000, 600);
        _loaded.Add("oldest-but-loaded.gguf");

        var dry = _models.Evict(targetFreeBytes: 2500, dryRun: true);
        Assert.Equal(["local/never", "local/old"], dry.Select(e => e.Ref));
        Assert.Equal(4, _models.List().Count);

        var evicted = _models.Evict(targetFreeBytes: 10_000, dryRun: false);
        Assert.Equal(["local/never", "local/old", "local/recent"], evicted.Select(e => e.Ref));
        Assert.Equal(["local/oldest-but-loaded"], _models.List().Select(m => m.Ref));
    }

    [Fact]
    public void Without_a_target_eviction_brings_the_folder_within_its_quota()
    {
        Add("a.gguf", 1000, 3);
        Add("b.gguf", 1000, 2);
        Add("c.gguf", 1000, 1);
        var evicted = _models.Evict(null, dryRun: false);
        Assert.Equal(["local/a"], evicted.Select(e => e.Ref)); // 3000 → 2000 ≤ 2500
    }

    [Fact]
    public void Delete_frees_the_file_refuses_a_loaded_model_and_reports_unknown_refs()
    {
        Add("a.gguf", 700, null);
        Add("busy.gguf", 10, null);
        _loaded.Add("busy.gguf");
        Assert.Equal(700, _models.Delete("local/a"));
        Assert.False(File.Exists(Path.Combine(_modelsDir, "a.gguf")));
        Assert.Equal(ErrorCode.ModelBusy, Assert.Throws<EditorAssistException>(() => _models.Delete("local/busy")).Code);
        Assert.Equal(ErrorCode.ModelNotFound, Assert.Throws<EditorAssistException>(() => _models.Delete("local/../../etc/passwd")).Code);
    }
}
