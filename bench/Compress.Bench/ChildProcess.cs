using System.Diagnostics;
using System.Globalization;

namespace Compress.Bench;

/// <summary>The end of a child process: exit code, wall-clock seconds, peak resident set (bytes) and its output.</summary>
public sealed record ChildResult(int ExitCode, double Seconds, long PeakRssBytes, string Output);

/// <summary>
/// Runs a program to completion under GNU time (<c>/usr/bin/time -f %M</c>) when it is installed, so the peak RSS
/// of the child is measured by the kernel's accounting rather than sampled.
/// </summary>
public static class ChildProcess
{
    private const string GnuTime = "/usr/bin/time";

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static ChildResult Run(string program, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var rssFile = System.IO.Path.GetTempFileName();
        var useTime = File.Exists(GnuTime);
        var start = new ProcessStartInfo(useTime ? GnuTime : program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (useTime)
        {
            foreach (var a in new[] { "-f", "%M", "-o", rssFile, program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var output = new System.Text.StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        var seconds = watch.Elapsed.TotalSeconds;
        long peak = 0;
        if (useTime)
        {
            var text = File.ReadAllText(rssFile).Trim().Split('\n').LastOrDefault() ?? "";
            peak = long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
        }

        File.Delete(rssFile);
        return new ChildResult(process.ExitCode, seconds, peak, output.ToString());
    }

    /// <summary>Like <see cref="Run"/> but throws with the child's output when it exits non-zero.</summary>
    public static ChildResult RunChecked(string program, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Run(program, arguments, workingDirectory, environment);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}");
        }

        return result;
    }
}
