using System.CommandLine;
using Compress.Runtime;

namespace Compress.Tool.Commands;

/// <summary><c>dotnet compress doctor</c>: reports the environment and whether training works here.</summary>
public static class DoctorCommand
{
    /// <summary>Creates the command; it writes to <paramref name="output"/> and problems to <paramref name="error"/>.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("doctor", "Check that this machine can run Compress: versions, native libraries, threads, CUDA, and a tiny training run.");
        command.SetAction(_ => Execute(output, error));
        return command;
    }

    /// <summary>Runs the checks; exit code 0 when training is possible, 1 otherwise.</summary>
    public static int Execute(TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var report = EnvironmentReport.Collect(EnvironmentReport.VersionOf(typeof(DoctorCommand).Assembly));
        var width = report.Facts.Max(f => f.Name.Length);
        foreach (var fact in report.Facts)
        {
            output.WriteLine($"{fact.Name.PadRight(width)}  {fact.Value}");
        }

        foreach (var problem in report.Problems)
        {
            error.WriteLine(problem.ToString());
        }

        output.WriteLine(report.TrainingWorks ? "Training is possible on this machine." : "Training is NOT possible on this machine; see the errors above.");
        return report.TrainingWorks ? CompressCli.Success : CompressCli.Error;
    }
}
