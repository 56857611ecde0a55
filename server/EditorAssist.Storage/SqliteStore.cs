using EditorAssist.Core.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Storage;

/// <summary>
/// The sidecar's SQLite database (<c>editorassist.db</c> in the storage directory): WAL journal,
/// versioned migrations tracked in <c>PRAGMA user_version</c>, and recovery from a corrupt file
/// (moved aside with a timestamp, a fresh database started, a warning logged).
/// One connection, used under a lock: the sidecar's store traffic is small and this keeps SQLite's
/// threading rules out of every caller.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    public const string FileName = "editorassist.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private SqliteStore(string directory, string path, SqliteConnection connection, int schemaVersion, string? recoveredFrom, TimeProvider time)
    {
        Settings = new SettingsRepository(this, time);
        Directory = directory;
        DatabasePath = path;
        _connection = connection;
        SchemaVersion = schemaVersion;
        RecoveredCorruptFile = recoveredFrom;
    }

    public string Directory { get; }
    public string DatabasePath { get; }
    public int SchemaVersion { get; }

    /// <summary>The settings of this database: one instance, so every reader sees every update.</summary>
    public SettingsRepository Settings { get; }

    /// <summary>Where a corrupt database was moved aside during this open, or null.</summary>
    public string? RecoveredCorruptFile { get; }

    /// <summary>Opens (creating and migrating as needed) the store in <paramref name="directory"/>.</summary>
    /// <exception cref="EditorAssistException">StorageUnavailable: the directory cannot be written, or the schema is newer than this build.</exception>
    public static SqliteStore Open(string directory, ILogger logger, IReadOnlyList<Migration>? migrations = null, TimeProvider? time = null)
    {
        migrations ??= Migrations.All;
        time ??= TimeProvider.System;
        directory = Path.GetFullPath(directory);
        EnsureWritable(directory);
        var path = Path.Combine(directory, FileName);

        string? movedAside = null;
        SqliteConnection connection;
        try
        {
            connection = OpenAndCheck(path);
        }
        catch (SqliteException ex) when (IsCorruption(ex))
        {
            movedAside = MoveAside(path, time);
            logger.LogWarning("The database {Path} was corrupt ({Reason}); moved it to {Aside} and started a fresh one. Settings and chat history from before are in the moved file.",
                path, ex.Message, movedAside);
            connection = OpenAndCheck(path);
        }

        try
        {
            var version = Migrate(connection, migrations, logger);
            return new SqliteStore(directory, path, connection, version, movedAside, time);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the store's connection under its lock.</summary>
    public T Run<T>(Func<SqliteConnection, T> work)
    {
        lock (_lock) return work(_connection);
    }

    public void Run(Action<SqliteConnection> work)
    {
        lock (_lock) work(_connection);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
        SqliteConnection.ClearAllPools();
    }

    private static void EnsureWritable(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            // Creating the directory can succeed on a read-only mount that already has it; only an
            // actual write proves we can keep a database here.
            var probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EditorAssistException(ErrorCode.StorageUnavailable,
                $"The storage directory '{directory}' is not writable ({ex.Message}). Choose a writable folder or fix its permissions.", ex);
        }
    }

    private static SqliteConnection OpenAndCheck(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Exec(connection, "PRAGMA journal_mode=WAL;");
            Exec(connection, "PRAGMA synchronous=NORMAL;");
            Exec(connection, "PRAGMA foreign_keys=ON;");
            Exec(connection, "PRAGMA busy_timeout=5000;");
            // quick_check reads every page: cheap for our small database, and it finds damage that
            // opening alone does not (a valid header over garbage pages).
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check;";
            var result = check.ExecuteScalar() as string;
            if (!string.Equals(result, "ok", StringComparison.Ordinal))
                throw new SqliteException($"integrity check failed: {result}", 11);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static bool IsCorruption(SqliteException ex) => ex.SqliteErrorCode is 11 /* SQLITE_CORRUPT */ or 26 /* SQLITE_NOTADB */;

    private static string MoveAside(string path, TimeProvider time)
    {
        SqliteConnection.ClearAllPools();
        var stamp = time.GetUtcNow().ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var aside = $"{path}.corrupt-{stamp}";
        for (var n = 1; File.Exists(aside); n++) aside = $"{path}.corrupt-{stamp}-{n}";
        File.Move(path, aside);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix);
        }
        return aside;
    }

    private static int Migrate(SqliteConnection connection, IReadOnlyList<Migration> migrations, ILogger logger)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > latest)
        {
            throw new EditorAssistException(ErrorCode.StorageUnavailable,
                $"The database was written by a newer EditorAssist (schema {current}, this build knows {latest}). Update EditorAssist, or choose another storage folder.");
        }
        foreach (var m in migrations)
        {
            if (m.Version <= current) continue;
            if (m.Version != current + 1) throw new InvalidOperationException($"Migration {m.Version} does not follow {current}.");
            using var tx = connection.BeginTransaction();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = m.Sql + $"\nPRAGMA user_version = {m.Version};";
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            logger.LogInformation("Database migrated to schema {Version} ({Description}).", m.Version, m.Description);
            current = m.Version;
        }
        return current;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
