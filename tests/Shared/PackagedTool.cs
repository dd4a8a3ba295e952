using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Compress.Tests.Shared;

/// <summary>
/// Packs the tool (and the MSBuild package) once per source state, for tests that install them the way users do.
/// Packages land in <c>artifacts/test-packages/&lt;hash of src and build files&gt;/</c>; concurrent test processes
/// serialise on a lock file, and a half-finished pack is never used (it is written to a temp folder and renamed).
/// </summary>
public static class PackagedTool
{
    /// <summary>The repository root (the folder holding Compress.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Compress.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Compress.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The version the packages carry (from Directory.Build.props).</summary>
    public static string Version
    {
        get
        {
            var props = File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props"));
            var start = props.IndexOf("<Version>", StringComparison.Ordinal) + "<Version>".Length;
            return props[start..props.IndexOf("</Version>", start, StringComparison.Ordinal)];
        }
    }

    /// <summary>The folder holding Compress.Tool*.nupkg and Compress.MSBuild*.nupkg for the current sources.</summary>
    public static string EnsurePacked()
    {
        var root = RepositoryRoot;
        var baseFolder = Path.Combine(root, "artifacts", "test-packages");
        var folder = Path.Combine(baseFolder, SourceHash(root));
        if (File.Exists(Path.Combine(folder, ".complete")))
        {
            return folder;
        }

        Directory.CreateDirectory(baseFolder);
        using var gate = AcquireLock(Path.Combine(baseFolder, ".lock"));
        if (File.Exists(Path.Combine(folder, ".complete")))
        {
            return folder;
        }

        var temp = folder + ".tmp";
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }

        foreach (var project in new[] { "src/Compress.Tool/Compress.Tool.csproj", "src/Compress.MSBuild/Compress.MSBuild.csproj" })
        {
            var (exit, output) = Run("dotnet", root, null, "pack", project, "-c", "Release", "-o", temp, "-nologo");
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed ({exit}):\n{output}");
            }
        }

        File.WriteAllText(Path.Combine(temp, ".complete"), DateTime.UtcNow.ToString("O"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(temp, folder);
        return folder;
    }

    /// <summary>
    /// Installs the packed tool into <paramref name="toolPath"/> (a NuGet cache of its own under it, so a stale
    /// package of the same version is never reused) and returns the path of the <c>dotnet-compress</c> executable.
    /// </summary>
    public static string InstallInto(string toolPath)
    {
        var feed = EnsurePacked();
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(toolPath, ".nuget-packages") };
        var (exit, output) = Run("dotnet", toolPath, env, "tool", "install", "Compress.Tool", "--tool-path", toolPath, "--add-source", feed, "--version", Version);
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet tool install failed ({exit}):\n{output}");
        }

        return Path.Combine(toolPath, "dotnet-compress");
    }

    /// <summary>Runs a process to completion; returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunWithInput(fileName, workingDirectory, environment, null, arguments);

    /// <summary>
    /// <see cref="Run"/>, and when <paramref name="input"/> is not null the process reads it as its standard input,
    /// which is closed after it (so a process reading to the end of its input finishes).
    /// </summary>
    public static (int ExitCode, string Output) RunWithInput(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, byte[]? input, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var lockObject = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lockObject) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (lockObject) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }

    private static string SourceHash(string root)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }.Select(f => Path.Combine(root, f)))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\0"));
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(20);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }
}
