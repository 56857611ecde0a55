using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>models/countTokens</c>: token counts for a caller that budgets prompts itself (VS Code's
/// language-model API asks for one per message, often). A loaded local model counts with its own
/// tokenizer; anything else — a remote model, a local one not loaded — gets the router's estimate, so
/// the call never loads a model, never starts the local runtime and never goes to the network.
/// </summary>
internal sealed class TokenCountModule(LocalRuntimeHost local) : IRpcModule
{
    /// <summary>Texts per request; a caller batches what it needs at once, and a bound keeps one request short.</summary>
    public const int MaxTexts = 512;

    public IEnumerable<string> Methods => [TokenCountMethods.ModelsCountTokens];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = TokenCountProtocolJson.Default;
        connection.AddRequestHandler(TokenCountMethods.ModelsCountTokens, () => json.CountTokensParams, () => json.CountTokensResult, (p, _, ct) =>
        {
            if (string.IsNullOrEmpty(p.Ref)) throw Invalid("ref is required.");
            if (p.Texts is null || p.Texts.Count > MaxTexts || p.Texts.Any(t => t is null)) throw Invalid($"texts must be a list of at most {MaxTexts} strings.");
            // StartedModels: a count must not start the local runtime; Get: nor load a model.
            var model = p.Ref.StartsWith(LocalRuntimeHost.ProviderId + "/", StringComparison.Ordinal) ? local.StartedModels?.Get(p.Ref) : null;
            if (model is null) return ValueTask.FromResult(new CountTokensResult(p.Texts.Select(t => (int)Math.Ceiling(t.Length / ContextFitter.EstimatedCharsPerToken)).ToList(), false));
            var counts = new List<int>(p.Texts.Count);
            foreach (var text in p.Texts)
            {
                ct.ThrowIfCancellationRequested();
                counts.Add(text.Length == 0 ? 0 : model.Tokenize(text, addSpecial: false, parseSpecial: false).Length);
            }
            return ValueTask.FromResult(new CountTokensResult(counts, true));
        });
    }

    private static RpcException Invalid(string message) => new(ErrorCodes.InvalidParams, $"Invalid params for '{TokenCountMethods.ModelsCountTokens}': {message}");
}
