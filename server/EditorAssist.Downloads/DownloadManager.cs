using EditorAssist.Core.Platform;
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EditorAssist.Core.Errors;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using Microsoft.Extensions.Logging;

using EditorAssist.Core.Net;

namespace EditorAssist.Downloads;

/// <summary>
/// Downloads model files into the models folder: one job per file shared by all callers
/// (reference-counted: when the last waiting caller cancels, the job is cancelled), a limit on
/// parallel jobs, HTTP Range resume guarded by If-Range, state persisted so a restarted sidecar
/// resumes, SHA-256 computed while the bytes arrive, a GGUF header check, disk and quota checks,
/// jittered retries that honour Retry-After and cancellation, a stall watchdog, manual redirects that
/// never forward credentials to another origin, and an atomic rename at the end.
/// Thread-safe. Dispose stops running jobs and leaves them resumable.
/// </summary>
public sealed class DownloadManager : IAsyncDisposable
{
    public const string PartialSuffix = ".partial";

    private readonly DownloadOptions _options;
    private readonly HttpClient _http;
    private readonly RangeFetcher _fetcher;
    private readonly DiskBudget _disk;
    private readonly DownloadStateStore? _state;
    private readonly LocalModelStore? _models;
    private readonly IDownloadFileSystem _fs;
    private readonly IDownloadCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly SemaphoreSlim _parallel;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DownloadJob> _jobs = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    public DownloadManager(
        DownloadOptions options,
        HttpMessageHandler handler,
        DownloadStateStore? state,
        LocalModelStore? models,
        ILogger logger,
        TimeProvider? time = null,
        IDownloadFileSystem? fileSystem = null,
        IDownloadCredentials? credentials = null,
        Func<double>? random = null)
    {
        _options = options;
        // The handler must not follow redirects itself: we do, to decide per hop whether credentials go along.
        _http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _state = state;
        _models = models;
        _fs = fileSystem ?? PhysicalDownloadFileSystem.Instance;
        _credentials = credentials ?? NoCredentials.Instance;
        _fetcher = new RangeFetcher(_http, _credentials, options);
        _disk = new DiskBudget(_fs, options);
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        _parallel = new SemaphoreSlim(Math.Max(1, options.MaxParallelDownloads));
        PlatformFiles.CreatePrivateDirectory(options.ModelsDirectory);
        LoadPersisted();
    }

    /// <summary>The handler a production manager uses: pooled connections, no automatic redirects or decompression.</summary>
    public static HttpMessageHandler CreateDefaultHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public string ModelsDirectory => _options.ModelsDirectory;

