using System.Text.Json;
using EditorAssist.Core.Providers;

namespace EditorAssist.Storage;

public sealed record ChatSessionSummary(string Id, string Title, string? Model, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int MessageCount);

public sealed record StoredChatMessage(int Seq, string Role, string Content, string? Model, string? FinishReason, ChatUsage? Usage, DateTimeOffset CreatedAt)
{
    /// <summary>Assistant messages: the model's thinking, kept apart from <see cref="Content"/> (null when none; migration 5).</summary>
    public string? Reasoning { get; init; }

    /// <summary>Assistant messages of an agent turn: the tool calls made during it, in order (null when none; migration 6).</summary>
    public IReadOnlyList<EditorAssist.Core.Tools.ToolCallRecord>? ToolCalls { get; init; }
}

/// <summary>
/// Chat history in SQLite (<c>chat/sessions</c>, <c>chat/session</c>, <c>chat/deleteSession</c>). A session
/// is created by the first <c>chat/send</c> without a sessionId; each send appends its new user message
/// and the assistant's answer. Without a store (before initialize) nothing is kept.
/// </summary>
public sealed class ChatHistory(Func<SqliteStore?> store, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Appends messages to a session, creating it when <paramref name="sessionId"/> is unknown. Returns the session id.</summary>
    public string Append(string? sessionId, string? model, IReadOnlyList<StoredChatMessage> messages)
    {
        var id = string.IsNullOrEmpty(sessionId) ? Guid.NewGuid().ToString("n") : sessionId;
        var s = store();
        if (s is null) return id;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        s.Run(c =>
        {
            using var tx = c.BeginTransaction();
            using (var up = c.CreateCommand())
            {
                up.Transaction = tx;
                var firstUser = messages.FirstOrDefault(m => m.Role == "user")?.Content ?? "New chat";
                up.CommandText = """
                    INSERT INTO chat_sessions(id, title, model, created_at, updated_at) VALUES($id, $title, $model, $t, $t)
                    ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, model = COALESCE(excluded.model, chat_sessions.model);
                    """;
                up.Parameters.AddWithValue("$id", id);
                up.Parameters.AddWithValue("$title", Title(firstUser));
                up.Parameters.AddWithValue("$model", (object?)model ?? DBNull.Value);
                up.Parameters.AddWithValue("$t", now);
                up.ExecuteNonQuery();
            }
            long seq;
            using (var max = c.CreateCommand())
            {
                max.Transaction = tx;
                max.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM chat_messages WHERE session_id = $id;";
                max.Parameters.AddWithValue("$id", id);
                seq = Convert.ToInt64(max.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            }
            foreach (var m in messages)
            {
                using var ins = c.CreateCommand();
                ins.Transaction = tx;
                ins.CommandText = "INSERT INTO chat_messages(session_id, seq, role, content, model, finish_reason, usage, created_at, reasoning, tool_calls) VALUES($id, $seq, $role, $content, $model, $fr, $usage, $t, $reasoning, $tools);";
                ins.Parameters.AddWithValue("$id", id);
                ins.Parameters.AddWithValue("$seq", ++seq);
                ins.Parameters.AddWithValue("$role", m.Role);
                ins.Parameters.AddWithValue("$content", m.Content);
                ins.Parameters.AddWithValue("$model", (object?)m.Model ?? DBNull.Value);
                ins.Parameters.AddWithValue("$fr", (object?)m.FinishReason ?? DBNull.Value);
                ins.Parameters.AddWithValue("$usage", m.Usage is null ? DBNull.Value : JsonSerializer.Serialize(m.Usage, ProviderStateJson.Default.ChatUsage));
                ins.Parameters.AddWithValue("$t", now);
                ins.Parameters.AddWithValue("$reasoning", (object?)m.Reasoning ?? DBNull.Value);
                ins.Parameters.AddWithValue("$tools", m.ToolCalls is not { Count: > 0 } calls ? DBNull.Value
                    : JsonSerializer.Serialize(calls.ToList(), ProviderStateJson.Default.ListToolCallRecord));
                ins.ExecuteNonQuery();
            }
            tx.Commit();
        });
        return id;
    }

    public IReadOnlyList<ChatSessionSummary> List(int limit = 200)
    {
        var s = store();
        if (s is null) return [];
        return s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT s.id, s.title, s.model, s.created_at, s.updated_at, (SELECT COUNT(*) FROM chat_messages m WHERE m.session_id = s.id)
                FROM chat_sessions s ORDER BY s.updated_at DESC LIMIT $n;
                """;
            cmd.Parameters.AddWithValue("$n", limit);
            using var r = cmd.ExecuteReader();
            var list = new List<ChatSessionSummary>();
            while (r.Read()) list.Add(ReadSummary(r));
            return list;
        });
    }

    public (ChatSessionSummary Session, IReadOnlyList<StoredChatMessage> Messages)? Get(string sessionId)
    {
        var s = store();
        if (s is null) return null;
        var summary = s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT s.id, s.title, s.model, s.created_at, s.updated_at, (SELECT COUNT(*) FROM chat_messages m WHERE m.session_id = s.id)
                FROM chat_sessions s WHERE s.id = $id;
                """;
            cmd.Parameters.AddWithValue("$id", sessionId);
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadSummary(r) : null;
        });
        if (summary is null) return null;
        var messages = s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT seq, role, content, model, finish_reason, usage, created_at, reasoning, tool_calls FROM chat_messages WHERE session_id = $id ORDER BY seq;";
            cmd.Parameters.AddWithValue("$id", sessionId);
            using var r = cmd.ExecuteReader();
            var list = new List<StoredChatMessage>();
            while (r.Read())
                list.Add(new StoredChatMessage(r.GetInt32(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4),
                    r.IsDBNull(5) ? null : JsonSerializer.Deserialize(r.GetString(5), ProviderStateJson.Default.ChatUsage),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)))
                {
                    Reasoning = r.IsDBNull(7) ? null : r.GetString(7),
                    ToolCalls = r.IsDBNull(8) ? null : JsonSerializer.Deserialize(r.GetString(8), ProviderStateJson.Default.ListToolCallRecord),
                });
            return list;
        });
        return (summary, messages);
    }

    public bool Delete(string sessionId)
    {
        var s = store();
        if (s is null) return false;
        return s.Run(c =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DELETE FROM chat_sessions WHERE id = $id;";
            cmd.Parameters.AddWithValue("$id", sessionId);
            return cmd.ExecuteNonQuery() > 0;
        });
    }

    private static ChatSessionSummary ReadSummary(Microsoft.Data.Sqlite.SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetInt32(5));

    private static string Title(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 80 ? line : line[..80] + "…";
    }
}
