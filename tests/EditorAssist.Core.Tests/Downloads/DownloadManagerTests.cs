using System.Diagnostics;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Testing;
using EditorAssist.Testing.Http;

namespace EditorAssist.Core.Tests.Downloads;

public sealed class DownloadManagerTests : IAsyncLifetime
{
    private const int Size = 1024 * 1024;
    private readonly DownloadTestKit _kit = new();
    private LoopbackFileServer _hub = null!;
    private LoopbackFileServer _cdn = null!;
    private readonly byte[] _content = FakeModelBytes.Create(Size, seed: 7);

    public async Task InitializeAsync()
    {
        _hub = await LoopbackFileServer.StartAsync("127.0.0.1");
        // A second loopback address is a different host: what a CDN is to Hugging Face.
        _cdn = await LoopbackFileServer.StartAsync("127.0.0.2");
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _hub.DisposeAsync();
        await _cdn.DisposeAsync();
    }

    private Uri HfFile(byte[]? content = null, string? advertisedSha = null) =>
        _hub.AddHuggingFaceFile("org/model-GGUF", "model-q4_k_m.gguf", content ?? _content, _cdn, advertisedSha: advertisedSha);

    private static DownloadRequest Request(Uri url, string file = "model-q4_k_m.gguf") => new() { Url = url, FileName = file };

    private static async Task<EditorAssistException> Fails(Task task) => await Assert.ThrowsAsync<EditorAssistException>(() => task);

