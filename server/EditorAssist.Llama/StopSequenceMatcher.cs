namespace EditorAssist.Llama;

/// <summary>
/// Finds stop sequences in streamed text without ever emitting part of one: text that could
/// still become the start of a stop sequence is held back until the next piece shows whether
/// it does. Not thread-safe: one per generation.
/// </summary>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private string _pending = string.Empty;

    public StopSequenceMatcher(IEnumerable<string> stops) =>
        _stops = stops.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray();

    public bool Stopped { get; private set; }

    /// <summary>Adds text; returns what can be emitted now. After a match, <see cref="Stopped"/> is true and the rest is discarded.</summary>
    public string Append(string text)
    {
        if (Stopped)
        {
            return string.Empty;
        }
        if (_stops.Length == 0)
        {
            return text;
        }
        string buf = _pending + text;
        int first = -1;
        foreach (string s in _stops)
        {
            int i = buf.IndexOf(s, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first))
            {
                first = i;
            }
        }
        if (first >= 0)
        {
            Stopped = true;
            _pending = string.Empty;
            return buf[..first];
        }
        int hold = LongestSuffixThatPrefixesAStop(buf);
        _pending = buf[(buf.Length - hold)..];
        return buf[..(buf.Length - hold)];
    }

    /// <summary>End of stream without a match: the held-back text was not a stop sequence after all.</summary>
    public string Flush()
    {
        string rest = Stopped ? string.Empty : _pending;
        _pending = string.Empty;
        return rest;
    }

    private int LongestSuffixThatPrefixesAStop(string buf)
    {
        int best = 0;
        foreach (string s in _stops)
        {
            for (int len = Math.Min(s.Length - 1, buf.Length); len > best; len--)
            {
                if (buf.AsSpan(buf.Length - len).SequenceEqual(s.AsSpan(0, len)))
                {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