    /// <summary>
    /// Downloads (or joins the running download of) <paramref name="request"/>'s file and returns when
    /// it is verified and in place. A paused job keeps its callers waiting until resumed or cancelled.
    /// Cancelling <paramref name="cancellationToken"/> detaches this caller; if it was the last, the
    /// job is cancelled and its partial deleted. Cancelling <paramref name="detach"/> (the caller's
    /// connection is closing: not a choice to cancel) only stops the wait; the job and its partial stay,
    /// for the next session to continue.
    /// </summary>
    /// <exception cref="EditorAssistException">DownloadFailed, ChecksumMismatch, InvalidModelFile, InsufficientDisk, QuotaExceeded.</exception>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken,
        CancellationToken detach = default)
    {
        DownloadUrlPolicy.EnsureAllowed(request.Url);
        var fileName = DownloadUrlPolicy.SanitizeFileName(request.FileName);
        var finalPath = Path.Combine(_options.ModelsDirectory, fileName);

        DownloadJob job;
        Task<DownloadResult> completion;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (File.Exists(finalPath) && !_jobs.ContainsKey(fileName))
                return Existing(fileName, finalPath);

            if (_jobs.TryGetValue(fileName, out var existing) && existing.State is DownloadState.Done && !File.Exists(finalPath))
            {
                _jobs.Remove(fileName); // deleted since: download again
                existing = null;
            }
            if (existing is null)
            {
                job = new DownloadJob(Guid.NewGuid().ToString("N")[..12], fileName, request.Url)
                {
                    CatalogId = request.CatalogId,
                    RequestedSha256 = NormalizeSha(request.ExpectedSha256),
                    TotalBytes = request.ExpectedSizeBytes,
                };
                _jobs[fileName] = job;
                Persist(job);
                StartLocked(job);
            }
            else
            {
                job = existing;
                if (job.State is DownloadState.Queued or DownloadState.Running)
                {
                    if (job.Url != request.Url)
                        throw new EditorAssistException(ErrorCode.DownloadFailed,
                            $"Another download is already writing '{fileName}'. Wait for it or cancel it first.")
                        { Details = new Dictionary<string, object?> { ["downloadId"] = job.Id } };
                }
                else if (job.State is DownloadState.Paused or DownloadState.Failed)
                {
                    if (job.Url != request.Url)
                    {
                        // Same name, different source: the old partial belongs to another file.
                        job.Url = request.Url;
                        job.ETag = null;
                        job.ServerSha256 = null;
                        job.TotalBytes = request.ExpectedSizeBytes;
                        job.ResetHash();
                        TryDelete(PartialPath(fileName));
                    }
                    job.CatalogId ??= request.CatalogId;
                    job.RequestedSha256 = NormalizeSha(request.ExpectedSha256) ?? job.RequestedSha256;
                    StartLocked(job);
                }
            }
            job.Waiters++;
            if (progress is not null) job.Sinks.Add(progress);
            completion = job.Completion.Task;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, detach);
        try
        {
            return await completion.WaitAsync(waiting.Token).ConfigureAwait(false);
        }
        finally
        {
            bool cancelJob;
            lock (_lock)
            {
                job.Waiters--;
                if (progress is not null) job.Sinks.Remove(progress);
                cancelJob = cancellationToken.IsCancellationRequested && !detach.IsCancellationRequested && job.Waiters == 0
                    && job.State is DownloadState.Queued or DownloadState.Running or DownloadState.Paused;
            }
            if (cancelJob)
            {
                _logger.LogInformation("Download {Id} ({File}): the last caller left; cancelling.", job.Id, job.FileName);
                _ = CancelAsync(job.Id);
            }
        }
    }

    /// <summary>All jobs this manager knows, including those restored from a previous run (paused).</summary>
    public IReadOnlyList<DownloadSnapshot> List()
    {
        lock (_lock)
        {
            return _jobs.Values.Select(j => new DownloadSnapshot(
                j.Id, j.FileName, j.CatalogId, j.State, Interlocked.Read(ref j.Bytes), j.TotalBytes,
                j.Error?.Message, j.Error?.Code) { Url = j.Url.OriginalString }).ToList();
        }
    }

    /// <summary>Stops a queued or running job, keeping its partial file; its callers keep waiting.</summary>
    public Task PauseAsync(string id)
    {
        Task run;
        lock (_lock)
        {
            var job = Find(id);
            if (job.State is not (DownloadState.Queued or DownloadState.Running)) return Task.CompletedTask;
            job.Stop = StopReason.Pause;
            job.State = DownloadState.Paused;
            job.RunCts?.Cancel();
            run = job.RunTask;
        }
        return run.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Restarts a paused or failed job (also one restored after a restart) from its partial file.</summary>
    public void Resume(string id)
    {
        lock (_lock)
        {
            var job = Find(id);
            if (job.State is DownloadState.Paused or DownloadState.Failed) StartLocked(job);
        }
    }

    /// <summary>Cancels a job: its callers fail with DownloadFailed (reason cancelled), its partial file and state are deleted.
    /// Completes when the files are gone.</summary>
    public async Task CancelAsync(string id)
    {
        DownloadJob job;
        Task run;
        lock (_lock)
        {
            job = Find(id);
            if (job.State is DownloadState.Done) return;
            job.Stop = StopReason.Cancel;
            job.RunCts?.Cancel();
            run = job.RunTask;
        }
        try { await run.ConfigureAwait(false); } catch { /* the run reports its own outcome */ }
        lock (_lock)
        {
            if (job.State is DownloadState.Done) return;
            job.State = DownloadState.Failed;
            job.Error = Cancelled();
            if (_jobs.TryGetValue(job.FileName, out var current) && ReferenceEquals(current, job)) _jobs.Remove(job.FileName);
            job.Completion.TrySetException(Cancelled());
        }
        job.ResetHash();
        TryDelete(PartialPath(job.FileName));
        _state?.Delete(job.Id);
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> runs;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var j in _jobs.Values)
            {
                if (j.State is DownloadState.Queued or DownloadState.Running)
                {
                    j.Stop = StopReason.Shutdown;
                    j.RunCts?.Cancel();
                }
            }
            runs = _jobs.Values.Select(j => j.RunTask).ToList();
        }
        try { await Task.WhenAll(runs).ConfigureAwait(false); } catch { /* reported per job */ }
        foreach (var j in _jobs.Values) j.ResetHash();
        _http.Dispose();
    }

    private DownloadJob Find(string id) =>
        _jobs.Values.FirstOrDefault(j => j.Id == id)
        ?? throw new EditorAssistException(ErrorCode.ModelNotFound, $"There is no download with id '{id}'.")
        { Details = new Dictionary<string, object?> { ["downloadId"] = id } };

    private static EditorAssistException Cancelled() =>
        new(ErrorCode.DownloadFailed, "The download was cancelled.") { Details = new Dictionary<string, object?> { ["cancelled"] = true } };

    private string PartialPath(string fileName) => Path.Combine(_options.ModelsDirectory, fileName + PartialSuffix);

    private DownloadResult Existing(string fileName, string path)
    {
        var size = new FileInfo(path).Length;
        var sha = _models?.GetSha256(fileName) ?? "";
        return new DownloadResult(fileName, path, sha, size);
    }

    private void LoadPersisted()
    {
        if (_state is null) return;
        foreach (var row in _state.LoadAll())
        {
            string name;
            try { name = DownloadUrlPolicy.SanitizeFileName(row.FileName); }
            catch (EditorAssistException) { _state.Delete(row.Id); continue; }
            if (!Uri.TryCreate(row.Url, UriKind.Absolute, out var url)) { _state.Delete(row.Id); continue; }
            var partial = PartialPath(name);
            if (File.Exists(Path.Combine(_options.ModelsDirectory, name)) && !File.Exists(partial))
            {
                // Finished, but the process died between the rename and forgetting the row.
                _state.Delete(row.Id);
                continue;
            }
            var job = new DownloadJob(row.Id, name, url)
            {
                CatalogId = row.CatalogId,
                ServerSha256 = row.ExpectedSha256,
                TotalBytes = row.ExpectedSizeBytes,
                ETag = row.ETag,
                // A job that was running when the process died resumes only when asked: the user may
                // have moved on, and a metered connection is theirs to spend.
                State = row.State == "failed" ? DownloadState.Failed : DownloadState.Paused,
                Error = row.State == "failed" && row.Error is { } e ? new EditorAssistException(ErrorCode.DownloadFailed, e) : null,
                Bytes = File.Exists(partial) ? new FileInfo(partial).Length : 0,
            };
            _jobs[name] = job;
        }
    }

    private void Persist(DownloadJob j, string? error = null) =>
        _state?.Upsert(new PersistedDownload(j.Id, j.FileName, j.Url.OriginalString, j.CatalogId, j.ExpectedSha256, j.TotalBytes, j.ETag,
            j.State.ToString().ToLowerInvariant(), error));

    private void StartLocked(DownloadJob job)
    {
        job.State = DownloadState.Queued;
        job.Error = null;
        job.Stop = StopReason.None;
        if (job.Completion.Task.IsCompleted) job.Completion = DownloadJob.NewCompletion();
        var cts = new CancellationTokenSource();
        job.RunCts = cts;
        var previous = job.RunTask;
        job.RunTask = Task.Run(async () =>
        {
            // Runs of one job never overlap: a resume right after a pause waits for the paused run to let go of the file.
            try { await previous.ConfigureAwait(false); } catch { }
            await RunAsync(job, cts).ConfigureAwait(false);
        });
    }

    private async Task RunAsync(DownloadJob job, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        var acquired = false;
        try
        {
            await _parallel.WaitAsync(ct).ConfigureAwait(false);
            acquired = true;
            lock (_lock)
            {
                ct.ThrowIfCancellationRequested();
                job.State = DownloadState.Running;
            }
            Persist(job);
            var result = await TransferAsync(job, ct).ConfigureAwait(false);
            lock (_lock)
            {
                job.State = DownloadState.Done;
                job.Completion.TrySetResult(result);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            StopReason stop;
            lock (_lock)
            {
                // A resume may already have started the next run: then this one's outcome is stale.
                if (!ReferenceEquals(job.RunCts, cts)) return;
                stop = job.Stop;
            }
            switch (stop)
            {
                case StopReason.Pause:
                    lock (_lock) job.State = DownloadState.Paused;
                    Persist(job);
                    _logger.LogInformation("Download {Id} ({File}) paused at {Bytes} bytes.", job.Id, job.FileName, job.Bytes);
                    break;
                case StopReason.Cancel:
                    break; // CancelAsync finishes the job once this run has let go of the file
                default:
                    // Shutdown: leave the row and the partial for the next start.
                    Persist(job);
                    lock (_lock) job.Completion.TrySetCanceled(ct);
                    break;
            }
        }
        catch (Exception ex)
        {
            var error = ex as EditorAssistException
                ?? new EditorAssistException(ErrorCode.DownloadFailed, $"The download of '{job.FileName}' failed: {ex.Message}", ex);
            _logger.LogWarning("Download {Id} ({File}) failed: {Message}", job.Id, job.FileName, error.Message);
            lock (_lock)
            {
                job.State = DownloadState.Failed;
                job.Error = error;
            }
            if (File.Exists(PartialPath(job.FileName))) Persist(job, error.Message);
            else _state?.Delete(job.Id);
            lock (_lock) job.Completion.TrySetException(error);
        }
        finally
        {
            if (acquired) _parallel.Release();
            // Pause/Cancel call Cancel() under the lock: clearing and disposing under it too means they never see a disposed source.
            lock (_lock)
            {
                if (ReferenceEquals(job.RunCts, cts)) job.RunCts = null;
                cts.Dispose();
            }
        }
    }

    private async Task<DownloadResult> TransferAsync(DownloadJob job, CancellationToken ct)
    {
        var attempt = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                return await AttemptAsync(job, ct).ConfigureAwait(false);
            }
            catch (TransientDownloadException ex)
            {
                attempt = ex.MadeProgress ? 1 : attempt + 1;
                if (attempt >= _options.MaxAttempts)
                    throw new EditorAssistException(ErrorCode.DownloadFailed,
                        $"The download of '{job.FileName}' failed after {attempt} attempts: {ex.Message}", ex)
                    { Details = new Dictionary<string, object?> { ["attempts"] = attempt, ["resumable"] = true } };
                var delay = ex.RetryAfter ?? RetryBackoff.Delay(attempt, _options.BaseRetryDelay, _options.MaxRetryDelay, _random());
                _logger.LogInformation("Download {Id} ({File}): {Message}; retrying in {Delay:0.0} s (attempt {Attempt}).",
                    job.Id, job.FileName, ex.Message, delay.TotalSeconds, attempt + 1);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<DownloadResult> AttemptAsync(DownloadJob job, CancellationToken ct)
    {
        var partial = PartialPath(job.FileName);
        var existing = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (existing > 0 && job.ETag is null && job.ExpectedSha256 is null)
        {
            // Nothing can prove the bytes on disk belong to the file the server will send now.
            TryDelete(partial);
            existing = 0;
        }
        if (existing == 0) job.ResetHash();
        Interlocked.Exchange(ref job.Bytes, existing);

        _disk.Check(job, existing);

        var (response, meta) = await _fetcher.SendAsync(job, existing, ct).ConfigureAwait(false);
        using (response)
        {
            if (meta.LinkedSha256 is { } linked && job.ServerSha256 is { } known && !string.Equals(linked, known, StringComparison.Ordinal) && existing > 0)
            {
                // The file changed upstream since we started: never splice two versions.
                _logger.LogWarning("Download {Id} ({File}): the file changed on the server; restarting from zero.", job.Id, job.FileName);
                RestartFromZero(job, partial);
                job.ServerSha256 = linked;
                throw new TransientDownloadException("the file changed on the server", madeProgress: false, TimeSpan.Zero);
            }

            var status = (int)response.StatusCode;
            var strongETag = response.Headers.ETag is { IsWeak: false } e ? e.Tag : null;
            long? total;
            switch (status)
            {
                case 206:
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != existing || (job.ETag is not null && strongETag is not null && strongETag != job.ETag))
                    {
                        RestartFromZero(job, partial);
                        throw new TransientDownloadException("the server answered a different range or version", madeProgress: false, TimeSpan.Zero);
                    }
                    total = range.Length;
                    break;
                case 200:
                    if (existing > 0)
                    {
                        // Range ignored (or If-Range failed): the body is the whole file. Start over, never append.
                        _logger.LogInformation("Download {Id} ({File}): the server sent the whole file instead of a range; restarting from zero.", job.Id, job.FileName);
                        RestartFromZero(job, partial);
                        existing = 0;
                    }
                    total = response.Content.Headers.ContentLength;
                    break;
                case 416:
                    var whole = response.Content.Headers.ContentRange?.Length ?? meta.LinkedSize ?? job.TotalBytes;
                    if (existing > 0 && whole == existing)
                    {
                        job.TotalBytes = whole;
                        return await FinishAsync(job, partial, ct).ConfigureAwait(false);
                    }
                    RestartFromZero(job, partial);
                    throw new TransientDownloadException("the server rejected the resume range", madeProgress: false, TimeSpan.Zero);
                case 408 or 425 or 429 or 500 or 502 or 503 or 504:
                    throw new TransientDownloadException($"the server answered {status}", madeProgress: false,
                        RetryBackoff.ReadRetryAfter(response.Headers, _time.GetUtcNow()) is { } asked
                            ? (asked > _options.MaxRetryDelay ? _options.MaxRetryDelay : asked) : null);
                case 401 or 403:
                    throw new EditorAssistException(ErrorCode.DownloadFailed,
                        $"The server refused access to '{job.FileName}' ({status}). Gated Hugging Face repos need an access token and accepted terms.")
                    { Details = new Dictionary<string, object?> { ["status"] = status } };
                default:
                    throw new EditorAssistException(ErrorCode.DownloadFailed, $"The server answered {status} for '{job.FileName}'.")
                    { Details = new Dictionary<string, object?> { ["status"] = status } };
            }

            job.TotalBytes = meta.LinkedSize ?? total ?? job.TotalBytes;
            if (strongETag is not null) job.ETag = strongETag;
            if (meta.LinkedSha256 is not null) job.ServerSha256 = meta.LinkedSha256;
            Persist(job);
            _disk.Check(job, existing);

            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await CopyBodyAsync(job, body, partial, existing, ct).ConfigureAwait(false);
        }

        var got = new FileInfo(partial).Length;
        if (job.TotalBytes is { } expected && got < expected)
            throw new TransientDownloadException($"the connection closed at {got} of {expected} bytes", madeProgress: true);
        if (job.TotalBytes is { } exp2 && got > exp2)
        {
            RestartFromZero(job, partial);
            throw new TransientDownloadException("the server sent more bytes than announced", madeProgress: false);
        }
        job.TotalBytes ??= got;
        return await FinishAsync(job, partial, ct).ConfigureAwait(false);
    }

    /// <summary>Buffers a verified download cycles through: the chunk being read and written, plus up to this many minus one waiting to be hashed.</summary>
    private const int HashQueueDepth = 4;

    private async Task CopyBodyAsync(DownloadJob job, Stream body, string partial, long existing, CancellationToken ct)
    {
        if (job.Hasher is null || (_options.VerifySha256 && job.HashedBytes != existing))
            await RehashAsync(job, partial, _options.VerifySha256 ? existing : 0, ct).ConfigureAwait(false);
        var hasher = job.Hasher!;

        using var watchdog = new CancellationTokenSource(_options.StallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, watchdog.Token);
        var meter = new TransferRateMeter(_time, TimeSpan.FromSeconds(5));
        long written = existing, sinceDiskCheck = 0, writebackFrom = existing;
        // Progress is sampled on a ticker (as ollama does), not per write: a stalled stream still
        // shows its last bytes, and a fast one does not flood the client. Interval zero (tests): every write.
        var inline = _options.ProgressInterval <= TimeSpan.Zero;
        long lastTicked = -1;
        void Tick()
        {
            lock (meter)
            {
                var now = Interlocked.Read(ref job.Bytes);
                var rate = meter.Sample(now);
                if (now == lastTicked) return;
                lastTicked = now;
                Report(job, "downloading", now, rate);
            }
        }
        async Task<int> ReadAsync(byte[] into)
        {
            watchdog.CancelAfter(_options.StallTimeout);
            try
            {
                return await body.ReadAsync(into.AsMemory(0, _options.BufferSize), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TransientDownloadException($"no data for {_options.StallTimeout.TotalSeconds:0} s (stalled)", written > existing);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new TransientDownloadException($"the connection dropped ({ex.Message})", written > existing, inner: ex);
            }
        }

        // This loop reads a chunk and writes it with a plain blocking write, on whichever pool thread
        // it runs: on Linux an "asynchronous" file write is that same write queued to another pool
        // thread, and each hop wakes a thread the socket and the hash need. SHA-256 runs behind the
        // loop (ChunkHasher), overlapping the next read and write.
        var hashing = _options.VerifySha256 ? new ChunkHasher(hasher, _options.BufferSize, HashQueueDepth) : null;
        var plain = hashing is null ? ArrayPool<byte>.Shared.Rent(_options.BufferSize) : null;
        using var ticker = inline ? null : _time.CreateTimer(static s => ((Action)s!)(), (Action)Tick, _options.ProgressInterval, _options.ProgressInterval);
        try
        {
            try
            {
                await using var file = _fs.OpenPartial(partial, append: existing > 0);
                while (true)
                {
                    var chunk = plain ?? await hashing!.RentAsync(ct).ConfigureAwait(false);
                    var n = await ReadAsync(chunk).ConfigureAwait(false);
                    if (n == 0) break;
                    if (written == 0 && !GgufHeader.StartsLikeGguf(chunk.AsSpan(0, Math.Min(n, 4))))
                    {
                        // Fail at the first bytes, not after a 10 GB HTML page: this is not a model.
                        var reason = GgufHeader.Check(chunk.AsSpan(0, Math.Min(n, GgufHeader.Length))) ?? "not a GGUF file";
                        await file.DisposeAsync().ConfigureAwait(false);
                        Discard(job, partial);
                        throw InvalidFile(job, reason);
                    }

                    // A full disk throws here (caught below): no retry, since writing again only fails again.
                    file.Write(chunk, 0, n);
                    written += n;
                    Interlocked.Exchange(ref job.Bytes, written);
                    hashing?.Post(chunk, n);

                    if (written - writebackFrom >= _options.WritebackIntervalBytes)
                    {
                        // On a disk, a fast download would otherwise leave gigabytes of dirty pages for the
                        // final fsync to write while the user watches 100 %: start their writeback now, while
                        // the network is still busy, so the fsync before the rename only waits for the tail.
                        _fs.StartWriteback(file, writebackFrom, written - writebackFrom);
                        writebackFrom = written;
                    }
                    sinceDiskCheck += n;
                    if (sinceDiskCheck >= _options.DiskCheckIntervalBytes)
                    {
                        sinceDiskCheck = 0;
                        var free = _fs.GetAvailableFreeSpace(_options.ModelsDirectory);
                        if (free < _options.DiskReserveBytes) throw _disk.Full(job, free, null);
                    }
                    if (inline) Tick();
                }
                if (hashing is not null) await hashing.CompleteAsync().ConfigureAwait(false);
                _fs.FlushToDisk(file);
                ticker?.Dispose();
                Tick();
            }
            finally
            {
                // Whatever ended the loop, the chunks already written get hashed before this attempt ends:
                // no hashing outlives it, and the hash then covers exactly the partial file, so a resume
                // (after a stall, a pause, a restart) appends without reading the partial again.
                if (hashing is not null)
                {
                    var complete = true;
                    try { await hashing.CompleteAsync().ConfigureAwait(false); }
                    catch { complete = false; }
                    await hashing.DisposeAsync().ConfigureAwait(false);
                    if (ReferenceEquals(job.Hasher, hasher))
                    {
                        if (complete) job.HashedBytes = written;
                        else job.ResetHash();
                    }
                }
                else if (ReferenceEquals(job.Hasher, hasher))
                {
                    job.HashedBytes = written;
                }
                if (plain is not null) ArrayPool<byte>.Shared.Return(plain);
            }
        }
        catch (IOException ex) when (PhysicalDownloadFileSystem.IsDiskFull(ex))
        {
            // The failed write may have left part of its chunk in the file: the hash no longer matches it.
            // The partial stays for a resume once space is freed.
            job.ResetHash();
            throw _disk.Full(job, _fs.GetAvailableFreeSpace(_options.ModelsDirectory), ex);
        }
    }

    private async Task RehashAsync(DownloadJob job, string partial, long length, CancellationToken ct)
    {
        job.ResetHash();
        var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (length > 0)
        {
            _logger.LogInformation("Download {Id} ({File}): hashing the {Bytes} bytes already on disk before resuming.", job.Id, job.FileName, length);
            var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
            try
            {
                await using var f = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
                long done = 0;
                var last = _time.GetTimestamp();
                while (done < length)
                {
                    var n = await f.ReadAsync(buffer.AsMemory(0, (int)Math.Min(_options.BufferSize, length - done)), ct).ConfigureAwait(false);
                    if (n == 0) break;
                    hasher.AppendData(buffer, 0, n);
                    done += n;
                    if (_time.GetElapsedTime(last) >= _options.ProgressInterval)
                    {
                        last = _time.GetTimestamp();
                        Report(job, "verifying", done, 0);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        job.Hasher = hasher;
        job.HashedBytes = length;
    }

    private async Task<DownloadResult> FinishAsync(DownloadJob job, string partial, CancellationToken ct)
    {
        var size = new FileInfo(partial).Length;
        Report(job, "verifying", size, 0);
        if (_options.VerifySha256 && (job.Hasher is null || job.HashedBytes != size)) await RehashAsync(job, partial, size, ct).ConfigureAwait(false);

        if (GgufHeader.CheckFile(partial) is { } reason)
        {
            Discard(job, partial);
            throw InvalidFile(job, reason);
        }
        var sha = _options.VerifySha256 ? Convert.ToHexStringLower(job.Hasher!.GetCurrentHash()) : "";
        if (_options.VerifySha256 && job.ExpectedSha256 is { } expected && !string.Equals(expected, sha, StringComparison.Ordinal))
        {
            Discard(job, partial);
            throw new EditorAssistException(ErrorCode.ChecksumMismatch,
                $"'{job.FileName}' did not match its published SHA-256; the file was discarded. Try again, or report the source if it keeps happening.")
            { Details = new Dictionary<string, object?> { ["expected"] = expected, ["actual"] = sha } };
        }
        ct.ThrowIfCancellationRequested();
        var finalPath = Path.Combine(_options.ModelsDirectory, job.FileName);
        // Same folder, same volume: the rename is atomic, so a reader sees no file or the whole verified one
        // (retried while Windows reports the old file held open; see PlatformFiles).
        await PlatformFiles.MoveReplacingAsync(partial, finalPath, (d, c) => Task.Delay(d, _time, c), ct).ConfigureAwait(false);
        job.ResetHash();
        _models?.Record(job.FileName, sha, size, job.Url.OriginalString, job.CatalogId);
        _state?.Delete(job.Id);
        _logger.LogInformation("Downloaded {File} ({Bytes} bytes, sha256 {Sha}).", job.FileName, size, sha);
        return new DownloadResult(job.FileName, finalPath, sha, size);
    }

    private static EditorAssistException InvalidFile(DownloadJob job, string reason) =>
        new(ErrorCode.InvalidModelFile, $"'{job.FileName}' is not a usable GGUF model: {reason}. The file was discarded.")
        { Details = new Dictionary<string, object?> { ["problem"] = reason } };

    private void RestartFromZero(DownloadJob job, string partial)
    {
        TryDelete(partial);
        job.ResetHash();
        job.ETag = null;
        Interlocked.Exchange(ref job.Bytes, 0);
    }

    private void Discard(DownloadJob job, string partial)
    {
        RestartFromZero(job, partial);
        _state?.Delete(job.Id);
    }

    private void Report(DownloadJob job, string phase, long bytes, double rate)
    {
        IProgress<DownloadProgress>[] sinks;
        lock (_lock) sinks = job.Sinks.ToArray();
        if (sinks.Length == 0) return;
        double? eta = job.TotalBytes is { } t && rate > 0 && phase == "downloading" ? Math.Max(0, (t - bytes) / rate) : null;
        var p = new DownloadProgress(phase, bytes, job.TotalBytes, Math.Round(rate), eta is { } e ? Math.Round(e, 1) : null);
        foreach (var s in sinks) s.Report(p);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    internal static string? NormalizeSha(string? sha)
    {
        if (string.IsNullOrWhiteSpace(sha)) return null;
        sha = sha.Trim().Trim('"').ToLowerInvariant();
        return sha.Length == 64 && sha.All(char.IsAsciiHexDigit) ? sha : null;
    }

    /// <summary>Bytes for people: "1.5 GiB".</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
