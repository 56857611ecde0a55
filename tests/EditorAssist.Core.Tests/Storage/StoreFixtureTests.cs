using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Testing;

namespace EditorAssist.Core.Tests.Storage;

/// <summary>
/// Users' databases were written by SQLite 3.35.5 (Microsoft.Data.Sqlite.Core 6.0). The fixture is
/// such a file, written by the sidecar of commit 0b1721a through the real RPC methods
/// (tests/tools/make-store-fixture.mjs): this build must open it, read every row and migrate it.
/// It is kept as base64 text (the exact bytes, but no binary data file in the tree).
/// </summary>
public class StoreFixtureTests : IDisposable
{
    private const string Fixture = "store-schema3-sqlite3.35.5.db.b64";
    private const string FirstSession = "40f2b83d4ef240f699994019852a9351";
    private readonly TempDirectory _dir = new();
    private readonly ListLogger _log = new();

    public StoreFixtureTests()
    {
        string base64 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", Fixture));
        File.WriteAllBytes(Path.Combine(_dir.Path, SqliteStore.FileName), Convert.FromBase64String(base64));
    }

    public void Dispose() => _dir.Dispose();

    private static string Text(SqliteStore s, string sql) => s.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    });

    [Fact]
    public void The_bundled_sqlite_is_3_53()
    {
        using var store = SqliteStore.Open(_dir.Path, _log);
        // docs/ARCHITECTURE.md names this version; a package update that changes it should update the docs.
        Assert.StartsWith("3.53.", Text(store, "SELECT sqlite_version();"));
    }

    [Fact]
    public void A_database_written_by_the_sqlite_3_35_build_opens_with_every_row()
    {
        using var store = SqliteStore.Open(_dir.Path, _log);
        Assert.Null(store.RecoveredCorruptFile);
        Assert.Equal(Migrations.All[^1].Version, store.SchemaVersion); // migrated to the newest schema
        Assert.Equal("wal", Text(store, "PRAGMA journal_mode;"));

        Assert.Equal("\"vllm/fake-model\"", store.Settings.Get("chat.model")!.Value.GetRawText());
        Assert.Equal(10737418240, store.Settings.Get("storage.quotaBytes")!.Value.GetInt64());
        Assert.Equal("[\"a\",\"b\"]", store.Settings.Get("ui.recent")!.Value.GetRawText());
        Assert.Equal("1", Text(store, "SELECT count(*) FROM provider_config WHERE provider_id = 'vllm';"));
        Assert.Equal("1", Text(store, "SELECT count(*) FROM model_cache;"));
        Assert.Contains("preferLocal", Text(store, "SELECT policy FROM router_policy;"));

        var history = new ChatHistory(() => store);
        var sessions = history.List();
        Assert.Equal([2, 4], sessions.Select(s => s.MessageCount).Order());
        var (session, messages) = history.Get(FirstSession)!.Value;
        Assert.Equal("How do I map an array in JavaScript? — «ünïcödé» 🚀", session.Title);
        Assert.Equal(["user", "assistant", "user", "assistant"], messages.Select(m => m.Role));
        Assert.Equal("Use `Array.prototype.map`.", messages[1].Content);
        Assert.Equal(17, messages[1].Usage!.PromptTokens);
        Assert.Equal("stop", messages[1].FinishReason);
    }

    [Fact]
    public void A_database_written_by_the_sqlite_3_35_build_migrates_and_takes_new_writes()
    {
        // The next schema step, as a future build would append it: the old file must take it.
        Migration[] next = [.. Migrations.All, new(Migrations.All[^1].Version + 1, "pinned sessions",
            "ALTER TABLE chat_sessions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0; CREATE INDEX chat_sessions_pinned ON chat_sessions(pinned);")];
        using (var store = SqliteStore.Open(_dir.Path, _log, next))
        {
            Assert.Equal(next[^1].Version, store.SchemaVersion);
            Assert.Contains(_log.Lines, l => l.Contains("pinned sessions"));
            Assert.Equal("0", Text(store, $"SELECT pinned FROM chat_sessions WHERE id = '{FirstSession}';"));
            var history = new ChatHistory(() => store);
            history.Append(FirstSession, "vllm/fake-model", [new StoredChatMessage(0, "user", "And reduce?", null, null, null, DateTimeOffset.UnixEpoch)]);
            Assert.Equal(5, history.Get(FirstSession)!.Value.Messages.Count);
        }
        using (var reopened = SqliteStore.Open(_dir.Path, _log, next))
        {
            Assert.Null(reopened.RecoveredCorruptFile);
            Assert.Equal("ok", Text(reopened, "PRAGMA quick_check;"));
            Assert.Equal("5", Text(reopened, $"SELECT count(*) FROM chat_messages WHERE session_id = '{FirstSession}';"));
        }
    }
}
