namespace EditorAssist.Storage;

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
        new(2, "downloads and local models", """
            CREATE TABLE downloads (
                id              TEXT PRIMARY KEY NOT NULL,
                file_name       TEXT NOT NULL UNIQUE,   -- sanitised name inside the models folder
                url             TEXT NOT NULL,          -- as requested; never holds a token
                catalog_id      TEXT,
                expected_sha256 TEXT,                   -- lower-case hex, from the catalog or the server
                expected_size   INTEGER,
                etag            TEXT,                   -- strong validator for If-Range
                state           TEXT NOT NULL,          -- queued|running|paused|failed
                error           TEXT,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL
            );
            CREATE TABLE local_models (
                file_name     TEXT PRIMARY KEY NOT NULL,
                sha256        TEXT,
                size_bytes    INTEGER NOT NULL,
                source_url    TEXT,
                catalog_id    TEXT,
                downloaded_at INTEGER NOT NULL,
                last_used     INTEGER               -- unix ms; null = never loaded
            ) WITHOUT ROWID;
            """),
        new(3, "providers: configuration, model cache, router policy, chat history", """
            CREATE TABLE provider_config (
                provider_id TEXT PRIMARY KEY NOT NULL,
                base_url    TEXT,                   -- null: the preset default
                options     TEXT NOT NULL,          -- JSON (never keys: they live in memory only)
                updated_at  INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE model_cache (
                provider_id TEXT PRIMARY KEY NOT NULL,
                base_url    TEXT NOT NULL,          -- the list is valid for this server only
                models      TEXT NOT NULL,          -- JSON array
                fetched_at  INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE router_policy (
                id         INTEGER PRIMARY KEY CHECK (id = 1),
                policy     TEXT NOT NULL,           -- JSON {strategy, fallback, order}
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE chat_sessions (
                id         TEXT PRIMARY KEY NOT NULL,
                title      TEXT NOT NULL,
                model      TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE chat_messages (
                session_id    TEXT NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
                seq           INTEGER NOT NULL,
                role          TEXT NOT NULL,
                content       TEXT NOT NULL,
                model         TEXT,
                finish_reason TEXT,
                usage         TEXT,                 -- JSON or null
                created_at    INTEGER NOT NULL,
                PRIMARY KEY (session_id, seq)
            );
            CREATE INDEX chat_sessions_updated ON chat_sessions(updated_at DESC);
            """),
        new(4, "per-model settings", """
            CREATE TABLE model_settings (
                model_ref  TEXT PRIMARY KEY NOT NULL,   -- "provider/model", as on the wire
                params     TEXT NOT NULL,               -- JSON {contextLength, temperature, topP, topK, minP, maxTokens, stop, systemPrompt}
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(5, "reasoning kept apart from the answer", """
            -- The model's thinking (chat/delta.reasoning), shown folded; null for older rows and
            -- answers without thinking. Kept out of content so it is never sent back to the model.
            ALTER TABLE chat_messages ADD COLUMN reasoning TEXT;
            """),
        new(6, "tool calls kept with the answer", """
            -- Assistant messages of an agent turn: the calls made during it (JSON array of
            -- {id, name, arguments, result, isError}); null for older rows and turns without tools.
            ALTER TABLE chat_messages ADD COLUMN tool_calls TEXT;
            """),
    ];
}
