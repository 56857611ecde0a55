using EditorAssist.Core.Errors;
using EditorAssist.Storage;
using EditorAssist.Testing;
using Microsoft.Data.Sqlite;

namespace EditorAssist.Core.Tests.Storage;

public class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _dir.Dispose();

    private static long Count(SqliteStore s, string sql) => s.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    });

    [Fact]
    public void Migrates_an_empty_directory_to_the_latest_schema_in_wal_mode()
    {
        using var store = SqliteStore.Open(_dir.Path, _log);
        Assert.Equal(Migrations.All[^1].Version, store.SchemaVersion);
        Assert.True(File.Exists(Path.Combine(_dir.Path, SqliteStore.FileName)));
        var mode = store.Run(c => { using var cmd = c.CreateCommand(); cmd.CommandText = "PRAGMA journal_mode;"; return (string)cmd.ExecuteScalar()!; });
        Assert.Equal("wal", mode);
        Assert.Equal(1, Count(store, "SELECT count(*) FROM sqlite_master WHERE name = 'settings';"));
    }

    [Fact]
    public void Reopening_keeps_data_and_runs_only_new_migrations()
    {
        Migration[] v1 = [new(1, "a", "CREATE TABLE a(x INTEGER);")];
        Migration[] v2 = [.. v1, new(2, "b", "CREATE TABLE b(y INTEGER); INSERT INTO b VALUES (7);")];
        using (var store = SqliteStore.Open(_dir.Path, _log, v1))
        {
            store.Run(c => { using var cmd = c.CreateCommand(); cmd.CommandText = "INSERT INTO a VALUES (1);"; cmd.ExecuteNonQuery(); });
            Assert.Equal(1, store.SchemaVersion);
        }
        using (var store = SqliteStore.Open(_dir.Path, _log, v2))
        {
            Assert.Equal(2, store.SchemaVersion);
            Assert.Equal(1, Count(store, "SELECT count(*) FROM a;"));
            Assert.Equal(7, Count(store, "SELECT y FROM b;"));
        }
        using (var store = SqliteStore.Open(_dir.Path, _log, v2))
        {
            // Running migration 2 again would fail on CREATE TABLE b.
            Assert.Equal(1, Count(store, "SELECT count(*) FROM b;"));
        }
    }

    [Fact]
    public void A_failing_migration_leaves_the_previous_version_intact()
    {
        Migration[] v1 = [new(1, "a", "CREATE TABLE a(x INTEGER);")];
        Migration[] broken = [.. v1, new(2, "bad", "CREATE TABLE c(z INTEGER); THIS IS NOT SQL;")];
        SqliteStore.Open(_dir.Path, _log, v1).Dispose();
        Assert.Throws<SqliteException>(() => SqliteStore.Open(_dir.Path, _log, broken));
        using var store = SqliteStore.Open(_dir.Path, _log, v1);
        Assert.Equal(1, store.SchemaVersion);
        Assert.Equal(0, Count(store, "SELECT count(*) FROM sqlite_master WHERE name = 'c';"));
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused_with_a_clear_error()
    {
        Migration[] v2 = [new(1, "a", "CREATE TABLE a(x);"), new(2, "b", "CREATE TABLE b(y);")];
        SqliteStore.Open(_dir.Path, _log, v2).Dispose();
        var ex = Assert.Throws<EditorAssistException>(() => SqliteStore.Open(_dir.Path, _log, v2[..1]));
        Assert.Equal(ErrorCode.StorageUnavailable, ex.Code);
        Assert.Contains("newer", ex.Message);
    }

    [Fact]
    public void A_garbage_file_is_moved_aside_and_a_fresh_database_started()
    {
        var path = Path.Combine(_dir.Path, SqliteStore.FileName);
        var garbage = "<html>this is not a database</html>"u8.ToArray().Concat(new byte[8192]).ToArray();
        File.WriteAllBytes(path, garbage);
        using var store = SqliteStore.Open(_dir.Path, _log);
        Assert.NotNull(store.RecoveredCorruptFile);
        Assert.Equal(garbage, File.ReadAllBytes(store.RecoveredCorruptFile!));
        Assert.Equal(Migrations.All[^1].Version, store.SchemaVersion);
        Assert.Contains(_log.Lines, l => l.Contains("corrupt") && l.Contains(store.RecoveredCorruptFile!));
    }

    [Fact]
    public void A_database_with_damaged_pages_is_moved_aside()
    {
        Migration[] m = [new(1, "t", "CREATE TABLE t(x TEXT); CREATE INDEX t_x ON t(x);")];
        using (var store = SqliteStore.Open(_dir.Path, _log, m))
        {
            store.Run(c =>
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000) INSERT INTO t SELECT printf('row-%d-%s', i, hex(randomblob(40))) FROM n; PRAGMA wal_checkpoint(TRUNCATE);";
                cmd.ExecuteNonQuery();
            });
        }
        var path = Path.Combine(_dir.Path, SqliteStore.FileName);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 16 * 4096);
        // Keep the 100-byte header valid so the file still opens, but scribble over later pages.
        new Random(1).NextBytes(bytes.AsSpan(4096 * 3, 4096 * 8));
        File.WriteAllBytes(path, bytes);

        using var reopened = SqliteStore.Open(_dir.Path, _log, m);
        Assert.NotNull(reopened.RecoveredCorruptFile);
        Assert.Equal(0, Count(reopened, "SELECT count(*) FROM t;"));
    }

    [Fact]
    public void A_directory_that_cannot_be_written_gives_a_storage_error()
    {
        // Root ignores permission bits, so use a path below a regular file: no user can create it.
        var file = Path.Combine(_dir.Path, "a-file");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<EditorAssistException>(() => SqliteStore.Open(Path.Combine(file, "storage"), _log));
        Assert.Equal(ErrorCode.StorageUnavailable, ex.Code);
        Assert.Contains("not writable", ex.Message);
    }

    [Fact]
    public void A_read_only_directory_gives_a_storage_error()
    {
        // A directory whose permissions forbid writing: effective for ordinary users. As root,
        // /proc is a filesystem that refuses new files whatever the permissions say.
        string target;
        if (OperatingSystem.IsWindows()) return;
        if (Environment.UserName == "root")
        {
            target = "/proc/self/editorassist-storage";
        }
        else
        {
            target = Path.Combine(_dir.Path, "ro");
            Directory.CreateDirectory(target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        var ex = Assert.Throws<EditorAssistException>(() => SqliteStore.Open(target, _log));
        Assert.Equal(ErrorCode.StorageUnavailable, ex.Code);
    }
}
