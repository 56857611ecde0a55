namespace EditorAssist.Core.Completion;

/// <summary>
/// Inline completion's one "newest keystroke wins" rule, for every source (the local runtime and
/// remote fill-in-the-middle endpoints alike). Requests are ordered by their arrival
/// <c>sequence</c>, not by the order concurrent handlers happen to reach this point: claiming
/// cancels the running older request, and a request older than one already claimed is refused.
/// Thread-safe.
/// </summary>
public sealed class NewestWins
{
    private readonly Lock _gate = new();
    private long _newest = long.MinValue;
    private Claim? _running;

    /// <summary>Claims the right to answer for <paramref name="sequence"/>; null when a newer request has claimed it already.</summary>
    /// <param name="ct">The request's own token (the client's cancel); the claim's token follows it too.</param>
    public Claim? TryClaim(long sequence, CancellationToken ct)
    {
        Claim? older;
        Claim mine;
        lock (_gate)
        {
            if (sequence < _newest) return null;
            _newest = sequence;
            older = _running;
            _running = mine = new Claim(this, ct);
        }
        // Outside the lock: cancelling runs the older request's callbacks (aborting its HTTP call, its decode).
        older?.Supersede();
        return mine;
    }

    private void Release(Claim claim)
    {
        lock (_gate) if (_running == claim) _running = null;
    }

    /// <summary>One request's claim: its token ends when the client cancels or a newer request claims.</summary>
    public sealed class Claim : IDisposable
    {
        private readonly NewestWins _owner;
        private readonly CancellationTokenSource _cts;
        private readonly CancellationToken _outer;
        private int _superseded;

        internal Claim(NewestWins owner, CancellationToken outer)
        {
            _owner = owner;
            _outer = outer;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        }

        public CancellationToken Token => _cts.Token;

        /// <summary>A newer request took over (not the client's own cancel).</summary>
        public bool IsSuperseded => Volatile.Read(ref _superseded) == 1 && !_outer.IsCancellationRequested;

        internal void Supersede()
        {
            Volatile.Write(ref _superseded, 1);
            try { _cts.Cancel(); }
            catch (ObjectDisposedException) { /* it finished in the meantime */ }
        }

        public void Dispose()
        {
            _owner.Release(this);
            _cts.Dispose();
        }
    }
}

/// <summary>A request a newer one replaced: the client has moved on (answered as a cancellation, -32800).</summary>
public sealed class SupersededException() : OperationCanceledException("Superseded by a newer completion request.");
