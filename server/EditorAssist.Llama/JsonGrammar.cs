using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EditorAssist.Llama;

/// <summary>
/// GBNF grammars for structured output. A grammar sampler masks every token that would make
/// the output leave the language, so a generation that ends (end-of-generation or a completed
/// grammar) always parses. MaxTokens can still cut it short: then the finish reason is Length.
/// </summary>
public static class JsonGrammar
{
    // Whitespace is bounded (one space, or a newline plus a little indentation) so a grammar
    // cannot be satisfied forever by emitting blanks.
    private const string Common = """
value  ::= object | array | string | number | ("true" | "false" | "null") ws
object ::= "{" ws ( string ":" ws value ( "," ws string ":" ws value )* )? "}" ws
array  ::= "[" ws ( value ( "," ws value )* )? "]" ws
string ::= "\"" char* "\"" ws
char   ::= [^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] [0-9a-fA-F] )
number ::= integer ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )? ws
integer ::= "-"? ( "0" | [1-9] [0-9]* )
ws     ::= ( " " | "\n" [ \t]* )?
""";

    /// <summary>Any JSON object at the top level (what "JSON mode" means in chat APIs).</summary>
    public static string AnyObject { get; } = "root ::= object\n" + Common;

    /// <summary>
    /// Converts a simple JSON Schema to GBNF: type object (every listed property is emitted, in
    /// declared order — "required" is not consulted), array (items), string, number, integer,
    /// boolean, null, enum and const of any JSON value, anyOf/oneOf, and type arrays.
    /// Anything else ($ref, patterns, formats) throws <see cref="NotSupportedException"/>.
    /// </summary>
    /// <param name="compact">No whitespace between tokens: the shortest output, for machine-read JSON
    /// such as local tool calls, where a small model would otherwise spend its token budget on blanks.</param>
    public static string FromJsonSchema(string schemaJson, bool compact = false)
    {
        using var doc = JsonDocument.Parse(schemaJson);
        var b = new Builder();
        string root = b.Visit(doc.RootElement, "root");
        var sb = new StringBuilder();
        if (root != "root")
        {
            sb.Append("root ::= ").Append(root).Append('\n');
        }
        foreach (var (name, body) in b.Rules)
        {
            sb.Append(name).Append(" ::= ").Append(body).Append('\n');
        }
        sb.Append(compact ? Common.Replace(WhitespaceRule, "ws     ::= \"\"", StringComparison.Ordinal) : Common);
        return sb.ToString();
    }

    private const string WhitespaceRule = "ws     ::= ( \" \" | \"\\n\" [ \\t]* )?";

    private sealed class Builder
    {
        public List<(string Name, string Body)> Rules { get; } = [];
        private int _n;

        public string Visit(JsonElement s, string name)
        {
            if (s.ValueKind == JsonValueKind.True || (s.ValueKind == JsonValueKind.Object && !s.EnumerateObject().Any()))
            {
                return "value";
            }
            if (s.ValueKind != JsonValueKind.Object)
            {
                throw new NotSupportedException("A JSON schema must be an object.");
            }
            if (s.TryGetProperty("$ref", out _))
            {
                throw new NotSupportedException("$ref is not supported in JSON schemas for local models.");
            }
            if (s.TryGetProperty("const", out var c))
            {
                return Add(name, Literal(c) + " ws");
            }
            if (s.TryGetProperty("enum", out var e))
            {
                return Add(name, "(" + string.Join(" | ", e.EnumerateArray().Select(Literal)) + ") ws");
            }
            foreach (string alt in new[] { "anyOf", "oneOf" })
            {
                if (s.TryGetProperty(alt, out var alts))
                {
                    var parts = alts.EnumerateArray().Select(a => Visit(a, Fresh(name))).ToList();
                    return Add(name, "(" + string.Join(" | ", parts) + ")");
                }
            }
            if (!s.TryGetProperty("type", out var type))
            {
                return s.TryGetProperty("properties", out _) ? VisitObject(s, name) : "value";
            }
            if (type.ValueKind == JsonValueKind.Array)
            {
                var parts = type.EnumerateArray().Select(t => VisitType(s, t.GetString()!, Fresh(name))).ToList();
                return Add(name, "(" + string.Join(" | ", parts) + ")");
            }
            return VisitType(s, type.GetString()!, name);
        }

        private string VisitType(JsonElement s, string type, string name) => type switch
        {
            "object" => VisitObject(s, name),
            "array" => VisitArray(s, name),
            "string" => Add(name, "string"),
            "number" => Add(name, "number"),
            "integer" => Add(name, "integer ws"),
            "boolean" => Add(name, "(\"true\" | \"false\") ws"),
            "null" => Add(name, "\"null\" ws"),
            _ => throw new NotSupportedException($"JSON schema type '{type}' is not supported."),
        };

        private string VisitObject(JsonElement s, string name)
        {
            if (!s.TryGetProperty("properties", out var props) || !props.EnumerateObject().Any())
            {
                return Add(name, "object");
            }
            var parts = new List<string>();
            foreach (var p in props.EnumerateObject())
            {
                string valueRule = Visit(p.Value, Fresh(name + "-" + Sanitize(p.Name)));
                parts.Add(Literal(JsonSerializer.SerializeToElement(p.Name)) + " \":\" ws " + valueRule);
            }
            return Add(name, "\"{\" ws " + string.Join(" \",\" ws ", parts) + " \"}\" ws");
        }

        private string VisitArray(JsonElement s, string name)
        {
            string item = s.TryGetProperty("items", out var items) ? Visit(items, Fresh(name + "-item")) : "value";
            return Add(name, "\"[\" ws ( " + item + " ( \",\" ws " + item + " )* )? \"]\" ws");
        }

        private string Add(string name, string body)
        {
            Rules.Add((name, body));
            return name;
        }

        private string Fresh(string stem) => $"{stem}-{++_n}";

        private static string Sanitize(string s)
        {
            var sb = new StringBuilder();
            foreach (char ch in s)
            {
                sb.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '-');
            }
            return sb.Length == 0 ? "p" : sb.ToString();
        }

        /// <summary>A GBNF literal matching exactly the compact JSON text of <paramref name="v"/>.</summary>
        private static string Literal(JsonElement v)
        {
            string json = v.GetRawText();
            if (v.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                json = JsonSerializer.Serialize(v); // compact form
            }
            var sb = new StringBuilder("\"");
            foreach (char ch in json)
            {
                switch (ch)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (ch < 0x20)
                        {
                            sb.Append("\\x").Append(((int)ch).ToString("X2", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(ch);
                        }
                        break;
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
