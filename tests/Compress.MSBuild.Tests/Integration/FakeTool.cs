namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// The fake dotnet-compress (fake-dotnet-compress.sh, copied next to the test assembly): follows the tool contract
/// without training. It logs each invocation to <c>invocations.log</c> next to itself; the spec's text selects a
/// behaviour: <c>gate: impossible</c> → CMP5001 and exit 2, <c>gate: silent</c> → exit 2 without a diagnostic, <c>gate: abort</c> → SIGABRT (exit 134), <c>unknown_key</c> → CMP1002 and exit 1,
/// <c>warn: yes</c> → a CMP4002 warning, <c>compression: gzip</c> → gzip output, <c>compression: gzip-shuffle</c> → the gzip of the spec folder's
/// <c>model.cmpf</c> (a filter container the test wrote) with filter <c>shuffle</c>; <c>labels.txt</c> next to the spec
/// sets the labels. It embeds the spec folder's <c>model.onnx</c> and lists it, the spec and <c>data/*/*.wav</c>.
/// </summary>
internal static class FakeTool
{
    /// <summary>Copies the fake tool to <paramref name="path"/> and makes it executable.</summary>
    public static void InstallTo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the fake dotnet-compress is a bash script; these tests run on Linux and macOS");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Integration", "fake-dotnet-compress.sh"), path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
