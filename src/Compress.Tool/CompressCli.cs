using System.CommandLine;
using Compress.Tool.Commands;

namespace Compress.Tool;

/// <summary>
/// Wires the <c>dotnet compress</c> commands. Each command is a class that calls Core and writes through the
/// injected writers, so tests run the CLI in-process. Exit codes: 0 success, 1 error, 2 accuracy gate failed.
/// </summary>
public static class CompressCli
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: an error was reported.</summary>
    public const int Error = 1;

    /// <summary>Exit code: the accuracy gate failed.</summary>
    public const int GateFailed = 2;

    /// <summary>Builds the command tree for the given writers.</summary>
    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Compress: prune and fine-tune ONNX speech models at build time, with an accuracy gate measured by ONNX Runtime.");
        root.Subcommands.Add(DoctorCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output, error);
        var parsed = root.Parse(args);
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
