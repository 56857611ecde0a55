using System.Diagnostics;
using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Metrics;
using EditorAssist.Core.Routing;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Core.Tools;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Providers.Routing;

public sealed record ChatSendRequest
{
    public string? SessionId { get; init; }
    /// <summary>"provider/model"; null lets the router choose by policy.</summary>
    public string? Model { get; init; }
    public required IReadOnlyList<ChatMessage> Messages { get; init; }
    public ChatParams Params { get; init; } = new();
    /// <summary>Tools for this turn (agent mode); null: a plain chat.</summary>
    public ToolTurn? Tools { get; init; }
    /// <summary>False: the turn is not stored in the chat history (the caller keeps its own).</summary>
    public bool SaveHistory { get; init; } = true;
}

public sealed record ChatTimings(double TtftMs, double TotalMs, double TokensPerSecond);

public sealed record ChatCost(double Usd, bool Approximate, string? PricingAsOf);

/// <summary>A provider the router tried and left before the first token, and why.</summary>
public sealed record SkippedProvider(string ProviderId, int Code, string Reason);

public sealed record ChatSendResult
{
    public required string SessionId { get; init; }
    public required string Content { get; init; }
    public required string FinishReason { get; init; }
    public required ChatUsage Usage { get; init; }
    public required ChatTimings Timings { get; init; }
    public required string Model { get; init; }
    public required PrivacyClass Privacy { get; init; }
    public ChatCost? Cost { get; init; }
    public IReadOnlyList<SkippedProvider> FellBackFrom { get; init; } = [];
    /// <summary>The tool calls run during this turn, in order.</summary>
    public IReadOnlyList<ToolCallRecord> ToolCalls { get; init; } = [];
    /// <summary>Model calls made in this turn (1 without tools).</summary>
    public int Steps { get; init; } = 1;
    /// <summary>With <see cref="ToolTurn.ReturnCalls"/>: the calls the model made, for the caller to run.</summary>
    public IReadOnlyList<ToolCallRequest> PendingToolCalls { get; init; } = [];
    /// <summary>Earlier messages left out to fit the model's context (0: the whole conversation was sent).</summary>
    public int TrimmedMessages { get; init; }
    /// <summary>The context the conversation was fitted into, when messages were left out.</summary>
    public int? ContextLength { get; init; }
    /// <summary>The model's thinking in this turn (every step's), apart from <see cref="Content"/>; empty when it showed none.</summary>
    public string Reasoning { get; init; } = "";
}

