using System.Text.Json;
using EditorAssist.Core.Catalog;
using EditorAssist.Downloads;
using EditorAssist.Storage;
using EditorAssist.Core.Errors;
using EditorAssist.Core.SystemInfo;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// <c>models/catalog</c> (with hardware fit), <c>models/download</c> (work-done progress), <c>models/downloads</c>,
/// pause/resume/cancel, <c>models/delete</c> and the Hugging Face token.
/// </summary>
internal sealed class ModelsModule(SessionScope scope, SystemInfoProvider systemInfo) : IRpcModule
{
    public IEnumerable<string> Methods =>
    [
        Protocol.Methods.ModelsCatalog, Protocol.Methods.ModelsDownload, Protocol.Methods.ModelsDownloads,
        Protocol.Methods.ModelsPauseDownload, Protocol.Methods.ModelsResumeDownload, Protocol.Methods.ModelsCancelDownload,
        Protocol.Methods.ModelsDelete, Protocol.Methods.ModelsSetHuggingFaceToken,
    ];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = ProtocolJson.Default;

        connection.AddRequestHandler(Protocol.Methods.ModelsCatalog, () => json.CatalogModelArray, (_, _) =>
        {
            var s = scope.Get<LocalModelServices>();
            var machine = systemInfo.Read();
            var local = s.Models.List().Select(m => m.FileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var list = s.Catalog.Entries.Select(e =>
            {
                var fit = HardwareFit.Evaluate(e, machine.Gpus.Select(g => g.VramFreeBytes), machine.RamFreeBytes);
                return new CatalogModel(e.Id, LocalModelStore.RefFor(e.LocalFileName), e.DisplayName, e.Repo, e.File, e.Revision, e.SizeBytes, e.SizeApproximate,
                    e.Quant, e.Parameters, e.ContextLength, e.DefaultContext, e.Roles, e.License,
                    new CatalogFit(JsonNamingPolicy.CamelCase.ConvertName(fit.Verdict.ToString()), fit.GpuLayers, fit.EstimatedBytes),
                    local.Contains(e.LocalFileName));
            }).ToArray();
            return ValueTask.FromResult(list);
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsDownload, () => json.DownloadParams, () => json.DownloadResultDto, async (p, request, ct) =>
        {
            var s = scope.Get<LocalModelServices>();
            var download = s.ResolveRequest(p);
            using var progress = request.CreateProgress();
            progress.Begin($"Downloading {download.FileName}", w => w.WriteString("ref", LocalModelStore.RefFor(download.FileName)));
            var sink = new ProgressSink(progress);
            // A closing connection (restart, crash of the client, exit) is no cancel: the job stays for the next session.
            DownloadResult result;
            try
            {
                result = await s.Downloads.DownloadAsync(download, sink, ct, connection.Closing).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.Closing.IsCancellationRequested)
            {
                throw new EditorAssistException(ErrorCode.DownloadFailed,
                    $"The sidecar is stopping; the download of '{download.FileName}' keeps its partial file and can continue at the next start.")
                { Details = new Dictionary<string, object?> { ["interrupted"] = true } };
            }
            progress.End(w => { w.WriteString("message", "done"); w.WriteNumber("bytes", result.SizeBytes); });
            NotifyChanged(connection, "downloaded", LocalModelStore.RefFor(result.FileName));
            return new DownloadResultDto(LocalModelStore.RefFor(result.FileName), result.Path, result.Sha256, result.SizeBytes);
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsDownloads, () => json.DownloadInfoArray, (_, _) =>
            ValueTask.FromResult(scope.Get<LocalModelServices>().Downloads.List().Select(d => new DownloadInfo(
                d.Id, LocalModelStore.RefFor(d.FileName), d.FileName, JsonNamingPolicy.CamelCase.ConvertName(d.State.ToString()),
                d.Bytes, d.TotalBytes, d.CatalogId, d.Error, d.ErrorCode is { } c ? (int)c : null) { Url = d.Url }).ToArray()));

        connection.AddRequestHandler(Protocol.Methods.ModelsPauseDownload, () => json.DownloadIdParams, () => json.EmptyResult, async (p, _, _) =>
        {
            await scope.Get<LocalModelServices>().Downloads.PauseAsync(p.Id).ConfigureAwait(false);
            return new EmptyResult();
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsResumeDownload, () => json.DownloadIdParams, () => json.EmptyResult, (p, _, _) =>
        {
            scope.Get<LocalModelServices>().Downloads.Resume(p.Id);
            return ValueTask.FromResult(new EmptyResult());
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsCancelDownload, () => json.DownloadIdParams, () => json.EmptyResult, async (p, _, _) =>
        {
            await scope.Get<LocalModelServices>().Downloads.CancelAsync(p.Id).ConfigureAwait(false);
            return new EmptyResult();
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsDelete, () => json.ModelRefParams, () => json.DeleteResult, (p, _, _) =>
        {
            var freed = scope.Get<LocalModelServices>().Models.Delete(p.Ref);
            NotifyChanged(connection, "deleted", p.Ref);
            return ValueTask.FromResult(new DeleteResult(freed));
        });

        connection.AddRequestHandler(Protocol.Methods.ModelsSetHuggingFaceToken, () => json.HuggingFaceTokenParams, () => json.EmptyResult, (p, _, _) =>
        {
            scope.Get<LocalModelServices>().Credentials.SetToken(p.Token);
            return ValueTask.FromResult(new EmptyResult());
        });
    }

    /// <summary><c>models/didChange {reason, ref}</c>: lets pickers refresh without polling.</summary>
    internal static void NotifyChanged(JsonRpcConnection connection, string reason, string modelRef) =>
        connection.Notify(Protocol.Methods.ModelsDidChange, w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            w.WriteString("ref", modelRef);
            w.WriteEndObject();
        });

    /// <summary>Forwards job progress to <c>$/progress</c>; WorkDoneProgress throttles and keeps order.</summary>
    private sealed class ProgressSink(Rpc.Dispatch.WorkDoneProgress progress) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress p) => progress.Report(w =>
        {
            w.WriteString("phase", p.Phase);
            w.WriteNumber("bytes", p.Bytes);
            if (p.TotalBytes is { } t) { w.WriteNumber("totalBytes", t); w.WriteNumber("percentage", t > 0 ? (int)(p.Bytes * 100 / t) : 0); }
            else w.WriteNull("totalBytes");
            w.WriteNumber("bytesPerSecond", p.BytesPerSecond);
            if (p.EtaSeconds is { } eta) w.WriteNumber("etaSeconds", eta);
            else w.WriteNull("etaSeconds");
        });
    }
}
