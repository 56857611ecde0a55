using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EditorAssist.Rpc.Dispatch;

/// <summary>A handler's successful answer; knows how to write itself as the <c>result</c> member.</summary>
public abstract class RpcResult
{
    public abstract void WriteTo(Utf8JsonWriter writer);

    /// <summary>A JSON <c>null</c> result (e.g. <c>shutdown</c>).</summary>
    public static readonly RpcResult Null = new WriterResult(static w => w.WriteNullValue());

    /// <summary>An empty object result <c>{}</c>.</summary>
    public static readonly RpcResult EmptyObject = new WriterResult(static w => { w.WriteStartObject(); w.WriteEndObject(); });

    public static RpcResult From<T>(T value, JsonTypeInfo<T> typeInfo) => new TypedResult<T>(value, typeInfo);

    public static RpcResult FromWriter(Action<Utf8JsonWriter> write) => new WriterResult(write);

    private sealed class TypedResult<T>(T value, JsonTypeInfo<T> typeInfo) : RpcResult
    {
        public override void WriteTo(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, value, typeInfo);
    }

    private sealed class WriterResult(Action<Utf8JsonWriter> write) : RpcResult
    {
        public override void WriteTo(Utf8JsonWriter writer) => write(writer);
    }
}
