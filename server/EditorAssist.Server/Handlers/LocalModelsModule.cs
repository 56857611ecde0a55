using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using EditorAssist.Llama;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>models/load</c> (with work-done progress and cancellation), <c>models/unload</c>,
/// <c>models/status</c>, and the <c>runtime/didChangeState</c> notifications.
/// </summary>
internal sealed class LocalModelsModule(LocalRuntimeHost local, SessionScope scope, ILogger<LocalModelsModule> logger,
    EditorAssist.Storage.ModelSettingsStore modelSettings) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.ModelsLoad, Protocol.Methods.ModelsUnload, Protocol.Methods.ModelsStatus];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        local.Used += modelRef => MarkUsed(modelRef, session);
        local.StateChanged += (modelRef, state, detail) =>
        {
            if (state is LocalModelState.Ready) MarkUsed(modelRef, session);
            // On the wire, "idle" is a model that is not loaded (unloaded: idle timeout, models/unload).
            var wire = state == LocalModelState.Unloaded ? "idle" : state.ToString().ToLowerInvariant();
            connection.Notify(Protocol.Methods.RuntimeDidChangeState,
                new RuntimeStateParams(modelRef, wire, detail), ProtocolJson.Default.RuntimeStateParams);
        };

        connection.AddRequestHandler(Protocol.Methods.ModelsLoad, () => ProtocolJson.Default.ModelsLoadParams, () => ProtocolJson.Default.ModelsLoadResult, async (p, r, ct) =>
        {
            string modelRef, path;
            var byPath = !string.IsNullOrWhiteSpace(p.Path);
            if (byPath)
            {
                path = Path.GetFullPath(p.Path!);
                modelRef = LocalRuntimeHost.RefForPath(path);
            }
            else if (!string.IsNullOrWhiteSpace(p.Ref))
            {
                modelRef = p.Ref;
                path = local.Resolve(modelRef);
            }
            else
            {
                throw new RpcException(ErrorCodes.InvalidParams, "Invalid params for 'models/load': give 'ref' or 'path'.");
            }

            using var progress = r.CreateProgress();
            progress.Begin($"Loading {modelRef}", w => w.WriteString("ref", modelRef));
            var reporter = new Progress<float>(f => progress.Report(w => w.WriteNumber("percentage", Math.Round(f * 100, 1))));
            var model = await local.Models.LoadAsync(modelRef, path,
                local.OptionsFor(modelRef, p.GpuLayers, p.ContextLength), reporter, ct).ConfigureAwait(false);
            // Registered only once it loaded: a file that is not a model must not appear in listings.
            if (byPath) local.Register(path);
            progress.End(w => w.WriteString("message", $"Loaded on {model.Backend}"));
            return new ModelsLoadResult(modelRef, model.Backend, model.GpuLayers, model.ContextLength,
                (long)model.LoadTime.TotalMilliseconds, path, model.Info.SizeBytes);
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsUnload, () => ProtocolJson.Default.ModelRefParams, () => ProtocolJson.Default.EmptyResult, async (p, _, _) =>
        {
            await local.Models.UnloadAsync(p.Ref).ConfigureAwait(false);
            return new EmptyResult();
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsStatus, () => ProtocolJson.Default.ModelRefParams, () => ProtocolJson.Default.ModelStatusResult, (p, _, _) =>
        {
            bool downloaded;
            try { downloaded = File.Exists(local.Resolve(p.Ref)); }
            catch (Core.Errors.EditorAssistException) { downloaded = false; }
            var s = local.Models.GetStatus(p.Ref);
            return ValueTask.FromResult(new ModelStatusResult(downloaded, s.Loading, s.Loaded,
                s.State?.ToString().ToLowerInvariant(), s.Progress is float f ? Math.Round(f * 100, 1) : null, s.Error)
            { Params = ModelParamsDto.From(modelSettings.Get(p.Ref)) });
        });
    }

    /// <summary>Least-recently-used eviction needs real use: a load or a generation counts.</summary>
    /// <summary>When each model's use was last written: every generation (each inline-completion keystroke too) raises these events.</summary>
    private readonly ConcurrentDictionary<string, long> _lastMarked = new(StringComparer.Ordinal);

    /// <summary>Last use orders eviction, which needs minutes, not keystrokes: written at most once a minute per model.</summary>
    private static readonly TimeSpan MarkUsedEvery = TimeSpan.FromMinutes(1);

    private void MarkUsed(string modelRef, SidecarSession session)
    {
        var now = Environment.TickCount64;
        if (_lastMarked.TryGetValue(modelRef, out var last) && now - last < (long)MarkUsedEvery.TotalMilliseconds) return;
        _lastMarked[modelRef] = now;
        try
        {
            var models = scope.Get<LocalModelServices>().Models;
            var path = local.Resolve(modelRef);
            // Only files in the models folder take part in eviction; a GGUF loaded from elsewhere is the user's.
            if (!string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetFullPath(models.ModelsDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)) return;
            models.MarkUsed(Path.GetFileName(path));
        }
        catch (Exception ex) when (ex is Core.Errors.EditorAssistException or IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            logger.LogDebug("Could not record the use of {Ref}: {Reason}", modelRef, ex.Message);
        }
    }
}
