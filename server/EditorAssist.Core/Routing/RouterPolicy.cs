using System.Text.Json.Serialization;

namespace EditorAssist.Core.Routing;

[JsonConverter(typeof(JsonStringEnumConverter<RoutingStrategy>))]
public enum RoutingStrategy
{
    /// <summary>On-device, then loopback servers, then cloud.</summary>
    [JsonStringEnumMemberName("preferLocal")] PreferLocal,
    /// <summary>Cloud first, then loopback, then on-device.</summary>
    [JsonStringEnumMemberName("cloudFirst")] CloudFirst,
    /// <summary>Nothing leaves the machine: cloud providers are refused with 1013 (loopback is allowed).</summary>
    [JsonStringEnumMemberName("localOnly")] LocalOnly,
    /// <summary>The editor's own models first (VS Code's language models), then on-device, loopback, cloud (issue 15).</summary>
    [JsonStringEnumMemberName("hostFirst")] HostFirst,
}

/// <summary>The routing policy (<c>router/get</c>, <c>router/set</c>); persisted in SQLite.</summary>
public sealed record RouterPolicy
{
    public RoutingStrategy Strategy { get; init; } = RoutingStrategy.PreferLocal;
    /// <summary>Move on to the next provider when the chosen one fails before the first token.</summary>
    public bool Fallback { get; init; } = true;
    /// <summary>Provider ids tried first, in this order; the rest follow in registry order.</summary>
    public IReadOnlyList<string>? Order { get; init; }

    public static RouterPolicy Default { get; } = new();

    /// <summary>
    /// Whether the policy forbids sending text to a provider of this privacy class: local-only blocks the
    /// cloud (loopback stays allowed: nothing leaves the machine). The one rule behind chat routing and
    /// remote inline completion.
    /// </summary>
    public bool Blocks(Providers.PrivacyClass privacy) => Strategy == RoutingStrategy.LocalOnly && privacy == Providers.PrivacyClass.Cloud;

    public static bool TryParseStrategy(string? text, out RoutingStrategy strategy)
    {
        switch (text)
        {
            case "preferLocal": strategy = RoutingStrategy.PreferLocal; return true;
            case "cloudFirst": strategy = RoutingStrategy.CloudFirst; return true;
            case "localOnly": strategy = RoutingStrategy.LocalOnly; return true;
            case "hostFirst": strategy = RoutingStrategy.HostFirst; return true;
            default: strategy = default; return false;
        }
    }

    public static string ToWire(RoutingStrategy s) => s switch
    {
        RoutingStrategy.CloudFirst => "cloudFirst",
        RoutingStrategy.LocalOnly => "localOnly",
        RoutingStrategy.HostFirst => "hostFirst",
        _ => "preferLocal",
    };
}
