using EditorAssist.Core.Errors;
using System.Reflection;
using System.Runtime.InteropServices;
using EditorAssist.Core.Local;
using EditorAssist.Llama.Native;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Llama;

/// <summary>Which npm build of the native runtime to use.</summary>
public enum LlamaVariant
{
    /// <summary>e.g. @node-llama-cpp/linux-x64: CPU backends only.</summary>
    Cpu,
    /// <summary>e.g. @node-llama-cpp/linux-x64-vulkan: CPU backends plus ggml-vulkan.</summary>
    Vulkan,
    /// <summary>@node-llama-cpp/mac-arm64-metal: CPU backends plus ggml-metal.</summary>
    Metal,
}

/// <summary>How one operating system names shared libraries: libllama.so, libllama.dylib, llama.dll.</summary>
internal sealed record NativeNaming(string Prefix, string Extension)
{
    internal static readonly NativeNaming Linux = new("lib", ".so");
    internal static readonly NativeNaming MacOS = new("lib", ".dylib");
    internal static readonly NativeNaming Windows = new("", ".dll");

    internal static NativeNaming Current =>
        OperatingSystem.IsWindows() ? Windows : OperatingSystem.IsMacOS() ? MacOS : Linux;

    internal string File(string stem) => Prefix + stem + Extension;
}

/// <summary>
/// The one place that finds and loads the native libraries. Resolution order:
/// an explicitly configured folder, then EDITORASSIST_LLAMA_DIR, then, for each build this
/// platform has (<see cref="Flavours"/>, the GPU one first when a GPU may be used):
/// llama/&lt;flavour&gt;/ next to the application (the layout of a platform VSIX), then a search
/// upward from the application's folder for node_modules/@node-llama-cpp/&lt;flavour&gt;/bins/&lt;flavour&gt;
/// (a development checkout).
///
/// Only one variant can live in a process: both folders contain a libggml-base with the
/// same soname and the same exported symbols, so loading the second would bind to the first's
/// code anyway. The GPU builds also carry every CPU backend, so they are the default when a GPU
/// is allowed, and serve CPU-only work too (a VSIX ships only the GPU build).
/// </summary>
internal static class LlamaLibrary
{
    internal const string DirEnvVar = "EDITORASSIST_LLAMA_DIR";
    private const string NpmScope = "@node-llama-cpp";
    /// <summary>The folder next to the sidecar that holds the llama.cpp build in a VSIX.</summary>
    internal const string BundledFolder = "llama";

    private static readonly object s_gate = new();
    private static LoadedLibrary? s_loaded;

    internal sealed record LoadedLibrary(string Directory, LlamaVariant Variant, IntPtr Llama, IntPtr Ggml, IntPtr GgmlBase);

    internal static LoadedLibrary? Loaded => s_loaded;

    /// <summary>
    /// The node-llama-cpp builds for an OS and architecture, preferred first: the GPU build
    /// (Vulkan, Metal) first when a GPU may be used, the CPU build first otherwise; a platform
    /// with one build (linux-arm64, win-arm64, macOS) lists just that.
    /// </summary>
    internal static IReadOnlyList<string> Flavours(OSPlatform os, Architecture arch, bool allowGpu)
    {
        string[] gpuFirst = (os, arch) switch
        {
            _ when os == OSPlatform.Linux && arch == Architecture.X64 => ["linux-x64-vulkan", "linux-x64"],
            _ when os == OSPlatform.Linux && arch == Architecture.Arm64 => ["linux-arm64"],
            _ when os == OSPlatform.Windows && arch == Architecture.X64 => ["win-x64-vulkan", "win-x64"],
            _ when os == OSPlatform.Windows && arch == Architecture.Arm64 => ["win-arm64"],
            _ when os == OSPlatform.OSX && arch == Architecture.Arm64 => ["mac-arm64-metal"],
            _ when os == OSPlatform.OSX && arch == Architecture.X64 => ["mac-x64"],
            _ => [],
        };
        return allowGpu ? gpuFirst : gpuFirst.Reverse().ToArray();
    }

    private static OSPlatform CurrentOs =>
        OperatingSystem.IsWindows() ? OSPlatform.Windows : OperatingSystem.IsMacOS() ? OSPlatform.OSX : OSPlatform.Linux;

