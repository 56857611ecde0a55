using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>models/configure</c>: stores a model's own settings (merged like <c>settings/update</c>) and, when
/// the context length of a loaded local model changes, reloads it with work-done progress. Chat
/// applies the settings in <see cref="EditorAssist.Providers.Routing.ChatRouter"/>; loads read the context length
/// through <see cref="LocalRuntimeHost.OptionsFor"/>.
/// </summary>
internal sealed class ModelSettingsModule(SessionScope scope, LocalRuntimeHost local) : IRpcModule
{
    private readonly SemaphoreSlim _configureGate = new(1, 1);

    public IEnumerable<string> Methods => [Protocol.Methods.ModelsConfigure];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = ModelSettingsProtocolJson.Default;
        connection.AddRequestHandler(Protocol.Methods.ModelsConfigure, () => json.ConfigureModelParams, () => json.ConfigureModelResult, async (p, request, ct) =>
        {
            if (string.IsNullOrWhiteSpace(p.Ref)) throw Invalid("ref is required.");
            var (providerId, _) = ProviderRegistry.ParseRef(p.Ref);
            scope.Get<ProviderRegistry>().Get(providerId); // 1001 for a provider that does not exist
            var settings = scope.Get<ModelSettingsStore>();

            // One change at a time: two configures racing on a reload would each undo the other's.
            await _configureGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var before = settings.Get(p.Ref);
                ModelParams after;
                try
                {
                    after = p.Params.ValueKind is System.Text.Json.JsonValueKind.Undefined ? before : ModelParamsRules.Merge(before, p.Params);
                }
                catch (ArgumentException ex)
                {
                    throw Invalid(ex.Message);
                }

                var reloaded = false;
                if (providerId == LocalRuntimeHost.ProviderId && before.ContextLength != after.ContextLength
                    && local.StartedModels is { } models && models.Get(p.Ref) is { } loaded && models.GetOptions(p.Ref) is { } options)
                {
                    // Reload first: a context that does not fit (1008) leaves the settings as they were.
                    var next = options with { ContextLength = after.ContextLength };
                    if (next != options)
                    {
                        using var progress = request.CreateProgress();
                        progress.Begin($"Reloading {p.Ref} with a {after.ContextLength?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "default"}-token context",
                            w => w.WriteString("ref", p.Ref));
                        var reporter = new Progress<float>(f => progress.Report(w => w.WriteNumber("percentage", Math.Round(f * 100, 1))));
                        var model = await models.LoadAsync(p.Ref, loaded.Path, next, reporter, ct).ConfigureAwait(false);
                        progress.End(w => w.WriteString("message", $"Loaded with {model.ContextLength} tokens of context"));
                        reloaded = true;
                    }
                }
                settings.Set(p.Ref, after);
                return new ConfigureModelResult { Ref = p.Ref, Params = ModelParamsDto.From(after) ?? new ModelParamsDto(), Reloaded = reloaded };
            }
            finally
            {
                _configureGate.Release();
            }
        });
    }

    private static RpcException Invalid(string message) => new(ErrorCodes.InvalidParams, $"Invalid params for '{Protocol.Methods.ModelsConfigure}': {message}");
}
