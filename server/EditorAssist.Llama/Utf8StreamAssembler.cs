using System.Text;

namespace EditorAssist.Llama;

/// <summary>
/// Turns token pieces (raw bytes) into text deltas. A token can end in the middle of a
/// multi-byte UTF-8 character (byte-fallback tokens carry one byte each), so decoding each
/// piece on its own would emit U+FFFD halves. <see cref="Decoder"/> keeps the incomplete tail
/// between calls and emits the character once its last byte arrives. Not thread-safe: one per generation.
/// </summary>
public sealed class Utf8StreamAssembler
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>Appends bytes; returns the text completed by them (possibly empty).</summary>
    public string Append(ReadOnlySpan<byte> bytes)
    {
        // Upper bound: one char per byte, plus the pending tail of the previous call completing
        // (a surrogate pair) or being flushed as replacement characters when invalid.
        int max = bytes.Length * 2 + 4;
        if (_chars.Length < max)
        {
            _chars = new char[max];
        }
        int n = _decoder.GetChars(bytes, _chars, flush: false);
        return n == 0 ? string.Empty : new string(_chars, 0, n);
    }

    /// <summary>
    /// Ends the stream. An incomplete trailing character (generation stopped between its bytes)
    /// is dropped rather than shown as U+FFFD.
    /// </summary>
    public void Reset() => _decoder.Reset();
}
