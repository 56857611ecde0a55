namespace EditorAssist.Core.Providers;

/// <summary>A tool the model may call: a name, what it does, and its parameters as a JSON Schema (raw JSON text).</summary>
public sealed record ToolDefinition(string Name, string Description, string ParametersJson);

/// <summary>
/// Whether the model may, must not, or must call a tool: <c>"auto"</c>, <c>"none"</c>, or one tool by name.
/// A forced tool applies to the first step of a turn only (the loop sets <see cref="Auto"/> after it),
/// otherwise a model that obeys would call it forever.
/// </summary>
public sealed record ToolChoice(string Mode, string? Name = null)
{
    public static readonly ToolChoice Auto = new("auto");
    public static readonly ToolChoice None = new("none");
    public static ToolChoice Tool(string name) => new("tool", name);
    public bool IsNone => Mode == "none";
}

/// <summary>
/// A tool call the model made, complete: providers assemble streamed argument fragments before they
/// report it. <see cref="ArgumentsJson"/> is the model's text as is (it may not parse: the loop checks).
/// </summary>
public sealed record ToolCallRequest(string Id, string Name, string ArgumentsJson);
