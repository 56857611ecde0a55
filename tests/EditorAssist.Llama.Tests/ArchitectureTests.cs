namespace EditorAssist.Llama.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Llama_depends_on_Core_only_among_our_assemblies()
    {
        var ours = typeof(LlamaRuntime).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("EditorAssist.", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(["EditorAssist.Core"], ours);
    }

    [Fact]
    public void Native_layer_is_internal()
    {
        var leaked = typeof(LlamaRuntime).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "EditorAssist.Llama.Native")
            .Select(t => t.FullName)
            .ToArray();
        Assert.Empty(leaked);
    }
}
