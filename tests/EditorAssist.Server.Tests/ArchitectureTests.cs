using System.Reflection;
using System.Xml.Linq;

namespace EditorAssist.Server.Tests;

/// <summary>
/// Dependencies point inward (ARCHITECTURE.md): Server → everything; the adapters (Storage,
/// Providers, Downloads, Llama) → Core (and Storage where they persist); Rpc and Core reference no
/// other EditorAssist project, and Core no I/O package. Checked on the project files and on the
/// compiled assemblies, so neither a csproj edit nor a stray reference slips through; the Server's
/// own namespaces form no cycle.
/// </summary>
public class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["EditorAssist.Rpc"] = [],
        ["EditorAssist.Core"] = [],
        ["EditorAssist.Storage"] = ["EditorAssist.Core"],
        ["EditorAssist.Providers"] = ["EditorAssist.Core", "EditorAssist.Storage"],
        ["EditorAssist.Downloads"] = ["EditorAssist.Core", "EditorAssist.Storage"],
        ["EditorAssist.Llama"] = ["EditorAssist.Core"],
        ["EditorAssist.Server"] = ["EditorAssist.Rpc", "EditorAssist.Core", "EditorAssist.Storage", "EditorAssist.Providers", "EditorAssist.Downloads", "EditorAssist.Llama"],
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

    // Core is contracts and policy: the only packages it may use are abstractions.
    private static readonly string[] CorePackages = ["Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Options"];

    [Fact]
    public void Core_uses_no_io_package()
    {
        var csproj = Path.Combine(RepoRoot(), "server", "EditorAssist.Core", "EditorAssist.Core.csproj");
        var packages = XDocument.Load(csproj).Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        Assert.All(packages, p => Assert.Contains(p, CorePackages));
        var core = typeof(EditorAssist.Core.Errors.EditorAssistException).Assembly;
        var referenced = core.GetReferencedAssemblies().Select(a => a.Name!)
            .Where(n => n != "netstandard" && !n.StartsWith("System", StringComparison.Ordinal) && !n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))
            .ToList();
        Assert.True(referenced.Count == 0, $"Core references {string.Join(", ", referenced)}");
        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name is "Microsoft.Data.Sqlite" or "OpenAI" or "Anthropic" or "SQLitePCLRaw.core");
    }

    [Fact]
    public void Server_namespaces_form_no_cycle()
    {
        var graph = ServerNamespaceGraph(Path.Combine(RepoRoot(), "server", "EditorAssist.Server"));
        Assert.True(graph.Count >= 5, "the namespace scan found too few namespaces; is the source tree where the test looks?");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle in EditorAssist.Server: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_cycle_check_sees_a_cycle()
    {
        var graph = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
        graph["C"].Clear();
        Assert.Null(FindCycle(graph));
    }

    /// <summary>
    /// Namespace → namespaces it uses, from the source: a type declared in another namespace of the
    /// project and named in a file (comments and strings stripped) is an edge. Parent namespaces are
    /// visible without a using, so code in <c>EditorAssist.Server.X</c> naming a type of
    /// <c>EditorAssist.Server</c> counts too.
    /// </summary>
    internal static Dictionary<string, HashSet<string>> ServerNamespaceGraph(string projectDir)
    {
        var files = Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => StripCommentsAndStrings(File.ReadAllText(f)))
            .Select(src => (Namespace: System.Text.RegularExpressions.Regex.Match(src, @"^namespace ([\w.]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value, Source: src))
            .Where(f => f.Namespace.Length > 0)
            .ToList();
        var declared = new Dictionary<string, string>(); // type → namespace (first wins; partials share one)
        foreach (var (ns, src) in files)
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(src, @"\b(?:class|record|interface|enum|struct)\s+([A-Z]\w*)"))
                declared.TryAdd(m.Groups[1].Value, ns);
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var (ns, src) in files)
        {
            var edges = graph.TryGetValue(ns, out var e) ? e : graph[ns] = [];
            foreach (var (type, owner) in declared)
                if (owner != ns && System.Text.RegularExpressions.Regex.IsMatch(src, $@"\b{type}\b")) edges.Add(owner);
        }
        return graph;
    }

    private static string StripCommentsAndStrings(string src)
    {
        src = System.Text.RegularExpressions.Regex.Replace(src, @"/\*.*?\*/", "", System.Text.RegularExpressions.RegexOptions.Singleline);
        src = System.Text.RegularExpressions.Regex.Replace(src, @"//[^\n]*", "");
        return System.Text.RegularExpressions.Regex.Replace(src, @"""(?:\\.|[^""\\])*""", "\"\"");
    }

    internal static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string n)
        {
            state[n] = 1; path.Add(n);
            foreach (var m in (graph.TryGetValue(n, out var e) ? e : []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(m) == 1) return [.. path.Skip(path.IndexOf(m)), m];
                if (state.GetValueOrDefault(m) == 0 && Visit(m) is { } c) return c;
            }
            state[n] = 2; path.RemoveAt(path.Count - 1);
            return null;
        }
        foreach (var n in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(n) == 0 && Visit(n) is { } cycle) return cycle;
        return null;
    }
}
