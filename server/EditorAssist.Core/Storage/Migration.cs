namespace EditorAssist.Core.Storage;

/// <summary>One schema step. Versions start at 1 and increase by one; a shipped step never changes.</summary>
public sealed record Migration(int Version, string Description, string Sql);

public static class Migrations
{
    /// <summary>The schema, oldest first. Append new steps; never edit or reorder shipped ones.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "settings", """
            CREATE TABLE settings (
                key        TEXT PRIMARY KEY NOT NULL,
                value      TEXT NOT NULL,          -- JSON text
                updated_at INTEGER NOT NULL        -- unix milliseconds
            ) WITHOUT ROWID;
            """),
    ];
}
