using EditorAssist.Core.Completion;
using EditorAssist.Core.Metrics;
using EditorAssist.Rpc;
using EditorAssist.Server.Completion;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Local;
using EditorAssist.Server.Protocol;

namespace EditorAssist.Server.Handlers;

/// <summary><c>completion/inline</c>; each request's outcome is counted for <c>metrics/get</c> under the model it asked.</summary>
internal sealed class CompletionModule(SessionScope scope, MetricsRecorder? metrics = null) : IRpcModule
{
    public IEnumerable<string> Methods => [Protocol.Methods.CompletionInline];

    public void Register(JsonRpcConnection connection, SidecarSession session) =>
        connection.AddRequestHandler(Protocol.Methods.CompletionInline, () => ProtocolJson.Default.InlineCompletionParams, () => ProtocolJson.Default.InlineCompletionResult,
            async (p, r, ct) =>
            {
                var inline = scope.Get<InlineCompletion>();
                var modelRef = inline.ModelRefFor(p);
                try
                {
                    var result = await inline.CompleteAsync(p, r.Sequence, ct).ConfigureAwait(false);
                    metrics?.RecordCompletion(result.Model, result.Timings.FromCache ? CompletionOutcome.CacheHit : CompletionOutcome.Answered, result.Timings.TotalMs);
                    return result;
                }
                catch (SupersededException superseded)
                {
                    // The client has moved on to a newer position: answered as a cancellation.
                    if (modelRef is not null) metrics?.RecordCompletion(modelRef, CompletionOutcome.Cancelled);
                    throw new RpcException(ErrorCodes.RequestCancelled, superseded.Message);
                }
                catch (OperationCanceledException)
                {
                    // Superseded by a newer keystroke, or Stop: not an error.
                    if (modelRef is not null) metrics?.RecordCompletion(modelRef, CompletionOutcome.Cancelled);
                    throw;
                }
                catch (Exception) when (modelRef is not null && Failed(modelRef))
                {
                    throw; // never reached: Failed counts the error and lets the exception go on
                }
            });

    private bool Failed(string modelRef)
    {
        metrics?.RecordCompletion(modelRef, CompletionOutcome.Failed);
        return false;
    }
}
