using System.Runtime.InteropServices;

namespace Compress.Runtime;

/// <summary>
/// The process environment as native code sees it. On Unix .NET keeps its own copy of the environment:
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> never reaches libc's <c>getenv</c>, which is what
/// libgomp (OpenMP) and oneDNN read. These go through libc's <c>setenv</c>/<c>getenv</c> instead. Linux only.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>libc's value of <paramref name="name"/>, or null when unset or off Linux.</summary>
    public static string? Get(string name)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Environment.GetEnvironmentVariable(name);
        }

        try
        {
            return Marshal.PtrToStringUTF8(GetEnv(name));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Environment.GetEnvironmentVariable(name);
        }
    }

    /// <summary>
    /// Sets <paramref name="name"/> for native code (and for .NET, so child processes and later managed reads agree)
    /// unless it is already set. Returns false when libc's <c>setenv</c> is not available.
    /// </summary>
    public static bool SetIfUnset(string name, string value)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            if (SetEnv(name, value, 0) != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }

        Environment.SetEnvironmentVariable(name, Get(name));
        return true;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
