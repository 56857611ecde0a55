using System.Text.Json;

namespace EditorAssist.Rpc;

/// <summary>
/// A request id: JSON-RPC allows a string or a number. We accept integers only (fractional ids
/// are legal in the spec but discouraged, and no client of ours sends them) and echo the id back
/// in the same JSON type it arrived in.
/// </summary>
public readonly struct RpcId : IEquatable<RpcId>
{
    private readonly long _number;
    private readonly string? _text;

    public RpcId(long number) { _number = number; _text = null; }
    public RpcId(string text) { _number = 0; _text = text ?? throw new ArgumentNullException(nameof(text)); }

    public bool IsString => _text is not null;
    public long Number => _number;
    public string? Text => _text;

    /// <summary>Reads an id; false for any JSON type other than a string or an integral number.</summary>
    public static bool TryRead(JsonElement element, out RpcId id)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                id = new RpcId(element.GetString()!);
                return true;
            case JsonValueKind.Number when element.TryGetInt64(out var n):
                id = new RpcId(n);
                return true;
            default:
                id = default;
                return false;
        }
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_text is not null) writer.WriteStringValue(_text);
        else writer.WriteNumberValue(_number);
    }

    public bool Equals(RpcId other) => _number == other._number && string.Equals(_text, other._text, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is RpcId other && Equals(other);
    public override int GetHashCode() => _text is not null ? StringComparer.Ordinal.GetHashCode(_text) : _number.GetHashCode();
    public override string ToString() => _text is not null ? $"\"{_text}\"" : _number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
