using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EditorAssist.Rpc.Dispatch;

namespace EditorAssist.Rpc;

/// <summary>Typed registration and calls over source-generated <see cref="JsonTypeInfo{T}"/> (no reflection).</summary>
public static class JsonRpcConnectionExtensions
{
    public static void AddRequestHandler<TParams, TResult>(
        this JsonRpcConnection connection, string method,
        JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo,
        Func<TParams, RpcRequest, CancellationToken, ValueTask<TResult>> handler)
    {
        connection.AddRequestHandler(method, async (request, ct) =>
        {
            var p = request.ReadParams(paramsInfo);
            var result = await handler(p, request, ct).ConfigureAwait(false);
            return RpcResult.From(result, resultInfo);
        });
    }

    public static void AddRequestHandler<TResult>(
        this JsonRpcConnection connection, string method, JsonTypeInfo<TResult> resultInfo,
        Func<RpcRequest, CancellationToken, ValueTask<TResult>> handler)
    {
        connection.AddRequestHandler(method, async (request, ct) =>
        {
            var result = await handler(request, ct).ConfigureAwait(false);
            return RpcResult.From(result, resultInfo);
        });
    }

    public static void AddNotificationHandler<TParams>(
        this JsonRpcConnection connection, string method, JsonTypeInfo<TParams> paramsInfo,
        Func<TParams, CancellationToken, ValueTask> handler)
    {
        connection.AddNotificationHandler(method, (n, ct) => handler(n.ReadParams(paramsInfo), ct));
    }

    public static void Notify<TParams>(this JsonRpcConnection connection, string method, TParams value, JsonTypeInfo<TParams> paramsInfo) =>
        connection.Notify(method, w => JsonSerializer.Serialize(w, value, paramsInfo));

    public static async Task<TResult> SendRequestAsync<TParams, TResult>(
        this JsonRpcConnection connection, string method, TParams value,
        JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo, CancellationToken cancellationToken = default)
    {
        var result = await connection.SendRequestAsync(method, w => JsonSerializer.Serialize(w, value, paramsInfo), cancellationToken).ConfigureAwait(false);
        return result.Deserialize(resultInfo)!;
    }
}
