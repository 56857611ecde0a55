using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Native;

/// <summary>
/// libc's setenv. Environment.SetEnvironmentVariable on Unix only changes .NET's own copy of
/// the environment, not the C runtime's, so native code (ggml-vulkan reads
/// GGML_VK_VISIBLE_DEVICES with getenv) would never see it.
/// </summary>
internal static partial class LibC
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int setenv(string name, string value, int overwrite);
}
