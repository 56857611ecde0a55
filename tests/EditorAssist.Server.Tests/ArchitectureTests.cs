using System.Reflection;
using System.Xml.Linq;

namespace EditorAssist.Server.Tests;

/// <summary>
/// Dependencies point inward (ARCHITECTURE.md): Server → {Rpc, Llama, Core}; Llama → Core;
/// Rpc and Core reference no other EditorAssist project. Checked on the project files and on
/// the compiled assemblies, so neither a csproj edit nor a stray reference slips through.
/// </summary>
public class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["EditorAssist.Rpc"] = [],
        ["EditorAssist.Core"] = [],
        ["EditorAssist.Llama"] = ["EditorAssist.Core"],
        ["EditorAssist.Server"] = ["EditorAssist.Rpc", "EditorAssist.Core", "EditorAssist.Llama"],
    };

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EditorAssist.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EditorAssist.sln not found above the test output.");
    }

    public static TheoryData<string> ServerProjects()
    {
        var data = new TheoryData<string>();
        foreach (var d in Directory.GetDirectories(Path.Combine(RepoRoot(), "server"))) data.Add(Path.GetFileName(d));
        return data;
    }

    [Theory]
    [MemberData(nameof(ServerProjects))]
    public void Project_references_follow_the_dependency_rules(string project)
    {
        Assert.True(Allowed.ContainsKey(project), $"{project} is not in the architecture's list; add it to ArchitectureTests with its allowed references.");
        var csproj = Path.Combine(RepoRoot(), "server", project, project + ".csproj");
        var references = XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        foreach (var r in references)
            Assert.True(Allowed[project].Contains(r), $"{project} must not reference {r}.");
    }

    [Fact]
    public void Compiled_transport_references_no_other_editorassist_assembly()
    {
        var rpc = typeof(EditorAssist.Rpc.JsonRpcConnection).Assembly;
        var core = typeof(EditorAssist.Core.Errors.EditorAssistException).Assembly;
        foreach (var asm in new[] { rpc, core })
        {
            var ours = asm.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("EditorAssist.", StringComparison.Ordinal)).Select(a => a.Name).ToList();
            Assert.True(ours.Count == 0, $"{asm.GetName().Name} references {string.Join(", ", ours)}");
        }
    }

    [Fact]
    public void Only_the_transport_references_StreamJsonRpc()
    {
        // Feature modules talk to JsonRpcConnection; StreamJsonRpc (and the Newtonsoft/MessagePack
        // assemblies it brings) stays an implementation detail of EditorAssist.Rpc.
        var rpc = typeof(EditorAssist.Rpc.JsonRpcConnection).Assembly;
        Assert.Contains(rpc.GetReferencedAssemblies(), a => a.Name == "StreamJsonRpc");
        foreach (var asm in new[] { typeof(EditorAssist.Server.Hosting.SidecarSession).Assembly, typeof(EditorAssist.Core.Errors.EditorAssistException).Assembly })
            Assert.DoesNotContain(asm.GetReferencedAssemblies(), a => a.Name == "StreamJsonRpc");
    }

    [Fact]
    public void The_transport_knows_no_provider_or_model_types()
    {
        var names = typeof(EditorAssist.Rpc.JsonRpcConnection).Assembly.GetTypes().Select(t => t.FullName ?? "");
        Assert.DoesNotContain(names, n => n.Contains("Llama", StringComparison.OrdinalIgnoreCase) || n.Contains("Provider", StringComparison.Ordinal));
    }
}
