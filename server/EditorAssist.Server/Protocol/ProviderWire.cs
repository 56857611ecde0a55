using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;
using EditorAssist.Core.Routing;
using EditorAssist.Providers.Routing;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Protocol;

/// <summary>Core types → wire strings and DTOs (one place, so enum renames never change the contract).</summary>
internal static class ProviderWire
{
    public static string Kind(ProviderKind k) => k == ProviderKind.Local ? "local" : "remote";

    public static string Privacy(PrivacyClass p) => p switch
    {
        PrivacyClass.OnDevice => "onDevice",
        PrivacyClass.Loopback => "loopback",
        _ => "cloud",
    };

    public static string Availability(Availability a) => a switch
    {
        Core.Providers.Availability.Readily => "readily",
        Core.Providers.Availability.AfterDownload => "afterDownload",
        Core.Providers.Availability.No => "no",
        _ => "unknown",
    };

    public static string Source(ModelSource s) => s switch
    {
        ModelSource.Api => "api",
        ModelSource.Cache => "cache",
        _ => "fallback",
    };

    public static ProviderOptionsDto Options(ProviderOptions o) => new()
    {
        DefaultModel = o.DefaultModel,
        RequestTimeoutMs = o.RequestTimeoutMs,
        StreamIdleTimeoutMs = o.StreamIdleTimeoutMs,
        MaxRetries = o.MaxRetries,
        Enabled = o.Enabled,
    };

    public static ProviderOptions Options(ProviderOptionsDto o) => new()
    {
        DefaultModel = o.DefaultModel,
        RequestTimeoutMs = o.RequestTimeoutMs,
        StreamIdleTimeoutMs = o.StreamIdleTimeoutMs,
        MaxRetries = o.MaxRetries,
        Enabled = o.Enabled,
    };

    public static PricingDto? Pricing(ModelPricing? p) => p is null ? null : new PricingDto(p.Input, p.Output, p.CachedInput, p.AsOf, p.Approximate);

    public static UsageDto Usage(ChatUsage u) => new(u.PromptTokens, u.CompletionTokens, u.CachedTokens);

    public static RouterDto Router(RouterPolicy p) => new() { Strategy = RouterPolicy.ToWire(p.Strategy), Fallback = p.Fallback, Order = p.Order ?? [] };
}
