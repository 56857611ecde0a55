using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.Host;

/// <summary>A chat model the editor offers (VS Code's <c>vscode.lm</c>), as the extension reported it.</summary>
public sealed record HostModel(string Vendor, string Id, string Name, string Family, string? Version = null, int? MaxInputTokens = null, bool? ToolCalling = null)
{
    /// <summary>The model id under the <c>host</c> provider: ids are only unique per vendor, so the vendor leads.</summary>
    public string ModelId => $"{Vendor}/{Id}";
}


/// <summary>
/// The way to the editor's models: the extension, asked over JSON-RPC (Server/Handlers/ClientHostBridge).
/// Core knows only this interface, so the provider stays transport-free like every other one.
/// </summary>
public interface IHostChatBridge
{
    /// <summary>
    /// Streams one answer of <paramref name="model"/>: text chunks, complete tool calls, then one final
    /// chunk. Cancelling the token cancels the editor's request (its CancellationToken). Failures are
    /// <see cref="EditorAssistException"/>s; the editor's "no permission" or "model gone" are 1003 so the
    /// router may fall back.
    /// </summary>
    IAsyncEnumerable<ChatChunk> StreamChatAsync(HostModel model, ChatRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The <c>host</c> provider: the chat models of the editor EditorAssist runs in (VS Code's
/// <c>vscode.lm.selectChatModels</c>), served by asking the extension. The extension pushes the list
/// (<c>host/didChangeModels</c>) at each sidecar start and whenever VS Code's set changes; an editor
/// without the API never pushes one, so the provider stays empty and unavailable and routing skips it.
/// </summary>
/// <remarks>
/// Privacy: a host model runs wherever its vendor runs it, which EditorAssist cannot see, so the
/// provider is <see cref="PrivacyClass.Cloud"/> (a remote kind with no base URL classifies as cloud):
/// consent, the Cloud badge and local-only mode apply. EditorAssist's own contributed models (vendor
/// <see cref="OwnVendor"/>) are never listed: they would route a request back into this sidecar.
/// </remarks>
public sealed class HostChatProvider : IChatProvider, IContextBudgetSource
{
    public const string ProviderId = "host";
    /// <summary>The vendor EditorAssist contributes its own models under (issue 15, part 2).</summary>
    public const string OwnVendor = "editorassist";

    private readonly Lock _lock = new();
    private IReadOnlyList<HostModel> _models = [];
    private IHostChatBridge? _bridge;

    public ProviderDescriptor Descriptor { get; } = new()
    {
        Id = ProviderId,
        DisplayName = "VS Code",
        Kind = ProviderKind.Remote,
        Api = ProviderApi.Host,
        // Tools pass through when the model says it supports them (checked per model below).
        Capabilities = new ProviderCapabilities { Chat = true, Tools = true },
    };

    /// <summary>The editor's models now (EditorAssist's own never among them).</summary>
    public IReadOnlyList<HostModel> Models
    {
        get { lock (_lock) return _models; }
    }

    /// <summary>Whether an editor is connected that can answer <c>host/chat</c>.</summary>
    public bool HasBridge
    {
        get { lock (_lock) return _bridge is not null; }
    }

    /// <summary>Connects the editor (one per sidecar session); null disconnects it.</summary>
    public void Attach(IHostChatBridge? bridge)
    {
        lock (_lock) _bridge = bridge;
    }

    /// <summary>Replaces the list with what the editor offers now. Returns whether it changed.</summary>
    public bool SetModels(IEnumerable<HostModel> models)
    {
        var list = models
            .Where(m => !string.IsNullOrWhiteSpace(m.Vendor) && !string.IsNullOrWhiteSpace(m.Id))
            // Our own models would send the request back here (a loop through the editor).
            .Where(m => !string.Equals(m.Vendor, OwnVendor, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(m => m.ModelId, StringComparer.Ordinal)
            .ToList();
        lock (_lock)
        {
            var changed = !list.SequenceEqual(_models);
            _models = list;
            return changed;
        }
    }

    public Task<ProviderStatus> CheckAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_bridge is null)
                return Task.FromResult(new ProviderStatus(Availability.No, "The editor does not offer its language models to EditorAssist (it has no vscode.lm API)."));
            if (_models.Count == 0)
                return Task.FromResult(new ProviderStatus(Availability.No, "VS Code offers no chat models now. An extension that provides models (such as GitHub Copilot) must be installed and signed in."));
            return Task.FromResult(new ProviderStatus(Availability.Readily));
        }
    }

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<ModelInfo> list = Models.Select(m => new ModelInfo
        {
            Id = m.ModelId,
            DisplayName = m.Name,
            ContextLength = m.MaxInputTokens,
            Host = new HostModelDetails(m.Vendor, m.Family, m.Version, m.ToolCalling),
        }).ToList();
        return Task.FromResult(list);
    }

    public IAsyncEnumerable<ChatChunk> StreamChatAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        IHostChatBridge? bridge;
        HostModel? model;
        lock (_lock)
        {
            bridge = _bridge;
            model = _models.FirstOrDefault(m => string.Equals(m.ModelId, request.Model, StringComparison.Ordinal));
        }
        if (bridge is null) throw Unavailable("The editor does not offer its language models to EditorAssist.", "noHostApi");
        if (model is null)
        {
            // Gone since it was chosen (extension disabled, signed out): 1003, so the router may fall back.
            throw Unavailable($"VS Code has no chat model '{request.Model}' now.", "hostModelGone");
        }
        // A model that says it cannot call tools gets a plain chat rather than an error from its vendor.
        if (model.ToolCalling == false && request.Tools.Count > 0) request = request with { Tools = [], ToolChoice = ToolChoice.None };
        return bridge.StreamChatAsync(model, request, cancellationToken);
    }

    /// <summary>
    /// The router fits long conversations into the model's <c>maxInputTokens</c> (an estimate: counting with
    /// vscode.lm's countTokens would cost a round trip to the editor per message).
    /// </summary>
    public Task<ContextBudget?> GetBudgetAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        var model = Models.FirstOrDefault(m => string.Equals(m.ModelId, request.Model, StringComparison.Ordinal));
        return Task.FromResult(request.Params.ContextLength is int n ? ContextFitter.Estimate(n)
            : model?.MaxInputTokens is > 0 and int max ? ContextFitter.Estimate(max) : null);
    }

    private EditorAssistException Unavailable(string message, string cause) =>
        new(ErrorCode.ProviderUnavailable, message)
        {
            Details = new Dictionary<string, object?> { ["providerId"] = Descriptor.Id, ["cause"] = cause },
        };
}
