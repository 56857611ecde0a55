// The chat-history workload against two stores behind one interface: the shipped SQLite store
// (SqliteStore + ChatHistory, exactly the sidecar's code) and a LiteDB 5 prototype written for
// this comparison only. Driven by bench/store/run.mjs:
//   serve ENGINE DIR          read "session<TAB>text" lines, append one turn each, print "ack" after commit
//   dump ENGINE DIR           open (as the sidecar would), print {open, error?, turns[{session, text}]}
//   corrupt ENGINE DIR CASE   CASE = garbage | pages: damage a store, reopen, print what happened
//   latency ENGINE DIR N      N appends; per-append latency and throughput
using System.Diagnostics;
using JsonSerializer = System.Text.Json.JsonSerializer;
using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

if (args.Length < 3) { Console.Error.WriteLine("usage: serve|dump|corrupt|latency ENGINE DIR ..."); return 2; }
string engine = args[1], dir = args[2];
Directory.CreateDirectory(dir);
Func<IHistoryStore> open = engine switch
{
    "sqlite" => () => new SqliteHistory(dir),
    "litedb" => () => new LiteDbHistory(dir),
    _ => throw new ArgumentException("ENGINE: sqlite | litedb"),
};
var answer = new string('a', 600); // an answer of a few hundred tokens

switch (args[0])
{
    case "serve":
    {
        using var store = open();
        var stdout = Console.OpenStandardOutput();
        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            var tab = line.IndexOf('\t');
            var session = line[..tab];
            var text = line[(tab + 1)..];
            var id = store.Append(session == "-" ? null : session, text, answer);
            // Written straight to the descriptor: the client counts this as the acknowledgement.
            stdout.Write(System.Text.Encoding.UTF8.GetBytes($"ack\t{id}\t{text}\n"));
            stdout.Flush();
        }
        return 0;
    }
    case "dump":
    {
        try
        {
            using var store = open();
            var turns = store.UserTurns().Select(t => new Dictionary<string, string> { ["session"] = t.Session, ["text"] = t.Text }).ToList();
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["open"] = store.Recovered ? "recovered" : "clean", ["turns"] = turns }));
        }
        catch (Exception ex)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["open"] = "error", ["error"] = $"{ex.GetType().Name}: {ex.Message}" }));
        }
        return 0;
    }
    case "corrupt":
    {
        var kind = args[3];
        using (var store = open())
        {
            for (int i = 0; i < 400; i++) store.Append(i % 20 == 0 ? null : store.LastSession, $"turn {i} {Guid.NewGuid()}", answer);
        }
        var file = Path.Combine(dir, engine == "sqlite" ? SqliteStore.FileName : LiteDbHistory.FileName);
        var bytes = File.ReadAllBytes(file);
        if (kind == "garbage") bytes = "<html>this is not a database</html>"u8.ToArray().Concat(new byte[8192]).ToArray();
        else if (kind == "truncated") bytes = bytes[..(bytes.Length / 2)]; // a copy or a disk that stopped half-way
        else new Random(1).NextBytes(bytes.AsSpan(8192 * 2, Math.Min(8192 * 6, bytes.Length - 8192 * 2))); // header page intact
        File.WriteAllBytes(file, bytes);
        string outcome;
        try
        {
            using var store = open();
            var n = store.UserTurns().Count;
            outcome = store.Recovered ? $"detected at open ({store.RecoveredReason}); moved aside, fresh store ({n} turns)" : $"NOT detected: opened and read {n} of 400 turns";
        }
        catch (Exception ex)
        {
            outcome = $"open failed, not recovered: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["engine"] = engine, ["case"] = kind, ["outcome"] = outcome }));
        return 0;
    }
    case "latency":
    {
        int n = int.Parse(args[3]);
        var sw = Stopwatch.StartNew();
        using var store = open();
        double openMs = sw.Elapsed.TotalMilliseconds;
        var lat = new double[n];
        var total = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            var t = Stopwatch.GetTimestamp();
            // A new conversation every 20 turns, as users start new chats.
            store.Append(i % 20 == 0 ? null : store.LastSession, $"turn {i}: how do I {Guid.NewGuid()}?", answer);
            lat[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        double secs = total.Elapsed.TotalSeconds;
        var readSw = Stopwatch.StartNew();
        var all = store.UserTurns();
        double readMs = readSw.Elapsed.TotalMilliseconds;
        Array.Sort(lat);
        long size = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["p50Us"] = lat[n / 2], ["p99Us"] = lat[(int)(n * 0.99)], ["appendsPerSec"] = n / secs,
            ["openMs"] = openMs, ["readAllMs"] = readMs, ["turns"] = all.Count, ["bytesOnDisk"] = size,
        }));
        return 0;
    }
}
return 2;

