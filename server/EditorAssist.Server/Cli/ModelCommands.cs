using System.Globalization;
using System.Runtime.InteropServices;
using EditorAssist.Core.Catalog;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.SystemInfo;
using EditorAssist.Server.Handlers;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Cli;

/// <summary>
/// <c>pull</c>, <c>models</c>, <c>catalog</c>, <c>rm</c>: the download manager for terminal users. Results go
/// to stdout (one line per item, script-friendly); the progress bar and logs go to stderr. Ctrl+C
/// during pull stops the download and keeps the partial file: running pull again resumes it.
/// Exit codes: 0 ok, 1 failure (the PROTOCOL error code is printed), 130 interrupted.
/// </summary>
internal static class ModelCommands
{
    public static async Task<int> RunAsync(SidecarOptions options)
    {
        using var loggers = LoggerFactory.Create(b => SidecarLogging.Configure(b, options.LogLevel < LogLevel.Warning ? LogLevel.Warning : options.LogLevel));
        try
        {
            if (options.Verb == "catalog") return Catalog();
            var dir = options.StorageDir ?? LifecycleModule.DefaultStorageDir();
            using var store = SqliteStore.Open(dir, loggers.CreateLogger("EditorAssist.Storage"));
            await using var services = LocalModelServices.Create(store, NoLoadedModels.Instance, TimeProvider.System, loggers,
                verifySha256: !options.NoVerify);
            return options.Verb switch
            {
                "pull" => await PullAsync(services, options.Arguments[0]).ConfigureAwait(false),
                "models" => List(services),
                "rm" => Remove(services, options.Arguments[0]),
                _ => 2,
            };
        }
        catch (EditorAssistException ex)
        {
            Console.Error.WriteLine($"\nerror {(int)ex.Code} ({ex.Code}): {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> PullAsync(LocalModelServices services, string source)
    {
        var p = source switch
        {
            // A URL first: no catalog id contains "://", and a URL pull then never parses the catalog.
            _ when source.Contains("://", StringComparison.Ordinal) => new DownloadParams { Url = source },
            _ when services.Catalog.Find(source) is not null => new DownloadParams { CatalogId = source },
            // org/repo/path/to/file.gguf on the Hugging Face endpoint
            _ when source.Count(c => c == '/') >= 2 => new DownloadParams
            {
                Repo = string.Join('/', source.Split('/')[..2]),
                File = string.Join('/', source.Split('/')[2..]),
            },
            _ => throw new EditorAssistException(ErrorCode.ModelNotFound,
                $"'{source}' is neither a catalog id (see 'catalog'), a URL, nor org/repo/file.gguf."),
        };
        services.Credentials.SetToken(Environment.GetEnvironmentVariable("HF_TOKEN"));
        var request = services.ResolveRequest(p);
        Console.Error.WriteLine($"Downloading {request.Url.GetLeftPart(UriPartial.Path)} → {Path.Combine(services.Downloads.ModelsDirectory, request.FileName)}");

        using var interrupted = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; interrupted.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; interrupted.Cancel(); });
        var bar = new ProgressBar(Console.Error);
        var download = services.Downloads.DownloadAsync(request, bar, CancellationToken.None);
        var first = await Task.WhenAny(download, Task.Delay(Timeout.Infinite, interrupted.Token)).ConfigureAwait(false);
        if (first != download)
        {
            // Shut the manager down instead of cancelling the request: that keeps the partial for a resume.
            await services.Downloads.DisposeAsync().ConfigureAwait(false);
            bar.Finish();
            Console.Error.WriteLine("Interrupted. Run the same pull again to resume.");
            return 130;
        }
        DownloadResult result;
        try
        {
            result = await download.ConfigureAwait(false);
        }
        finally
        {
            bar.Finish();
        }
        Console.WriteLine($"{LocalModelStore.RefFor(result.FileName)}\t{result.Path}\t{result.SizeBytes}\tsha256:{result.Sha256}");
        return 0;
    }

    private static int List(LocalModelServices services)
    {
        var s = services.Models.Summary();
        foreach (var m in s.Models)
            Console.WriteLine($"{m.Ref}\t{DownloadManager.Format(m.SizeBytes)}\t{m.LastUsed?.ToString("u", CultureInfo.InvariantCulture) ?? "never used"}\t{m.Path}");
        Console.Error.WriteLine($"{s.Models.Count} model(s), {DownloadManager.Format(s.UsedBytes)} in {s.ModelsDir}; {DownloadManager.Format(s.DiskFreeBytes)} free"
            + (s.QuotaBytes is { } q ? $"; quota {DownloadManager.Format(q)}" : ""));
        foreach (var d in services.Downloads.List().Where(d => d.State != DownloadState.Done))
            Console.Error.WriteLine($"unfinished: {d.FileName} {d.State.ToString().ToLowerInvariant()} {DownloadManager.Format(d.Bytes)}"
                + (d.TotalBytes is { } t ? $" of {DownloadManager.Format(t)}" : "") + " (pull again to resume)");
        return 0;
    }

    private static int Remove(LocalModelServices services, string modelRef)
    {
        if (!modelRef.StartsWith(LocalModelStore.RefPrefix, StringComparison.Ordinal)) modelRef = LocalModelStore.RefPrefix + modelRef;
        var freed = services.Models.Delete(modelRef);
        Console.WriteLine($"removed {modelRef} ({DownloadManager.Format(freed)})");
        return 0;
    }

    private static int Catalog()
    {
        var machine = new SystemInfoProvider(new NoAccelerators()).Read();
        foreach (var e in ModelCatalog.LoadEmbedded().Entries)
        {
            var fit = HardwareFit.Evaluate(e, machine.Gpus.Select(g => g.VramFreeBytes), machine.RamFreeBytes);
            Console.WriteLine($"{e.Id}\t{e.Quant}\t{(e.SizeApproximate ? "~" : "")}{DownloadManager.Format(e.SizeBytes)}\t{string.Join(',', e.Roles)}\t{fit.Verdict}"
                + (fit.Verdict == FitVerdict.PartialGpu ? $" ({fit.GpuLayers} layers)" : "") + $"\t{e.License}");
        }
        return 0;
    }

    /// <summary>A one-line bar redrawn at most ~8 times a second; plain lines when stderr is not a terminal.</summary>
    private sealed class ProgressBar(TextWriter writer) : IProgress<DownloadProgress>
    {
        private readonly Lock _lock = new();
        private readonly bool _tty = !Console.IsErrorRedirected;
        private long _lastDraw;
        private int _lastPercent = -1;

        public void Report(DownloadProgress p)
        {
            lock (_lock)
            {
                var now = Environment.TickCount64;
                var percent = p.TotalBytes is > 0 and var t ? (int)(p.Bytes * 100 / t) : -1;
                if (_tty ? now - _lastDraw < 120 : percent / 10 == _lastPercent / 10) return;
                _lastDraw = now;
                _lastPercent = percent;
                const int width = 30;
                var filled = percent < 0 ? 0 : percent * width / 100;
                var line = $"{p.Phase,-11} [{new string('#', filled)}{new string('.', width - filled)}] {(percent < 0 ? "" : percent + "% ")}"
                    + $"{DownloadManager.Format(p.Bytes)}{(p.TotalBytes is { } total ? " / " + DownloadManager.Format(total) : "")}"
                    + $"  {DownloadManager.Format((long)p.BytesPerSecond)}/s" + (p.EtaSeconds is { } eta ? $"  ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}" : "");
                writer.Write(_tty ? "\r" + line.PadRight(100) : line + Environment.NewLine);
            }
        }

        public void Finish()
        {
            lock (_lock) if (_tty) writer.WriteLine();
        }
    }
}
