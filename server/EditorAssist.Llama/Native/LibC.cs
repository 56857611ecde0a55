using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Native;

/// <summary>
/// Sets a variable in the C runtime's environment, where native code reads it with getenv
/// (ggml-vulkan reads GGML_VK_VISIBLE_DEVICES). Environment.SetEnvironmentVariable is not
/// enough: on Unix it changes only .NET's own copy, and on Windows the UCRT keeps its own
/// table that SetEnvironmentVariableW does not update.
/// </summary>
internal static partial class NativeEnvironment
{
    internal static void Set(string name, string value)
    {
        if (OperatingSystem.IsWindows())
        {
            _ = PutEnv(name, value);
        }
        else
        {
            _ = SetEnv(name, value, 1);
        }
        Environment.SetEnvironmentVariable(name, value);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("ucrtbase", EntryPoint = "_wputenv_s", StringMarshalling = StringMarshalling.Utf16)]
    private static partial int PutEnv(string name, string value);
}
