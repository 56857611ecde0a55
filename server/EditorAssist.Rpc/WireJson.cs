using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EditorAssist.Rpc.Dispatch;

namespace EditorAssist.Rpc;

/// <summary>The serializer options StreamJsonRpc's <c>SystemTextJsonFormatter</c> runs with.</summary>
internal static class WireJson
{
    public static JsonSerializerOptions CreateOptions(IJsonTypeInfoResolver? protocol)
    {
        var options = new JsonSerializerOptions
        {
            // Our protocol types from their source-generated contexts first; reflection only for the few
            // types of StreamJsonRpc's own that it may serialize (never on the paths our handlers use).
            TypeInfoResolver = protocol is null
                ? new DefaultJsonTypeInfoResolver()
                : JsonTypeInfoResolver.Combine(protocol, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new SelfWritingConverterFactory());
        return options;
    }

    private static readonly JsonWriterOptions RelaxedWriter = new()
    {
        // Relaxed escaping is safe here: the payload goes to a JSON parser, never into HTML. The formatter's
        // own writer would escape every non-ASCII character (\uXXXX: twice the bytes of UTF-8 for most
        // scripts), so our values are written with this writer and copied in raw.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static void WriteRelaxed(Utf8JsonWriter target, RpcResult value)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, RelaxedWriter);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            value.WriteTo(writer);
            writer.Flush();
            target.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        }
        finally
        {
            // Do not keep a large answer's buffer alive on this thread.
            if (buffer.Capacity > 1024 * 1024) { t_buffer = null; t_writer = null; }
        }
    }

    /// <summary>Results, params and error data built by our handlers write themselves (RpcResult).</summary>
    private sealed class SelfWritingConverterFactory : JsonConverterFactory
    {
        private static readonly SelfWritingConverter Instance = new();

        public override bool CanConvert(Type typeToConvert) => typeof(RpcResult).IsAssignableFrom(typeToConvert);

        public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            typeToConvert == typeof(RpcResult) ? Instance : (JsonConverter?)Activator.CreateInstance(typeof(Derived<>).MakeGenericType(typeToConvert));

        private sealed class SelfWritingConverter : JsonConverter<RpcResult>
        {
            public override RpcResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();
            public override void Write(Utf8JsonWriter writer, RpcResult value, JsonSerializerOptions options) => WriteRelaxed(writer, value);
        }

        private sealed class Derived<T> : JsonConverter<T> where T : RpcResult
        {
            public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();
            public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => WriteRelaxed(writer, value);
        }
    }
}
