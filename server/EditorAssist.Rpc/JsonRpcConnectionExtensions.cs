using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EditorAssist.Rpc.Dispatch;

namespace EditorAssist.Rpc;

/// <summary>Typed registration and calls over source-generated <see cref="JsonTypeInfo{T}"/> (no reflection).</summary>
public static class JsonRpcConnectionExtensions
{
    // Registration takes the type metadata lazily (a Func): building a source-generated JsonTypeInfo
    // costs ~0.5-1 ms each, and ~60 of them at start-up were a fifth of the time to `initialize`.
    // Each is built on its method's first call, once.

    public static void AddRequestHandler<TParams, TResult>(
        this JsonRpcConnection connection, string method,
        Func<JsonTypeInfo<TParams>> paramsInfo, Func<JsonTypeInfo<TResult>> resultInfo,
        Func<TParams, RpcRequest, CancellationToken, ValueTask<TResult>> handler)
    {
        var paramsType = new Lazy<JsonTypeInfo<TParams>>(paramsInfo);
        var resultType = new Lazy<JsonTypeInfo<TResult>>(resultInfo);
        connection.AddRequestHandler(method, async (request, ct) =>
        {
            var p = request.ReadParams(paramsType.Value);
            var result = await handler(p, request, ct).ConfigureAwait(false);
            return RpcResult.From(result, resultType.Value);
        });
    }

    public static void AddRequestHandler<TParams, TResult>(
        this JsonRpcConnection connection, string method,
        JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo,
        Func<TParams, RpcRequest, CancellationToken, ValueTask<TResult>> handler) =>
        connection.AddRequestHandler(method, () => paramsInfo, () => resultInfo, handler);

    public static void AddRequestHandler<TResult>(
        this JsonRpcConnection connection, string method, Func<JsonTypeInfo<TResult>> resultInfo,
        Func<RpcRequest, CancellationToken, ValueTask<TResult>> handler)
    {
        var resultType = new Lazy<JsonTypeInfo<TResult>>(resultInfo);
        connection.AddRequestHandler(method, async (request, ct) =>
        {
            var result = await handler(request, ct).ConfigureAwait(false);
            return RpcResult.From(result, resultType.Value);
        });
    }

    public static void AddRequestHandler<TResult>(
        this JsonRpcConnection connection, string method, JsonTypeInfo<TResult> resultInfo,
        Func<RpcRequest, CancellationToken, ValueTask<TResult>> handler) =>
        connection.AddRequestHandler(method, () => resultInfo, handler);

    public static void AddNotificationHandler<TParams>(
        this JsonRpcConnection connection, string method, Func<JsonTypeInfo<TParams>> paramsInfo,
        Func<TParams, CancellationToken, ValueTask> handler)
    {
        var paramsType = new Lazy<JsonTypeInfo<TParams>>(paramsInfo);
        connection.AddNotificationHandler(method, (n, ct) => handler(n.ReadParams(paramsType.Value), ct));
    }

    public static void AddNotificationHandler<TParams>(
        this JsonRpcConnection connection, string method, JsonTypeInfo<TParams> paramsInfo,
        Func<TParams, CancellationToken, ValueTask> handler) =>
        connection.AddNotificationHandler(method, () => paramsInfo, handler);

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
