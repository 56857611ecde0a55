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
    /// <summary>@node-llama-cpp/linux-x64: CPU backends only.</summary>
    Cpu,
    /// <summary>@node-llama-cpp/linux-x64-vulkan: CPU backends plus ggml-vulkan.</summary>
    Vulkan,
}

/// <summary>
/// The one place that finds and loads the native libraries. Resolution order:
/// an explicitly configured folder, then EDITORASSIST_LLAMA_DIR, then a search upward from the
/// application's folder for node_modules/@node-llama-cpp/linux-x64-vulkan/bins/linux-x64-vulkan
/// (when Vulkan is allowed) or node_modules/@node-llama-cpp/linux-x64/bins/linux-x64.
///
/// Only one variant can live in a process: both folders contain a libggml-base.so with the
/// same soname and the same exported symbols, so loading the second would bind to the first's
/// code anyway. The Vulkan build also carries every CPU backend, so it is the default when
/// Vulkan is allowed and CPU-only work simply uses no GPU device.
/// </summary>
internal static class LlamaLibrary
{
    internal const string DirEnvVar = "EDITORASSIST_LLAMA_DIR";
    private const string NpmScope = "@node-llama-cpp";

    private static readonly object s_gate = new();
    private static LoadedLibrary? s_loaded;

    internal sealed record LoadedLibrary(string Directory, LlamaVariant Variant, IntPtr Llama, IntPtr Ggml, IntPtr GgmlBase);

    internal static LoadedLibrary? Loaded => s_loaded;

    /// <summary>Finds the folder holding libllama, or null. Pure: touches only the file system.</summary>
    internal static string? ResolveDirectory(string? configuredDir, bool allowVulkan, string startDir, Func<string, string?> getEnv)
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
        var candidates = new List<string>();
        if (allowVulkan)
        {
            candidates.Add(Path.Combine("node_modules", NpmScope, "linux-x64-vulkan", "bins", "linux-x64-vulkan"));
        }
        candidates.Add(Path.Combine("node_modules", NpmScope, "linux-x64", "bins", "linux-x64"));
        // Prefer the preferred variant anywhere up the tree over the fallback variant closer by.
        foreach (string rel in candidates)
        {
            for (var dir = new DirectoryInfo(startDir); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, rel);
                if (FindLibrary(candidate, "libllama") != null)
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// Finds lib{stem}.so, lib{stem}.&lt;tag&gt;.so (npm names them libllama.v0.5.0.so or
    /// libllama.vulkan.v0.5.0.so) in <paramref name="dir"/>. libllama-common.so and
    /// libggml-base.so must not match the stems "libllama"/"libggml", hence the '.' check.
    /// </summary>
    internal static string? FindLibrary(string dir, string stem)
    {
        if (!Directory.Exists(dir))
        {
            return null;
        }
        string exact = Path.Combine(dir, stem + ".so");
        if (File.Exists(exact))
        {
            return exact;
        }
        return Directory.EnumerateFiles(dir, stem + ".*.so").Order(StringComparer.Ordinal).FirstOrDefault();
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
                    $"The llama.cpp runtime was not found. Set {DirEnvVar} or install @node-llama-cpp/linux-x64[-vulkan] (npm install).");
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

            string? llamaPath = FindLibrary(dir, "libllama");
            string? ggmlPath = FindLibrary(dir, "libggml");
            string ggmlBasePath = Path.Combine(dir, "libggml-base.so");
            if (llamaPath == null || ggmlPath == null || !File.Exists(ggmlBasePath))
            {
                throw new LocalModelException(ErrorCode.ProviderUnavailable,
                    $"{dir} does not contain libllama*.so, libggml*.so and libggml-base.so.");
            }

            // Must precede loading: ggml-vulkan reads it with getenv when it enumerates devices.
            if (options.VulkanVisibleDevices != null)
            {
                _ = LibC.setenv("GGML_VK_VISIBLE_DEVICES", options.VulkanVisibleDevices, 1);
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

            var variant = Path.GetFileName(llamaPath).Contains(".vulkan.", StringComparison.Ordinal) ||
                          File.Exists(Path.Combine(dir, "libggml-vulkan.so"))
                ? LlamaVariant.Vulkan
                : LlamaVariant.Cpu;
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