    [Fact]
    public async Task Downloads_a_hugging_face_file_through_the_cdn_verifies_it_and_renames_it_into_place()
    {
        var m = _kit.Manager();
        var probe = new ProgressProbe();
        var result = await m.DownloadAsync(Request(HfFile()), probe, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(Size, result.SizeBytes);
        Assert.Equal(_content, await File.ReadAllBytesAsync(result.Path));
        Assert.Equal(["model-q4_k_m.gguf"], _kit.FilesInModels());
        Assert.Equal(Size, _cdn.BytesServed);
        Assert.Contains(probe.Reports, r => r.Phase == "downloading" && r.TotalBytes == Size);
        Assert.Equal("verifying", probe.Reports[^1].Phase);
        Assert.Equal(result.Sha256, _kit.Models.GetSha256("model-q4_k_m.gguf"));
        Assert.Empty(new DownloadStateStore(_kit.Store).LoadAll());
        Assert.Equal(DownloadState.Done, Assert.Single(m.List()).State);
    }

    [Fact]
    public async Task A_dropped_connection_resumes_with_range_and_if_range_and_fetches_only_the_rest()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.DropAfter(300 * 1024));
        var result = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        var cdnRequests = _cdn.Requests.ToArray();
        Assert.Equal(2, cdnRequests.Length);
        Assert.NotNull(cdnRequests[1].IfRange);
        // The drop is a reset, so bytes still in the client's socket buffer die with it; what counts is
        // that the resume asks for exactly what is missing on disk and nothing more.
        var resumedAt = long.Parse(cdnRequests[1].Range!["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, 1, 300 * 1024);
        Assert.Equal(Size - resumedAt, cdnRequests[1].Served);
    }

    [Fact]
    public async Task A_download_interrupted_by_a_restart_resumes_from_the_persisted_state()
    {
        var url = HfFile();
        var first = _kit.Manager();
        var probe = new ProgressProbe();
        _cdn.Faults.Enqueue(new Fault.StallAfter(400 * 1024));
        var pending = first.DownloadAsync(Request(url), probe, CancellationToken.None);
        await probe.WaitForBytesAsync(400 * 1024);
        await first.DisposeAsync(); // the sidecar stops mid-download
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        var servedBefore = _cdn.BytesServed;

        var second = _kit.Manager();
        var restored = Assert.Single(second.List());
        Assert.Equal(DownloadState.Paused, restored.State);
        Assert.Equal(400 * 1024, restored.Bytes);
        Assert.Equal(Size, restored.TotalBytes);

        var result = await second.DownloadAsync(Request(url), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(Size - 400 * 1024, _cdn.BytesServed - servedBefore);
        Assert.Equal(["model-q4_k_m.gguf"], _kit.FilesInModels());
    }

    [Fact]
    public async Task A_caller_whose_connection_closes_detaches_without_cancelling_and_the_next_start_continues_the_job()
    {
        var url = HfFile();
        var first = _kit.Manager();
        var probe = new ProgressProbe();
        _cdn.Faults.Enqueue(new Fault.StallAfter(300 * 1024));
        // As over JSON-RPC: the request's token is linked to the connection's, which closes first.
        using var closing = new CancellationTokenSource();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
        var pending = first.DownloadAsync(Request(url), probe, request.Token, closing.Token);
        await probe.WaitForBytesAsync(300 * 1024);
        await closing.CancelAsync(); // the client restarts the sidecar: shutdown, exit
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        var job = Assert.Single(first.List());
        Assert.Equal(DownloadState.Running, job.State); // not cancelled: still there, still running
        await first.DisposeAsync();
        Assert.Contains("model-q4_k_m.gguf.partial", _kit.FilesInModels());

        var second = _kit.Manager();
        var restored = Assert.Single(second.List());
        Assert.Equal(DownloadState.Paused, restored.State);
        Assert.Equal(300 * 1024, restored.Bytes);
        Assert.Equal(url.OriginalString, restored.Url);
        var result = await second.DownloadAsync(Request(new Uri(restored.Url!)), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
    }

    [Fact]
    public async Task A_server_that_ignores_range_makes_the_download_restart_from_zero_never_append()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.DropAfter(300 * 1024));
        _cdn.Faults.Enqueue(new Fault.IgnoreRange());
        var result = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(Size, new FileInfo(result.Path).Length);
        Assert.Equal(2, _cdn.Requests.Count);
        Assert.InRange(_cdn.BytesServed, Size, 300 * 1024 + Size);
    }

    [Fact]
    public async Task A_file_replaced_mid_download_is_restarted_never_spliced()
    {
        var v1 = FakeModelBytes.Create(Size, seed: 1);
        var v2 = FakeModelBytes.Create(Size, seed: 2);
        _cdn.AddFile("direct.gguf", v1, etag: "\"v1\"");
        _cdn.Faults.Enqueue(new Fault.DropAfter(500 * 1024));
        var m = _kit.Manager();
        var url = _cdn.Url("direct.gguf");
        // Swap the file while the first response is on the wire: the resume's If-Range no longer matches.
        _cdn.BodyStarted += _ => _cdn.AddFile("direct.gguf", v2, etag: "\"v2\"");
        var result = await m.DownloadAsync(Request(url, "direct.gguf"), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(v2), result.Sha256);
        Assert.Equal(v2, await File.ReadAllBytesAsync(result.Path));
    }

    [Fact]
    public async Task A_changed_hugging_face_sha_restarts_from_zero()
    {
        var v2 = FakeModelBytes.Create(Size, seed: 3);
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.DropAfter(200 * 1024));
        var swapped = 0;
        _cdn.BodyStarted += _ => { if (Interlocked.Exchange(ref swapped, 1) == 0) HfFile(v2); };
        var result = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(v2), result.Sha256);
    }

    [Fact]
    public async Task A_complete_partial_answered_with_416_is_verified_without_refetching()
    {
        var url = _cdn.Url("done.gguf");
        _cdn.AddFile("done.gguf", _content, etag: "\"e1\"");
        Directory.CreateDirectory(_kit.ModelsDir);
        await File.WriteAllBytesAsync(_kit.PartialPath("done.gguf"), _content);
        new DownloadStateStore(_kit.Store).Upsert(new PersistedDownload("abc123", "done.gguf", url.ToString(), null, null, Size, "\"e1\"", "running", null));

        var result = await _kit.Manager().DownloadAsync(Request(url, "done.gguf"), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(0, _cdn.BytesServed);
        Assert.Equal($"bytes={Size}-", Assert.Single(_cdn.Requests).Range);
    }

    [Fact]
    public async Task Retry_after_on_503_is_honoured()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.Status(503, RetryAfterSeconds: 1));
        var sw = Stopwatch.StartNew();
        var result = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {sw.Elapsed.TotalMilliseconds} ms; the base delay is 10 ms");
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_then_succeed()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.Status(500));
        _cdn.Faults.Enqueue(new Fault.Status(502));
        var result = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(3, _cdn.Requests.Count);
    }

    [Fact]
    public async Task Persistent_server_errors_fail_with_download_failed_after_the_attempt_limit()
    {
        var url = HfFile();
        for (var i = 0; i < 10; i++) _cdn.Faults.Enqueue(new Fault.Status(500));
        var ex = await Fails(_kit.Manager(o => o with { MaxAttempts = 3 }).DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.DownloadFailed, ex.Code);
        Assert.Equal(3, _cdn.Requests.Count);
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task A_stalled_body_is_abandoned_by_the_watchdog_and_resumed()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(100 * 1024));
        var result = await _kit.Manager(o => o with { StallTimeout = TimeSpan.FromMilliseconds(300) }).DownloadAsync(Request(url), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(Size, _cdn.BytesServed);
    }

    [Fact]
    public async Task A_retry_in_the_same_process_appends_without_hashing_the_partial_again()
    {
        // The hash runs behind the writes; an attempt that ends (here: a stall) must still leave it
        // covering exactly the partial file, or the retry would re-read the partial ("verifying").
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(300 * 1024));
        var probe = new ProgressProbe();
        var result = await _kit.Manager(o => o with { StallTimeout = TimeSpan.FromSeconds(1) }).DownloadAsync(Request(url), probe, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.True(_cdn.Requests.Count >= 2, "the stalled attempt was retried"); // a loaded machine may stall a retry too
        Assert.All(probe.Reports.Where(r => r.Phase == "verifying"), r => Assert.Equal(Size, r.Bytes));
    }

    [Fact]
    public async Task After_a_full_disk_is_freed_the_download_resumes_and_the_hash_still_matches()
    {
        var url = HfFile();
        _kit.Disk.FailAfterBytes = 200 * 1024 + 123; // the failing write leaves part of its chunk behind
        var m = _kit.Manager();
        var full = await Fails(m.DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InsufficientDisk, full.Code);
        var kept = new FileInfo(_kit.PartialPath("model-q4_k_m.gguf")).Length;
        Assert.Equal(200 * 1024 + 123, kept);

        _kit.Disk.FailAfterBytes = null;
        var result = await m.DownloadAsync(Request(url), null, CancellationToken.None);

        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal($"bytes={kept}-", _cdn.Requests.ToArray()[^1].Range);
    }

    [Fact]
    public async Task A_checksum_mismatch_discards_the_file_with_1011()
    {
        var url = HfFile(advertisedSha: new string('a', 64));
        var m = _kit.Manager();
        var ex = await Fails(m.DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.ChecksumMismatch, ex.Code);
        Assert.Empty(_kit.FilesInModels());
        Assert.Empty(new DownloadStateStore(_kit.Store).LoadAll());
        Assert.Equal(DownloadState.Failed, Assert.Single(m.List()).State);
    }

    [Fact]
    public async Task A_catalog_sha_is_checked_too()
    {
        var m = _kit.Manager();
        _cdn.AddFile("x.gguf", _content);
        var ex = await Fails(m.DownloadAsync(Request(_cdn.Url("x.gguf"), "x.gguf") with { ExpectedSha256 = new string('b', 64) }, null, CancellationToken.None));
        Assert.Equal(ErrorCode.ChecksumMismatch, ex.Code);
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task An_html_page_is_rejected_with_1012_at_its_first_bytes()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.Html());
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidModelFile, ex.Code);
        Assert.Contains("HTML", ex.Message);
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task A_large_non_gguf_body_is_abandoned_early()
    {
        var junk = new byte[24 * Size];
        _cdn.AddFile("junk.gguf", junk);
        _cdn.BodyChunkSize = 64 * 1024;
        _cdn.PaceDelay = TimeSpan.FromMilliseconds(1); // ≥ 0.4 s for the whole body: an early stop shows
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(_cdn.Url("junk.gguf"), "junk.gguf"), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidModelFile, ex.Code);
        Assert.True(_cdn.BytesServed < junk.Length / 4, $"served {_cdn.BytesServed} bytes of a file rejected at its header");
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task An_empty_body_is_rejected_with_1012()
    {
        _cdn.AddFile("empty.gguf", []);
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(_cdn.Url("empty.gguf"), "empty.gguf"), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidModelFile, ex.Code);
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task A_full_disk_stops_at_once_with_1009_and_no_retries()
    {
        var url = HfFile();
        _kit.Disk.FailAfterBytes = 200 * 1024;
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InsufficientDisk, ex.Code);
        Assert.Single(_cdn.Requests);
        Assert.Equal(1, _kit.Disk.Opens);
        Assert.DoesNotContain("model-q4_k_m.gguf", _kit.FilesInModels());
    }

    [Fact]
    public async Task Writeback_of_the_partial_starts_during_the_download_range_after_range_then_one_flush()
    {
        var result = await _kit.Manager().DownloadAsync(Request(HfFile()), null, CancellationToken.None);
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);

        // 1 MiB at a 256 KiB interval: contiguous ranges from the start, each at least the interval.
        var ranges = _kit.Disk.Writebacks.ToArray();
        Assert.InRange(ranges.Length, 3, 4);
        long next = 0;
        foreach (var (offset, count) in ranges)
        {
            Assert.Equal(next, offset);
            Assert.True(count >= 256 * 1024, $"a writeback of {count} bytes");
            next = offset + count;
        }
        Assert.True(next <= Size);
        Assert.Equal(1, _kit.Disk.Flushes); // the fsync before the rename
    }

    [Fact]
    public async Task A_writeback_that_finds_the_disk_full_stops_with_1009()
    {
        var url = HfFile();
        _kit.Disk.FailNextWritebacks = 1;
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InsufficientDisk, ex.Code);
        Assert.Single(_cdn.Requests);
        Assert.DoesNotContain("model-q4_k_m.gguf", _kit.FilesInModels());
    }

    [Fact]
    public async Task Too_little_free_space_is_refused_before_any_byte_is_fetched()
    {
        var url = HfFile();
        _kit.Disk.FreeBytes = Size / 2;
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.InsufficientDisk, ex.Code);
        Assert.Equal(0, _kit.Disk.Opens); // refused at the headers: not a byte written
        Assert.Equal((long)Size, ex.Details!["requiredBytes"]);
    }

    [Fact]
    public async Task Free_space_falling_below_the_reserve_during_the_download_stops_it()
    {
        var url = HfFile();
        var m = _kit.Manager(o => o with { DiskCheckIntervalBytes = 128 * 1024, DiskReserveBytes = 1000 });
        // Another program fills the disk once the download is under way.
        var probe = new InlineProgress(p => { if (p.Bytes >= 64 * 1024) _kit.Disk.FreeBytes = 10; });
        var ex = await Fails(m.DownloadAsync(Request(url), probe, CancellationToken.None));
        Assert.Equal(ErrorCode.InsufficientDisk, ex.Code);
        Assert.Single(_cdn.Requests);
    }

    [Fact]
    public async Task A_download_beyond_the_quota_is_refused_with_1014()
    {
        var url = HfFile();
        Directory.CreateDirectory(_kit.ModelsDir);
        await File.WriteAllBytesAsync(Path.Combine(_kit.ModelsDir, "old.gguf"), new byte[600 * 1024]);
        var ex = await Fails(_kit.Manager(o => o with { QuotaBytes = () => Size }).DownloadAsync(Request(url), null, CancellationToken.None));
        Assert.Equal(ErrorCode.QuotaExceeded, ex.Code);
        Assert.Equal(0, _kit.Disk.Opens);
        Assert.Equal(["old.gguf"], _kit.FilesInModels());
    }

    [Fact]
    public async Task The_token_goes_to_the_hub_but_never_to_the_cdn_host()
    {
        var url = HfFile();
        var credentials = new HuggingFaceCredentials(_hub.BaseUri);
        credentials.SetToken("hf_secret_token");
        await _kit.Manager(credentials: credentials).DownloadAsync(Request(url), null, CancellationToken.None);

        Assert.Equal("Bearer hf_secret_token", Assert.Single(_hub.Requests).Authorization);
        Assert.Null(Assert.Single(_cdn.Requests).Authorization);
    }

    [Fact]
    public async Task Plain_http_to_another_host_and_path_traversal_are_refused()
    {
        var m = _kit.Manager();
        var http = await Fails(m.DownloadAsync(Request(new Uri("http://example.com/model.gguf")), null, CancellationToken.None));
        Assert.Equal(ErrorCode.DownloadFailed, http.Code);
        var traversal = await Fails(m.DownloadAsync(Request(HfFile(), "../../etc/evil.gguf"), null, CancellationToken.None));
        Assert.Equal(ErrorCode.DownloadFailed, traversal.Code);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task A_redirect_from_the_hub_to_plain_http_elsewhere_is_refused()
    {
        _hub.AddRedirect("evil.gguf", () => new Uri("http://example.com/x.gguf"));
        var ex = await Fails(_kit.Manager().DownloadAsync(Request(_hub.Url("evil.gguf"), "evil.gguf"), null, CancellationToken.None));
        Assert.Equal(ErrorCode.DownloadFailed, ex.Code);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_file_share_one_download()
    {
        var url = HfFile();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cdn.Faults.Enqueue(new Fault.StallAfter(100 * 1024, release));
        var m = _kit.Manager();
        var p1 = new ProgressProbe();
        var p2 = new ProgressProbe();
        var a = m.DownloadAsync(Request(url), p1, CancellationToken.None);
        await p1.WaitForBytesAsync(100 * 1024);
        var b = m.DownloadAsync(Request(url), p2, CancellationToken.None);
        Assert.Single(m.List());
        release.SetResult(); // the server drops the stalled response; the one job resumes
        var results = await Task.WhenAll(a, b);

        Assert.Equal(results[0], results[1]);
        Assert.Equal(Size, _cdn.BytesServed);
        Assert.NotEmpty(p2.Reports);
    }

    [Fact]
    public async Task Pause_keeps_the_partial_and_resume_continues_from_it()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(200 * 1024));
        var m = _kit.Manager();
        var probe = new ProgressProbe();
        var pending = m.DownloadAsync(Request(url), probe, CancellationToken.None);
        await probe.WaitForBytesAsync(200 * 1024);
        var id = Assert.Single(m.List()).Id;

        await m.PauseAsync(id);
        var paused = Assert.Single(m.List());
        Assert.Equal(DownloadState.Paused, paused.State);
        Assert.True(File.Exists(_kit.PartialPath("model-q4_k_m.gguf")));
        Assert.False(pending.IsCompleted);
        Assert.Equal("paused", Assert.Single(new DownloadStateStore(_kit.Store).LoadAll()).State);

        m.Resume(id);
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(FakeModelBytes.Sha256(_content), result.Sha256);
        Assert.Equal(Size, _cdn.BytesServed);
    }

    [Fact]
    public async Task Cancel_fails_the_callers_and_removes_the_partial_and_the_state()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(200 * 1024));
        var m = _kit.Manager();
        var probe = new ProgressProbe();
        var pending = m.DownloadAsync(Request(url), probe, CancellationToken.None);
        await probe.WaitForBytesAsync(200 * 1024);

        await m.CancelAsync(Assert.Single(m.List()).Id);

        var ex = await Fails(pending);
        Assert.Equal(ErrorCode.DownloadFailed, ex.Code);
        Assert.Equal(true, ex.Details!["cancelled"]);
        Assert.Empty(_kit.FilesInModels());
        Assert.Empty(m.List());
        Assert.Empty(new DownloadStateStore(_kit.Store).LoadAll());
    }

    [Fact]
    public async Task Cancelling_a_paused_download_removes_its_partial()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(200 * 1024));
        var m = _kit.Manager();
        var probe = new ProgressProbe();
        var pending = m.DownloadAsync(Request(url), probe, CancellationToken.None);
        await probe.WaitForBytesAsync(200 * 1024);
        var id = Assert.Single(m.List()).Id;
        await m.PauseAsync(id);
        await m.CancelAsync(id);
        await Fails(pending);
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task When_the_last_caller_leaves_the_job_is_cancelled_but_not_while_another_waits()
    {
        var url = HfFile();
        _cdn.Faults.Enqueue(new Fault.StallAfter(200 * 1024));
        var m = _kit.Manager();
        var probe = new ProgressProbe();
        using var cts1 = new CancellationTokenSource();
        using var cts2 = new CancellationTokenSource();
        var a = m.DownloadAsync(Request(url), probe, cts1.Token);
        var b = m.DownloadAsync(Request(url), null, cts2.Token);
        await probe.WaitForBytesAsync(200 * 1024);

        await cts1.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        Assert.Equal(DownloadState.Running, Assert.Single(m.List()).State);

        var id = Assert.Single(m.List()).Id;
        await cts2.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        await m.CancelAsync(id); // idempotent: completes once the job's own cancellation has cleaned up
        Assert.Empty(m.List());
        Assert.Empty(_kit.FilesInModels());
    }

    [Fact]
    public async Task The_parallel_limit_queues_further_jobs()
    {
        _cdn.AddFile("a.gguf", _content);
        _cdn.AddFile("b.gguf", FakeModelBytes.Create(Size, seed: 9));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cdn.Faults.Enqueue(new Fault.StallAfter(100 * 1024, release));
        var m = _kit.Manager(o => o with { MaxParallelDownloads = 1, StallTimeout = TimeSpan.FromSeconds(20) });
        var probe = new ProgressProbe();
        var a = m.DownloadAsync(Request(_cdn.Url("a.gguf"), "a.gguf"), probe, CancellationToken.None);
        await probe.WaitForBytesAsync(100 * 1024);
        var b = m.DownloadAsync(Request(_cdn.Url("b.gguf"), "b.gguf"), null, CancellationToken.None);

        var states = m.List().ToDictionary(s => s.FileName, s => s.State);
        Assert.Equal(DownloadState.Running, states["a.gguf"]);
        Assert.Equal(DownloadState.Queued, states["b.gguf"]);
        Assert.Single(_cdn.Requests);

        release.SetResult();
        await Task.WhenAll(a, b);
        Assert.Equal(["a.gguf", "b.gguf"], _kit.FilesInModels());
    }

    [Fact]
    public async Task An_existing_model_is_returned_without_a_request()
    {
        var url = HfFile();
        var m = _kit.Manager();
        var first = await m.DownloadAsync(Request(url), null, CancellationToken.None);
        var second = await _kit.Manager().DownloadAsync(Request(url), null, CancellationToken.None);
        Assert.Equal(first, second);
        Assert.Single(_hub.Requests);
    }
}