/// <summary>What the sidecar needs from a history store (ChatHistory's surface).</summary>
internal interface IHistoryStore : IDisposable
{
    /// <summary>Appends one turn (user message + answer) in one transaction; returns the session id.</summary>
    string Append(string? sessionId, string userText, string answer);
    IReadOnlyList<(string Session, string Text)> UserTurns();
    string? LastSession { get; }
    /// <summary>Opening found a corrupt store and moved it aside.</summary>
    bool Recovered { get; }
    string? RecoveredReason { get; }
}

internal sealed class SqliteHistory(string dir) : IHistoryStore
{
    private readonly SqliteStore _store = SqliteStore.Open(dir, NullLogger.Instance);
    private ChatHistory History => new(() => _store);
    public string? LastSession { get; private set; }
    public bool Recovered => _store.RecoveredCorruptFile is not null;
    public string? RecoveredReason => Recovered ? "SqliteException from open or quick_check" : null;

    public string Append(string? sessionId, string userText, string answer) => LastSession = History.Append(sessionId, "vllm/m",
    [
        new StoredChatMessage(0, "user", userText, null, null, null, default),
        new StoredChatMessage(0, "assistant", answer, "vllm/m", "stop", new ChatUsage(17, 150), default),
    ]);

    public IReadOnlyList<(string, string)> UserTurns() => _store.Run(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT session_id, content FROM chat_messages WHERE role = 'user' ORDER BY session_id, seq;";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    });

    public void Dispose() => _store.Dispose();
}

/// <summary>
/// The same schema in LiteDB 5: sessions {_id, title, model, created, updated, count} and messages
/// {_id "session:seq", session, seq, role, content, model, finish, usage, created}. One explicit
/// transaction per turn, direct (exclusive) connection. On open, a full read of both collections
/// plays the part of SQLite's quick_check; a failure moves the files aside like SqliteStore.
/// </summary>
internal sealed class LiteDbHistory : IHistoryStore
{
    public const string FileName = "editorassist.litedb";
    private readonly LiteDatabase _db;
    private readonly Lock _lock = new();

    public LiteDbHistory(string dir)
    {
        var path = Path.Combine(dir, FileName);
        try
        {
            _db = OpenAndCheck(path);
        }
        catch (LiteException ex)
        {
            RecoveredReason = $"LiteException {ex.ErrorCode}: {ex.Message.Split('\n')[0]}";
            foreach (var f in Directory.GetFiles(dir, "editorassist*"))
                File.Move(f, f + ".corrupt-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
            Recovered = true;
            _db = OpenAndCheck(path);
        }
    }

    private static LiteDatabase OpenAndCheck(string path)
    {
        var db = new LiteDatabase(new LiteDB.ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        try
        {
            db.GetCollection("messages").EnsureIndex("session");
            foreach (var name in new[] { "sessions", "messages" })
                foreach (var _ in db.GetCollection(name).FindAll()) { }
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public string? LastSession { get; private set; }
    public bool Recovered { get; }
    public string? RecoveredReason { get; }

    public string Append(string? sessionId, string userText, string answer)
    {
        lock (_lock)
        {
            var id = sessionId ?? Guid.NewGuid().ToString("n");
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _db.BeginTrans();
            try
            {
                var sessions = _db.GetCollection("sessions");
                var messages = _db.GetCollection("messages");
                var s = sessions.FindById(id) ?? new BsonDocument { ["_id"] = id, ["title"] = userText.Length > 80 ? userText[..80] : userText, ["created"] = now, ["count"] = 0 };
                int seq = s["count"].AsInt32;
                s["updated"] = now;
                s["model"] = "vllm/m";
                foreach (var (role, content) in new[] { ("user", userText), ("assistant", answer) })
                {
                    seq++;
                    var m = new BsonDocument
                    {
                        ["_id"] = $"{id}:{seq:D6}", ["session"] = id, ["seq"] = seq, ["role"] = role, ["content"] = content, ["created"] = now,
                    };
                    if (role == "assistant") { m["model"] = "vllm/m"; m["finish"] = "stop"; m["usage"] = "{\"promptTokens\":17,\"completionTokens\":150}"; }
                    messages.Insert(m);
                }
                s["count"] = seq;
                sessions.Upsert(s);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            return LastSession = id;
        }
    }

    public IReadOnlyList<(string, string)> UserTurns()
    {
        lock (_lock)
        {
            return _db.GetCollection("messages").Find(Query.EQ("role", "user"))
                .Select(d => (d["session"].AsString, d["content"].AsString)).ToList();
        }
    }

    public void Dispose() => _db.Dispose();
}
