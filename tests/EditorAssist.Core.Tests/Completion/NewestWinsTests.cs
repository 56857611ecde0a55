using EditorAssist.Core.Completion;

namespace EditorAssist.Core.Tests.Completion;

public class NewestWinsTests
{
    [Fact]
    public void A_newer_claim_cancels_the_running_older_one()
    {
        var rule = new NewestWins();
        using var older = rule.TryClaim(1, default)!;
        using var newer = rule.TryClaim(2, default)!;
        Assert.True(older.Token.IsCancellationRequested);
        Assert.True(older.IsSuperseded);
        Assert.False(newer.Token.IsCancellationRequested);
        Assert.False(newer.IsSuperseded);
    }

    [Fact]
    public void A_claim_older_than_the_newest_is_refused_even_when_it_arrives_later()
    {
        var rule = new NewestWins();
        using var newer = rule.TryClaim(5, default)!;
        Assert.Null(rule.TryClaim(4, default));
        Assert.False(newer.Token.IsCancellationRequested);
        // Equal sequence numbers are not older (a retry of the same request).
        using var again = rule.TryClaim(5, default);
        Assert.NotNull(again);
    }

    [Fact]
    public void The_clients_own_cancel_is_not_a_supersede()
    {
        var rule = new NewestWins();
        using var client = new CancellationTokenSource();
        using var claim = rule.TryClaim(1, client.Token)!;
        client.Cancel();
        Assert.True(claim.Token.IsCancellationRequested);
        Assert.False(claim.IsSuperseded);
    }

    [Fact]
    public void A_finished_claim_is_not_cancelled_by_the_next()
    {
        var rule = new NewestWins();
        var first = rule.TryClaim(1, default)!;
        var token = first.Token;
        first.Dispose();
        using var second = rule.TryClaim(2, default)!;
        Assert.False(token.IsCancellationRequested);
        Assert.False(first.IsSuperseded);
    }

    [Fact]
    public async Task Concurrent_claims_leave_exactly_the_newest_running()
    {
        var rule = new NewestWins();
        var claims = new NewestWins.Claim?[64];
        await Parallel.ForAsync(0, claims.Length, (i, _) => { claims[i] = rule.TryClaim(i, default); return ValueTask.CompletedTask; });
        var live = claims.Where(c => c is not null && !c.Token.IsCancellationRequested).ToList();
        Assert.Single(live);
        Assert.Same(claims[^1], live[0]);
        foreach (var c in claims) c?.Dispose();
    }
}
