using System.Text;
using EditorAssist.Core.Providers;
using EditorAssist.Providers;

namespace EditorAssist.Providers.OpenAi;

/// <summary>
/// Assembles streamed <c>tool_calls</c>: the first fragment of a call carries its index, id and name, the
/// following ones only the index and a piece of the arguments text. Servers differ: Ollama and some
/// others send each call whole in one fragment, some omit the index (then a fragment with an id starts a
/// new call and one without continues the last).
/// </summary>
public sealed class OpenAiToolCallAssembler
{
    private readonly List<(int Index, string? Id, string? Name, StringBuilder Args)> _calls = [];

    public void Add(int? index, string? id, string? name, string? argumentsFragment)
    {
        int slot = -1;
        if (index is { } i) slot = _calls.FindIndex(c => c.Index == i);
        else if (id is null && _calls.Count > 0) slot = _calls.Count - 1;
        if (slot < 0)
        {
            _calls.Add((index ?? _calls.Count, id, name, new StringBuilder()));
            slot = _calls.Count - 1;
        }
        var c = _calls[slot];
        if (!string.IsNullOrEmpty(id) && c.Id is null) c.Id = id;
        if (!string.IsNullOrEmpty(name) && c.Name is null) c.Name = name;
        if (!string.IsNullOrEmpty(argumentsFragment)) c.Args.Append(argumentsFragment);
        _calls[slot] = c;
    }

    /// <summary>The assembled calls in index order; a call without an id gets one (some local servers omit it).</summary>
    public IEnumerable<ToolCallRequest> Complete() =>
        _calls.OrderBy(c => c.Index)
            .Where(c => !string.IsNullOrEmpty(c.Name))
            .Select(c => new ToolCallRequest(c.Id ?? $"call_{c.Index}_{Guid.NewGuid():n}"[..24], c.Name!, c.Args.ToString()));
}
