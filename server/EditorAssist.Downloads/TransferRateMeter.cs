namespace EditorAssist.Downloads;

/// <summary>
/// Bytes per second over a sliding window of a few seconds (not since the start, so a resumed
/// download or a slow start does not distort the ETA). Not thread-safe: one job's loop owns it.
/// </summary>
internal sealed class TransferRateMeter(TimeProvider time, TimeSpan window)
{
    private readonly Queue<(long Timestamp, long Bytes)> _samples = new();

    public void Reset() => _samples.Clear();

    public double Sample(long totalBytes)
    {
        var now = time.GetTimestamp();
        _samples.Enqueue((now, totalBytes));
        while (_samples.Count > 2 && time.GetElapsedTime(_samples.Peek().Timestamp, now) > window) _samples.Dequeue();
        var (t0, b0) = _samples.Peek();
        var seconds = time.GetElapsedTime(t0, now).TotalSeconds;
        return seconds <= 0 ? 0 : Math.Max(0, (totalBytes - b0) / seconds);
    }
}
