using System.Collections.Concurrent;
using EditorAssist.Core.Providers;

namespace EditorAssist.Providers;

/// <summary>
/// API keys, in memory only (PROTOCOL.md <c>providers/setApiKey</c>). The client keeps them in VS Code
/// SecretStorage and sends them after each start. Nothing here is ever written to the store, logged,
/// or put in an error message; every key set is registered with <see cref="Redactor"/> so that a key
/// echoed back by a server is masked too.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);

    public string? Get(string providerId) => _keys.TryGetValue(providerId, out var k) ? k : null;

    public bool Has(string providerId) => _keys.ContainsKey(providerId);

    /// <summary>Sets (or with null/empty, removes) the key of a provider.</summary>
    public void Set(string providerId, string? apiKey)
    {
        if (string.IsNullOrWhiteSpace(apiKey)) _keys.TryRemove(providerId, out _);
        else
        {
            var key = apiKey.Trim();
            Redactor.AddKnownSecret(key);
            _keys[providerId] = key;
        }
    }
}
