using EditorAssist.Llama.Native;

namespace EditorAssist.Llama.Tests;

[Collection("cpu-model")]
public sealed class JsonGrammarTests(CpuModelFixture fixture)
{
    // llama_sampler_init_grammar returns NULL when a grammar does not parse: the real parser is the judge.
    private void AssertParses(string gbnf)
    {
        IntPtr g = NativeMethods.llama_sampler_init_grammar(fixture.Model.Vocab, gbnf, "root");
        Assert.True(g != IntPtr.Zero, "grammar rejected by llama.cpp:\n" + gbnf);
        NativeMethods.llama_sampler_free(g);
    }

    [Fact]
    public void Any_object_grammar_parses() => AssertParses(JsonGrammar.AnyObject);

    [Fact]
    public void Broken_grammar_is_rejected_by_the_parser()
    {
        IntPtr g = NativeMethods.llama_sampler_init_grammar(fixture.Model.Vocab, "root ::= (", "root");
        Assert.Equal(IntPtr.Zero, g);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}}}""")]
    [InlineData("""{"type":"object","properties":{"kind":{"enum":["a","b",3,null]},"nested":{"type":"object","properties":{"x":{"type":"number"}}}}}""")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"null"}]}""")]
    [InlineData("""{"type":["boolean","null"]}""")]
    [InlineData("""{"const":{"a":[1,2]}}""")]
    [InlineData("""{"type":"object","properties":{"weird key-with \"quotes\"":{"type":"boolean"}}}""")]
    public void Schemas_convert_to_grammars_llama_accepts(string schema) => AssertParses(JsonGrammar.FromJsonSchema(schema));

    [Fact]
    public void Schema_object_rule_lists_properties_in_order()
    {
        string g = JsonGrammar.FromJsonSchema("""{"type":"object","properties":{"b":{"type":"boolean"},"a":{"type":"null"}}}""");
        Assert.True(g.IndexOf("\\\"b\\\"", StringComparison.Ordinal) < g.IndexOf("\\\"a\\\"", StringComparison.Ordinal), g);
    }

    [Fact]
    public void Unsupported_schema_features_throw()
    {
        Assert.Throws<NotSupportedException>(() => JsonGrammar.FromJsonSchema("""{"$ref":"#/defs/x"}"""));
        Assert.Throws<NotSupportedException>(() => JsonGrammar.FromJsonSchema("""{"type":"date"}"""));
    }
}
