using System.Text.RegularExpressions;

namespace EditorAssist.Core.Providers;

/// <summary>
/// Removes anything that looks like a credential from text bound for a log, an error message or a
/// trace: the exact keys the sidecar holds (<see cref="ApiKeyStore"/>), plus common key shapes
/// (sk-…, sk-ant-…, gsk_…, xai-…, AIza…, Bearer tokens, x-api-key / api_key values).
/// </summary>
public static partial class Redactor
{
    public const string Mask = "[REDACTED]";

    private static readonly Lock s_lock = new();
    private static volatile string[] s_known = [];

    /// <summary>
    /// Adds a secret to mask from now on. Secrets are never forgotten in this process (a key removed
    /// from the store may still sit in a late log line), and the set is process-wide because logs are.
    /// </summary>
    public static void AddKnownSecret(string secret)
    {
        if (secret.Length < 4) return;
        lock (s_lock)
        {
            if (s_known.Contains(secret, StringComparer.Ordinal)) return;
            s_known = s_known.Append(secret).OrderByDescending(s => s.Length).ToArray();
        }
    }

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        foreach (var secret in s_known)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        text = Bearer().Replace(text, "Bearer " + Mask);
        text = HeaderValue().Replace(text, m => m.Groups["name"].Value + m.Groups["sep"].Value + Mask);
        text = KeyShapes().Replace(text, Mask);
        return text;
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<name>x-api-key|api[_-]?key|apikey|x-goog-api-key|authorization|access[_-]?token|key)(?<sep>[""']?\s*[:=]\s*[""']?)(?!\[REDACTED\]|Bearer\s)[^\s""',;&}]{6,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderValue();

    [GeneratedRegex(@"Bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=\-]{6,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"\b(?:sk-(?:ant-|proj-|or-)?[A-Za-z0-9_\-]{8,}|gsk_[A-Za-z0-9]{8,}|xai-[A-Za-z0-9]{8,}|AIza[0-9A-Za-z_\-]{20,}|pplx-[A-Za-z0-9]{8,})", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShapes();
}
