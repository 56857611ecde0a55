using EditorAssist.Core.Chat;
using EditorAssist.Storage;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Server.Local;

/// <summary>
/// Context fitting for local models: the model is loaded (or the running load joined — the stream
/// that follows finds it loaded) and the conversation is counted with its own tokenizer; what the
/// chat template adds per message is measured once per model from an empty turn.
/// </summary>
public sealed partial class LlamaChatProvider : IContextBudgetSource
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Llama.LocalModel, object> _templateCost = new();

    public async Task<ContextBudget?> GetBudgetAsync(ProviderContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        var modelRef = request.Model.StartsWith(LocalRuntimeHost.ProviderId + "/", StringComparison.Ordinal)
            ? request.Model : $"{LocalRuntimeHost.ProviderId}/{request.Model}";
        var path = local.Resolve(modelRef);
        var model = await local.Models.GetOrLoadAsync(modelRef, path, local.OptionsFor(modelRef, contextLength: request.Params.ContextLength), null, cancellationToken).ConfigureAwait(false);
        var perMessage = (int)_templateCost.GetValue(model, m =>
        {
            try
            {
                return Math.Max(4, m.Tokenize(m.ApplyChatTemplate([new Llama.ChatMessage("user", "")], addAssistantPrefix: false), addSpecial: true, parseSpecial: true).Length);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return 8; // a model without a usable template: the runtime's fallback format costs about this
            }
        });
        return new ContextBudget(model.ContextLength, text => text.Length == 0 ? 0 : model.Tokenize(text, addSpecial: false, parseSpecial: false).Length, perMessage);
    }
}
