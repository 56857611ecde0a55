using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Llama;
using EditorAssist.Server.Hosting;

namespace EditorAssist.Server.Local;

/// <summary>
/// The local runtime as the registry's <c>local</c> provider: its models are the GGUF files in
/// <c>&lt;storage&gt;/models</c> plus files registered with <c>models/load {path}</c>; a chat loads
/// its model on demand (sharing a load already running) and streams from the context worker.
/// Privacy is always on-device.
/// </summary>
public sealed partial class LlamaChatProvider(LocalRuntimeHost local, SessionScope session) : IChatProvider
{
    public ProviderDescriptor Descriptor { get; } = new()
    {
        Id = LocalRuntimeHost.ProviderId,
        DisplayName = "Local (this machine)",
        Kind = ProviderKind.Local,
        Api = ProviderApi.Local,
        RequiresApiKey = false,
        Discovery = true,
        Capabilities = new ProviderCapabilities { Chat = true, Fim = true, Tools = true, Json = true },
    };

    public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        try
        {
            _ = local.Runtime;
        }
        catch (Exception ex)
        {
            return Task.FromResult(new ProviderStatus(Availability.No, ex.Message));
        }
        return Task.FromResult(ListFiles().Count > 0
            ? new ProviderStatus(Availability.Readily)
            : new ProviderStatus(Availability.AfterDownload, "No local model yet: download one or load a GGUF file."));
    }

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelInfo> models = ListFiles().Select(m => new ModelInfo
        {
            Id = m.Ref[(LocalRuntimeHost.ProviderId.Length + 1)..],
            DisplayName = Path.GetFileNameWithoutExtension(m.FileName),
            Roles = ["chat", "fim"],
            Local = new LocalModelDetails(m.Path, m.SizeBytes, QuantFromName(m.FileName), m.LastUsed, m.Loaded),
        }).ToList();
        return Task.FromResult(models);
    }

    public async IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var modelRef = request.Model.StartsWith(LocalRuntimeHost.ProviderId + "/", StringComparison.Ordinal)
            ? request.Model : $"{LocalRuntimeHost.ProviderId}/{request.Model}";
        var path = local.Resolve(modelRef);
        var model = await local.Models.GetOrLoadAsync(modelRef, path, local.OptionsFor(modelRef, contextLength: request.Params.ContextLength), null, cancellationToken).ConfigureAwait(false);

        // With tools the answer is one grammar-constrained JSON object (LocalToolCalling): it is read
        // whole at the end instead of streamed, since its text is not what the user should see.
        var tools = LocalToolCalling.Applies(request);
        var options = MapOptions(request.Params);
        if (tools) options = options with { Grammar = JsonGrammar.FromJsonSchema(LocalToolCalling.Schema(request), compact: true) };
        // A reasoning model's think span is split out of the text as it streams (ThinkSplitter); a model
        // whose template does not know the tags streams as it is.
        var splitter = !tools && (model.UsesThinkTags || model.PrefillsThinking) ? new ThinkSplitter(startInside: model.PrefillsThinking) : null;
        var deltas = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var generation = local.Models.GenerateAsync(modelRef, new GenerationRequest
        {
            Messages = tools ? LocalToolCalling.Messages(request) : request.Messages.Select(m => new Llama.ChatMessage(m.Role, m.Content)).ToList(),
            Options = options,
        }, d => { if (!tools) deltas.Writer.TryWrite(d); }, cancellationToken);
        _ = generation.ContinueWith(_ => deltas.Writer.TryComplete(), TaskScheduler.Default);

        await foreach (var d in deltas.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (splitter is null)
            {
                yield return ChatChunk.Text(d);
                continue;
            }
            var (thought, answerText) = splitter.Push(d);
            if (thought.Length > 0) yield return ChatChunk.Thought(thought);
            if (answerText.Length > 0) yield return ChatChunk.Text(answerText);
        }
        if (splitter is not null)
        {
            var (thought, answerText) = splitter.Flush();
            if (thought.Length > 0) yield return ChatChunk.Thought(thought);
            if (answerText.Length > 0) yield return ChatChunk.Text(answerText);
        }

        var result = await generation.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var calledTool = false;
        if (tools)
        {
            var (call, answer) = LocalToolCalling.Parse(result.Text, request.Messages.Count);
            if (call is not null)
            {
                calledTool = true;
                yield return ChatChunk.Call(call);
            }
            else if (!string.IsNullOrEmpty(answer)) yield return ChatChunk.Text(answer);
        }
        yield return ChatChunk.Done(new ChatFinal
        {
            FinishReason = calledTool ? FinishReasons.ToolCalls : result.FinishReason switch
            {
                FinishReason.Length => FinishReasons.Length,
                FinishReason.Cancelled => FinishReasons.Cancelled,
                _ => FinishReasons.Stop,
            },
            Usage = new ChatUsage(result.Usage.PromptTokens, result.Usage.CompletionTokens, result.Usage.CachedTokens),
            Model = modelRef[(LocalRuntimeHost.ProviderId.Length + 1)..],
        });
    }

    internal static GenerationOptions MapOptions(ChatParams p)
    {
        var o = new GenerationOptions();
        if (p.Temperature is double t) o = o with { Temperature = (float)t };
        if (p.TopP is double tp) o = o with { TopP = (float)tp };
        if (p.TopK is int tk) o = o with { TopK = tk };
        if (p.MinP is double mp) o = o with { MinP = (float)mp };
        if (p.MaxTokens is int mt) o = o with { MaxTokens = mt };
        if (p.Seed is long seed) o = o with { Seed = unchecked((uint)seed) };
        if (p.Stop is { Count: > 0 } stop) o = o with { Stop = stop };
        o = p.ResponseFormat switch
        {
            null or "text" => o,
            "json" => o with { ResponseFormat = ResponseFormatKind.Json },
            "jsonSchema" => o with { ResponseFormat = ResponseFormatKind.JsonSchema, JsonSchema = p.JsonSchema },
            _ => throw new ArgumentException($"responseFormat '{p.ResponseFormat}' is not supported."),
        };
        return o;
    }

    /// <summary>The models folder (through its store: size, last use, loaded) plus files loaded by path this session.</summary>
    private List<EditorAssist.Downloads.LocalModel> ListFiles()
    {
        var models = new Dictionary<string, EditorAssist.Downloads.LocalModel>(StringComparer.Ordinal);
        if (session.HasBegun)
        {
            var store = session.Store;
            foreach (var m in new EditorAssist.Downloads.LocalModelStore(Path.Combine(store.Directory, "models"), store, local).List())
                models[m.Path] = m;
        }
        foreach (var path in local.RegisteredPaths)
        {
            if (models.ContainsKey(path) || !File.Exists(path)) continue;
            models[path] = new EditorAssist.Downloads.LocalModel(LocalRuntimeHost.RefForPath(path), Path.GetFileName(path), path,
                new FileInfo(path).Length, null, null, local.IsLoaded(Path.GetFileName(path)));
        }
        return models.Values.OrderBy(m => m.FileName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static string? QuantFromName(string name)
    {
        var upper = name.ToUpperInvariant();
        foreach (var q in new[] { "Q4_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "Q8_0", "Q4_0", "F16", "BF16", "F32" })
            if (upper.Contains(q, StringComparison.Ordinal)) return q;
        return null;
    }
}
