using System.Text.Json.Serialization.Metadata;

namespace EditorAssist.Rpc;

public sealed class JsonRpcOptions
{
    /// <summary>Largest message body accepted, checked on the header before the body is buffered.</summary>
    public int MaxMessageBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Minimum spacing of <c>$/progress</c> reports for one token (begin/end are never delayed).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When true, requests other than <c>initialize</c> are refused with -32002 until it succeeds.</summary>
    public bool RequireInitialize { get; init; } = true;

    /// <summary>
    /// Maps a handler's exception to a wire error (domain exception → stable code). Return null to
    /// let it become -32603. This is the one place errors are translated, at the edge.
    /// </summary>
    public Func<Exception, RpcException?>? ExceptionMapper { get; init; }

    /// <summary>How long closing waits for running handlers to answer before giving up on them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The protocol's source-generated JSON contexts, handed to StreamJsonRpc's SystemTextJsonFormatter so the
    /// types it serializes resolve without reflection.
    /// </summary>
    public IJsonTypeInfoResolver? TypeInfoResolver { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
