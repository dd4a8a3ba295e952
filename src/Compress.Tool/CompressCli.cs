using System.CommandLine;
using Compress.Tool.Commands;

namespace Compress.Tool;

/// <summary>
/// Wires the <c>dotnet compress</c> commands. Each command is a class that calls Core and writes through the
/// injected writers, so tests run the CLI in-process. Exit codes: 0 success, 1 error, 2 accuracy gate failed,
/// 130 cancelled (Ctrl-C / SIGTERM).
/// </summary>
public static class CompressCli
{
    /// <summary>Exit code: success.</summary>
    public const int Success = 0;

    /// <summary>Exit code: an error was reported.</summary>
    public const int Error = 1;

    /// <summary>Exit code: the accuracy gate failed.</summary>
    public const int GateFailed = 2;

    /// <summary>Exit code: cancelled; nothing partial was written.</summary>
    public const int Cancelled = CommandOptions.Cancelled;

    /// <summary>Builds the command tree for the given writers, with <see cref="CliServices.Default"/>.</summary>
    public static RootCommand Build(TextWriter output, TextWriter error) => Build(output, error, CliServices.Default);

    /// <summary>Builds the command tree for the given writers and services.</summary>
    public static RootCommand Build(TextWriter output, TextWriter error, CliServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var root = new RootCommand("Compress: prune and fine-tune ONNX speech models at build time, with an accuracy gate measured by ONNX Runtime.");
        root.Subcommands.Add(RunCommand.Create(output, error, services));
        root.Subcommands.Add(ValidateCommand.Create(output, error));
        root.Subcommands.Add(HashCommand.Create(output, error));
        root.Subcommands.Add(InitCommand.Create(output, error));
        root.Subcommands.Add(EvalCommand.Create(output, error, services));
        root.Subcommands.Add(InspectCommand.Create(output, error));
        root.Subcommands.Add(NewModelCommand.Create(output, error));
        root.Subcommands.Add(DoctorCommand.Create(output, error));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/> with <see cref="CliServices.Default"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, CliServices.Default, CancellationToken.None);

    /// <summary>
    /// Parses and runs <paramref name="args"/>; returns the process exit code. <paramref name="cancellationToken"/>
    /// is the Ctrl-C token (see <see cref="ConsoleCancellation"/>): commands stop cleanly and return 130.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CliServices services, CancellationToken cancellationToken)
    {
        var root = Build(output, error, services);
        var parsed = root.Parse(args);
        // Signals are handled by ConsoleCancellation (Program.cs), not by System.CommandLine, so that a command
        // always gets to finish its clean-up and choose the exit code.
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return parsed.InvokeAsync(configuration, cancellationToken).GetAwaiter().GetResult();
    }
}