/// <summary>
/// <c>chat/send</c>: picks a provider by the request and the <see cref="RouterPolicy"/>, enforces
/// local-only, streams deltas to the caller, falls back to the next provider only while no token has
/// reached the user, and returns usage, timings, cost and the privacy class of where the text went.
/// Local refs (<c>local/…</c>) resolve through the same registry as remote ones.
/// </summary>
public sealed class ChatRouter(ProviderRegistry registry, ModelDiscovery discovery, ChatHistory history, ILogger<ChatRouter>? logger = null,
    ModelSettingsStore? modelSettings = null, MetricsRecorder? metrics = null)
{
    /// <param name="onDelta">Each piece of the answer's text, as it arrives.</param>
    /// <param name="onReasoning">Each piece of the model's thinking, as it arrives (kept apart from the answer).</param>
    public async Task<ChatSendResult> SendAsync(ChatSendRequest request, Action<string> onDelta, CancellationToken cancellationToken,
        Action<string>? onReasoning = null)
    {
        if (request.Messages.Count == 0) throw new ArgumentException("messages must not be empty.");
        var policy = registry.State.GetRouterPolicy();
        var candidates = await CandidatesAsync(request.Model, policy, cancellationToken).ConfigureAwait(false);
        var skipped = new List<SkippedProvider>();
        EditorAssistException? first = null;

        foreach (var (providerId, modelId, explicitChoice) in candidates)
        {
            var provider = registry.Get(providerId);
            var context = registry.ContextFor(providerId);
            if (policy.Blocks(context.Privacy))
            {
                // Enforced here, whatever the client asked: nothing is sent to a cloud provider.
                if (explicitChoice) throw PolicyViolation(context);
                continue;
            }

            var started = Stopwatch.StartNew();
            var firstToken = false;
            // Set once a tool ran: its effects may be real, so another provider must not redo the turn.
            var committed = false;
            double ttft = 0;
            var content = new System.Text.StringBuilder();
            var reasoning = new System.Text.StringBuilder();
            ChatFinal? final = null;
            (int Trimmed, int ContextLength)? fit = null;
            ToolLoop? loop = null;
            try
            {
                // The model's own settings fill in what the request leaves out (models/configure).
                var (messages, parameters) = modelSettings?.Apply($"{providerId}/{modelId}", request.Messages, request.Params) ?? (request.Messages, request.Params);
                var chatRequest = new ChatRequest { Model = modelId, Messages = messages, Params = parameters };
                // The oldest turns go when the conversation outgrows the model's context (1007 when the newest alone does).
                (chatRequest, fit) = await FitAsync(provider, context, chatRequest, cancellationToken).ConfigureAwait(false);
                loop = new ToolLoop(provider, context, chatRequest, request.Tools);
                await foreach (var chunk in loop.RunAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (chunk.ToolCall is not null) committed = true;
                    if (chunk.Delta is { Length: > 0 } delta)
                    {
                        if (!firstToken) { firstToken = true; ttft = started.Elapsed.TotalMilliseconds; }
                        content.Append(delta);
                        onDelta(delta);
                    }
                    if (chunk.Reasoning is { Length: > 0 } thought)
                    {
                        // Thinking is output the user sees: it ends the wait (TTFT) and commits the turn to this provider.
                        if (!firstToken) { firstToken = true; ttft = started.Elapsed.TotalMilliseconds; }
                        reasoning.Append(thought);
                        onReasoning?.Invoke(thought);
                    }
                    if (chunk.Final is { } f) final = f;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Save(request, $"{providerId}/{modelId}", content.ToString(), FinishReasons.Cancelled, null, reasoning.ToString(), loop?.Calls);
                throw;
            }
            catch (EditorAssistException ex) when (!firstToken && !committed && policy.Fallback && ProviderErrors.AllowsFallback(ex))
            {
                metrics?.RecordError($"{providerId}/{modelId}");
                // Nothing reached the user yet: the next provider may answer instead.
                logger?.LogWarning("{Provider} failed before the first token ({Code}); trying the next provider. {Message}", providerId, ex.Code, Redactor.Redact(ex.Message));
                skipped.Add(new SkippedProvider(providerId, (int)ex.Code, ex.Message));
                first ??= ex;
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && Failed(metrics, $"{providerId}/{modelId}"))
            {
                throw; // never reached: Failed only counts the error and lets the exception go on
            }

            var total = started.Elapsed.TotalMilliseconds;
            var usage = final?.Usage ?? new ChatUsage(0, 0);
            var genMs = Math.Max(total - ttft, 0.001);
            var modelRef = $"{providerId}/{modelId}";
            var tokensPerSecond = usage.CompletionTokens > 1 ? Math.Round((usage.CompletionTokens - 1) / (genMs / 1000.0), 2) : 0;
            metrics?.RecordAnswer(modelRef, ttft, tokensPerSecond, usage);
            var finish = final?.FinishReason ?? FinishReasons.Stop;
            var sessionId = Save(request, modelRef, content.ToString(), finish, usage, reasoning.ToString(), loop!.Calls);
            return new ChatSendResult
            {
                SessionId = sessionId,
                Content = content.ToString(),
                FinishReason = finish,
                Usage = usage,
                Timings = new ChatTimings(Math.Round(ttft, 2), Math.Round(total, 2), tokensPerSecond),
                Model = modelRef,
                Privacy = context.Privacy,
                Cost = EstimateCost(context, modelId, usage),
                FellBackFrom = skipped,
                ToolCalls = loop!.Calls,
                Steps = loop.Steps,
                PendingToolCalls = loop.Pending,
                TrimmedMessages = fit?.Trimmed ?? 0,
                ContextLength = fit?.ContextLength,
                Reasoning = reasoning.ToString(),
            };
        }

        if (first is not null && string.IsNullOrEmpty(request.Model) && skipped.All(x => x.Code == (int)ErrorCode.ProviderUnavailable))
        {
            // The user chose nothing and only servers nobody answered at were tried. Say what to do;
            // name a provider only if the user set it up ("Is Ollama running?" misleads someone who
            // never installed Ollama).
            var configured = skipped.Where(x => IsConfigured(x.ProviderId, policy)).ToList();
            var message = NoModelChosen;
            if (configured.Count > 0)
                message += $" Your configured {(configured.Count == 1 ? "provider" : "providers")} did not answer: {string.Join(" ", configured.Select(x => $"{x.ProviderId}: {x.Reason}"))}";
            throw new EditorAssistException(ErrorCode.ModelNotFound, message)
            { Details = new Dictionary<string, object?> { ["providers"] = string.Join(",", skipped.Select(x => x.ProviderId)) } };
        }
        if (first is not null)
        {
            if (skipped.Count <= 1) throw first;
            // The first failure is the one the user chose (or the policy's first pick): its code is the actionable one.
            var details = new Dictionary<string, object?>(first.Details ?? new Dictionary<string, object?>())
            {
                ["providers"] = string.Join(",", skipped.Select(s => s.ProviderId)),
            };
            throw new EditorAssistException(first.Code, $"No provider could answer. {string.Join(" ", skipped.Select(s => $"{s.ProviderId}: {s.Reason}"))}")
            { Details = details };
        }
        throw policy.Strategy == RoutingStrategy.LocalOnly
            ? new EditorAssistException(ErrorCode.PolicyViolation, "Local-only mode is on and no local model or local server is available. Load a local model, start a local server, or turn local-only mode off.")
            : new EditorAssistException(ErrorCode.ProviderUnavailable, NoModelChosen);
    }

    /// <summary>What a user with no model is told: the three ways to get one, by the commands' names.</summary>
    public const string NoModelChosen =
        "No chat model is chosen yet. Pick one with \"EditorAssist: Select Model\", load a GGUF file you have with \"EditorAssist: Load Model File…\", or get one with \"EditorAssist: Download Model…\".";

    /// <summary>
    /// Whether the user set this provider up, so its failure is worth naming: they gave it an API key,
    /// changed its address (<c>editorAssist.providers.baseUrls</c> / <c>providers/configure</c>), or
    /// put it in the routing order. A preset merely tried at its default address (Ollama on
    /// 127.0.0.1:11434, LM Studio, …) is not configured. The local runtime never is: its models are
    /// what "choose a model" is about.
    /// </summary>
    public bool IsConfigured(string providerId, RouterPolicy policy)
    {
        var context = registry.ContextFor(providerId);
        if (context.Descriptor.Kind == ProviderKind.Local) return false;
        if (context.ApiKey is not null) return true;
        if (registry.State.GetConfig(providerId).BaseUrl is not null) return true;
        return policy.Order?.IndexOf(providerId) >= 0;
    }

    /// <summary>
    /// Fits the conversation into the model's context: the provider's own budget when it has one (the
    /// local runtime counts with the model's tokenizer), else an estimate from a context length the
    /// request, the model's settings or the provider's model list knows; unknown → sent as it is.
    /// </summary>
    private async Task<(ChatRequest Request, (int Trimmed, int ContextLength)? Fit)> FitAsync(IChatProvider provider, ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        var budget = provider is IContextBudgetSource source ? await source.GetBudgetAsync(context, request, cancellationToken).ConfigureAwait(false) : null;
        if (budget is null && (request.Params.ContextLength ?? KnownContextLength(context.Descriptor.Id, request.Model)) is int known)
            budget = ContextFitter.Estimate(known);
        if (budget is null) return (request, null);
        var counting = Stopwatch.GetTimestamp();
        var result = ContextFitter.Fit(request.Messages, budget, ContextFitter.AnswerReserve(budget.ContextLength, request.Params.MaxTokens));
        // bench/context-fit.mjs reads this line (debug level) for the cost of counting.
        logger?.LogDebug("Context fit: {Count} messages counted in {Ms:F3} ms.", request.Messages.Count, Stopwatch.GetElapsedTime(counting).TotalMilliseconds);
        if (result.TrimmedMessages == 0) return (request, null);
        logger?.LogInformation("Left out {Count} earlier messages to fit {Model}'s {Context}-token context.", result.TrimmedMessages, request.Model, budget.ContextLength);
        return (request with { Messages = result.Messages }, (result.TrimmedMessages, budget.ContextLength));
    }

    /// <summary>The preset's figure (memory) first, then the discovered list (the store).</summary>
    private int? KnownContextLength(string providerId, string modelId) =>
        registry.Get(providerId).Descriptor.Models.FirstOrDefault(m => m.Id == modelId)?.ContextLength
        ?? registry.State.GetCachedModels(providerId)?.Models.FirstOrDefault(m => m.Id == modelId)?.ContextLength;

    /// <summary>An exception filter that counts a failed request for metrics/get and catches nothing.</summary>
    private static bool Failed(MetricsRecorder? metrics, string modelRef)
    {
        metrics?.RecordError(modelRef);
        return false;
    }

    /// <summary>Estimated cost from the registry's pricing: zero on the device, null when the price is unknown.</summary>
    public static ChatCost? EstimateCost(ProviderContext context, string modelId, ChatUsage usage)
    {
        if (context.Descriptor.Kind == ProviderKind.Local) return new ChatCost(0, false, null);
        var p = context.Descriptor.PricingFor(modelId);
        if (p is null) return context.Privacy == PrivacyClass.Loopback ? new ChatCost(0, true, null) : null;
        var uncached = Math.Max(usage.PromptTokens - usage.CachedTokens, 0);
        var usd = (uncached * p.Input + usage.CachedTokens * (p.CachedInput ?? p.Input) + usage.CompletionTokens * p.Output) / 1_000_000.0;
        return new ChatCost(Math.Round(usd, 8), p.Approximate, p.AsOf);
    }

    private async Task<List<(string ProviderId, string ModelId, bool Explicit)>> CandidatesAsync(string? modelRef, RouterPolicy policy, CancellationToken cancellationToken)
    {
        var list = new List<(string, string, bool)>();
        string? primaryProvider = null;
        if (!string.IsNullOrEmpty(modelRef))
        {
            var (pid, mid) = ProviderRegistry.ParseRef(modelRef);
            registry.Get(pid);
            list.Add((pid, mid, true));
            primaryProvider = pid;
            if (!policy.Fallback) return list;
        }

        bool InOrder(string id) => policy.Order?.IndexOf(id) >= 0;
        foreach (var p in Ordered(policy))
        {
            var id = p.Descriptor.Id;
            if (id == primaryProvider) continue;
            var context = registry.ContextFor(id);
            if (context.Options.Enabled == false) continue;
            if (p.Descriptor.RequiresApiKey && context.ApiKey is null) continue;
            if (policy.Blocks(context.Privacy)) continue;
            // The editor's models are routed to unasked only when the user chose hostFirst or put "host" in
            // the order: a Copilot sign-in alone must not make VS Code's vendors the fallback for every chat.
            if (p.Descriptor.Api == ProviderApi.Host && policy.Strategy != RoutingStrategy.HostFirst && !InOrder(id)) continue;
            // The local runtime and the editor's models have no preset or cache: ask them (no model: skipped).
            var model = p.Descriptor.Kind == ProviderKind.Local || p.Descriptor.Api == ProviderApi.Host
                ? await LocalDefaultAsync(p, context, cancellationToken).ConfigureAwait(false)
                : discovery.DefaultModelFor(id);
            if (model is null) continue;
            list.Add((id, model, false));
        }
        return list;
    }

    /// <summary>Providers in policy order: the configured order first, then by privacy class for the strategy.</summary>
    public IReadOnlyList<IChatProvider> Ordered(RouterPolicy policy)
    {
        var explicitOrder = policy.Order ?? [];
        int Rank(IChatProvider p)
        {
            var privacy = registry.ContextFor(p.Descriptor.Id).Privacy;
            // hostFirst: the editor's models, then as preferLocal (the order the original plan gave providers).
            if (policy.Strategy == RoutingStrategy.HostFirst)
                return p.Descriptor.Api == ProviderApi.Host ? 0 : 1 + privacy switch { PrivacyClass.OnDevice => 0, PrivacyClass.Loopback => 1, _ => 2 };
            return policy.Strategy == RoutingStrategy.CloudFirst
                ? privacy switch { PrivacyClass.Cloud => 0, PrivacyClass.Loopback => 1, _ => 2 }
                : privacy switch { PrivacyClass.OnDevice => 0, PrivacyClass.Loopback => 1, _ => 2 };
        }
        return registry.Providers
            .Select((p, i) => (p, i))
            .OrderBy(x => explicitOrder.IndexOf(x.p.Descriptor.Id) is var k && k >= 0 ? k : int.MaxValue)
            .ThenBy(x => explicitOrder.Contains(x.p.Descriptor.Id) ? 0 : Rank(x.p))
            .ThenBy(x => x.i)
            .Select(x => x.p)
            .ToList();
    }

    private static async Task<string?> LocalDefaultAsync(IChatProvider p, ProviderContext context, CancellationToken cancellationToken)
    {
        try
        {
            var models = await p.ListModelsAsync(context, cancellationToken).ConfigureAwait(false);
            return (models.FirstOrDefault(m => m.Local?.Loaded == true) ?? models.FirstOrDefault())?.Id;
        }
        catch (EditorAssistException)
        {
            return null;
        }
    }

    /// <summary>1013: local-only mode refused a cloud provider (also used by remote inline completion, so both say the same).</summary>
    public static EditorAssistException PolicyViolation(ProviderContext context) =>
        new(ErrorCode.PolicyViolation,
            $"Local-only mode is on: {context.Descriptor.DisplayName} is a cloud provider, so the request was not sent. Pick a local model or turn local-only mode off.")
        {
            Details = new Dictionary<string, object?> { ["providerId"] = context.Descriptor.Id, ["privacy"] = "cloud" },
        };

    private string Save(ChatSendRequest request, string modelRef, string content, string finish, ChatUsage? usage, string reasoning,
        IReadOnlyList<ToolCallRecord>? toolCalls = null)
    {
        if (!request.SaveHistory) return request.SessionId ?? "";
        try
        {
            var last = request.Messages[^1];
            var messages = new List<StoredChatMessage>();
            if (last.Role != "assistant") messages.Add(new StoredChatMessage(0, last.Role, last.Content, null, null, null, default));
            messages.Add(new StoredChatMessage(0, "assistant", content, modelRef, finish, usage, default)
            {
                Reasoning = reasoning.Length == 0 ? null : reasoning,
                ToolCalls = toolCalls is { Count: > 0 } ? toolCalls : null,
            });
            return history.Append(request.SessionId, modelRef, messages);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // History is a convenience: a failed write must not lose the answer the user already saw.
            logger?.LogWarning("Could not save the chat turn: {Message}", ex.Message);
            return request.SessionId ?? Guid.NewGuid().ToString("n");
        }
    }
}

internal static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (string.Equals(list[i], value, StringComparison.Ordinal)) return i;
        return -1;
    }
}
