using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Rpc;

namespace EditorAssist.Server.Hosting;

/// <summary>The one place domain exceptions become wire errors (PROTOCOL.md codes).</summary>
internal static class ErrorMapping
{
    public static RpcException? Map(Exception ex) => ex switch
    {
        EditorAssistException e => new RpcException((int)e.Code, Core.Providers.Redactor.Redact(e.Message), WriteData(e.Code, e.Details)),
        _ => null,
    };

    private static Action<Utf8JsonWriter> WriteData(ErrorCode code, IReadOnlyDictionary<string, object?>? details) => w =>
    {
        w.WriteStartObject();
        w.WriteString("reason", code.ToString());
        if (details is not null)
        {
            foreach (var (key, value) in details)
            {
                w.WritePropertyName(key);
                switch (value)
                {
                    case null: w.WriteNullValue(); break;
                    case string s: w.WriteStringValue(Core.Providers.Redactor.Redact(s)); break;
                    case bool b: w.WriteBooleanValue(b); break;
                    case int i: w.WriteNumberValue(i); break;
                    case long l: w.WriteNumberValue(l); break;
                    case double d: w.WriteNumberValue(d); break;
                    default: w.WriteStringValue(value.ToString()); break;
                }
            }
        }
        w.WriteEndObject();
    };
}