    /// <summary>Finds the folder holding libllama for this process's platform, or null.</summary>
    internal static string? ResolveDirectory(string? configuredDir, bool allowVulkan, string startDir, Func<string, string?> getEnv) =>
        ResolveDirectory(configuredDir, startDir, getEnv, Flavours(CurrentOs, RuntimeInformation.ProcessArchitecture, allowVulkan), NativeNaming.Current);

    /// <summary>Finds the folder holding libllama, or null. Pure: touches only the file system.</summary>
    internal static string? ResolveDirectory(string? configuredDir, string startDir, Func<string, string?> getEnv,
        IReadOnlyList<string> flavours, NativeNaming naming)
    {
        if (!string.IsNullOrWhiteSpace(configuredDir))
        {
            return configuredDir;
        }
        string? fromEnv = getEnv(DirEnvVar);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return fromEnv;
        }
        // Prefer the preferred build anywhere up the tree over the fallback build closer by.
        foreach (string flavour in flavours)
        {
            string bundled = Path.Combine(startDir, BundledFolder, flavour);
            if (FindLibrary(bundled, "llama", naming) != null)
            {
                return bundled;
            }
            string rel = Path.Combine("node_modules", NpmScope, flavour, "bins", flavour);
            for (var dir = new DirectoryInfo(startDir); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, rel);
                if (FindLibrary(candidate, "llama", naming) != null)
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Finds {prefix}{stem}{ext} or {prefix}{stem}.&lt;tag&gt;{ext} in <paramref name="dir"/> (npm names
    /// them libllama.v0.5.0.so, libllama.vulkan.v0.5.0.so, llama.v0.4.0.dll, libllama.metal.v0.4.0.dylib).
    /// libllama-common and libggml-base must not match the stems "llama"/"ggml", hence the '.' check.
    /// </summary>
    internal static string? FindLibrary(string dir, string stem, NativeNaming naming)
    {
        if (!Directory.Exists(dir))
        {
            return null;
        }
        string exact = Path.Combine(dir, naming.File(stem));
        if (File.Exists(exact))
        {
            return exact;
        }
        return Directory.EnumerateFiles(dir, naming.Prefix + stem + ".*" + naming.Extension).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>Which build a folder holds: a GPU backend library next to libllama names it.</summary>
    internal static LlamaVariant DetectVariant(string dir, string llamaPath, NativeNaming naming)
    {
        string name = Path.GetFileName(llamaPath);
        // ggml loads its backends as plug-ins named libggml-<backend>.so on Unix (macOS too) and ggml-<backend>.dll on Windows.
        bool Has(string backend) => File.Exists(Path.Combine(dir, naming.Prefix + "ggml-" + backend + (naming == NativeNaming.Windows ? ".dll" : ".so")));
        if (name.Contains(".vulkan.", StringComparison.Ordinal) || Has("vulkan")) return LlamaVariant.Vulkan;
        if (name.Contains(".metal.", StringComparison.Ordinal) || Has("metal")) return LlamaVariant.Metal;
        return LlamaVariant.Cpu;
    }

    /// <summary>
    /// Loads the libraries from the resolved folder (once per process), installs the log
    /// callback, initialises the llama backend and registers every ggml backend found there.
    /// </summary>
    internal static LoadedLibrary Load(LlamaRuntimeOptions options, ILogger logger)
    {
        lock (s_gate)
        {
            // Without an explicit folder, a later Initialize (e.g. after the user turned GPU use
            // off) reuses the build already in the process: the Vulkan build serves CPU-only too.
            if (s_loaded != null && string.IsNullOrWhiteSpace(options.NativeDirectory) &&
                string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DirEnvVar)))
            {
                return s_loaded;
            }
            string? dir = ResolveDirectory(options.NativeDirectory, options.AllowVulkan,
                options.SearchFrom ?? AppContext.BaseDirectory, Environment.GetEnvironmentVariable);
            if (dir == null)
            {
                throw new LocalModelException(ErrorCode.ProviderUnavailable,
                    $"The llama.cpp runtime was not found (looked for {BundledFolder}/<build> next to the sidecar and node_modules/@node-llama-cpp). Set {DirEnvVar}, reinstall the extension for this platform, or run npm install in a clone.");
            }
            dir = Path.GetFullPath(dir);
            if (s_loaded != null)
            {
                if (!string.Equals(s_loaded.Directory, dir, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"libllama is already loaded from {s_loaded.Directory}; only one native build can be loaded per process (asked for {dir}).");
                }
                return s_loaded;
            }

            var naming = NativeNaming.Current;
            string? llamaPath = FindLibrary(dir, "llama", naming);
            string? ggmlPath = FindLibrary(dir, "ggml", naming);
            string ggmlBasePath = Path.Combine(dir, naming.File("ggml-base"));
            if (llamaPath == null || ggmlPath == null || !File.Exists(ggmlBasePath))
            {
                throw new LocalModelException(ErrorCode.ProviderUnavailable,
                    $"{dir} does not contain {naming.File("llama")}, {naming.File("ggml")} and {naming.File("ggml-base")} (or their versioned names).");
            }

            // Must precede loading: ggml-vulkan reads it with getenv when it enumerates devices.
            if (options.VulkanVisibleDevices != null)
            {
                NativeEnvironment.Set("GGML_VK_VISIBLE_DEVICES", options.VulkanVisibleDevices);
            }

            IntPtr ggmlBase, ggml, llama;
            try
            {
                // Dependencies first, by full path; RUNPATH=$ORIGIN would find them too, but
                // loading them ourselves gives the handles our resolver returns.
                ggmlBase = NativeLibrary.Load(ggmlBasePath);
                ggml = NativeLibrary.Load(ggmlPath);
                llama = NativeLibrary.Load(llamaPath);
            }
            catch (DllNotFoundException e)
            {
                throw new LocalModelException(ErrorCode.ProviderUnavailable,
                    $"Could not load the llama.cpp runtime from {dir}: {e.Message}", e);
            }

            var variant = DetectVariant(dir, llamaPath, naming);
            var loaded = new LoadedLibrary(dir, variant, llama, ggml, ggmlBase);
            s_loaded = loaded;
            NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, Resolve);

            NativeLog.Install(logger);
            NativeMethods.llama_backend_init();
            // Registers the best libggml-cpu-<arch>.so for this CPU and, in the Vulkan build,
            // libggml-vulkan.so. Without it only statically linked backends exist (none here).
            NativeMethods.ggml_backend_load_all_from_path(dir);
            return loaded;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var l = s_loaded;
        if (l == null)
        {
            return IntPtr.Zero;
        }
        return name switch
        {
            NativeMethods.LlamaLib => l.Llama,
            NativeMethods.GgmlLib => l.Ggml,
            NativeMethods.GgmlBaseLib => l.GgmlBase,
            _ => IntPtr.Zero, // libc and anything else: default probing
        };
    }

    /// <summary>Every device the registered ggml backends expose, in ggml's order.</summary>
    internal static List<LlamaDevice> EnumerateDevices()
    {
        var list = new List<LlamaDevice>();
        nuint n = NativeMethods.ggml_backend_dev_count();
        for (nuint i = 0; i < n; i++)
        {
            IntPtr dev = NativeMethods.ggml_backend_dev_get(i);
            NativeMethods.ggml_backend_dev_memory(dev, out nuint free, out nuint total);
            IntPtr reg = NativeMethods.ggml_backend_dev_backend_reg(dev);
            list.Add(new LlamaDevice(
                Index: (int)i,
                Name: NativeMethods.PtrToString(NativeMethods.ggml_backend_dev_name(dev)) ?? "?",
                Description: NativeMethods.PtrToString(NativeMethods.ggml_backend_dev_description(dev)) ?? "",
                Backend: NativeMethods.PtrToString(NativeMethods.ggml_backend_reg_name(reg)) ?? "?",
                Type: (LlamaDeviceType)(int)NativeMethods.ggml_backend_dev_type(dev),
                MemoryTotalBytes: (long)total,
                MemoryFreeBytes: (long)free));
        }
        return list;
    }

    internal static List<string> EnumerateBackends()
    {
        var list = new List<string>();
        nuint n = NativeMethods.ggml_backend_reg_count();
        for (nuint i = 0; i < n; i++)
        {
            list.Add(NativeMethods.PtrToString(NativeMethods.ggml_backend_reg_name(NativeMethods.ggml_backend_reg_get(i))) ?? "?");
        }
        return list;
    }

    internal static IntPtr DevicePointer(int index) => NativeMethods.ggml_backend_dev_get((nuint)index);
}
