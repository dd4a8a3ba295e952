using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Compress.Tool.Tests;

/// <summary>
/// The real <c>dotnet-compress</c> executable (built next to these tests) as separate processes: real POSIX signals
/// during training, two runs of the same spec at the same moment, and two runs one after the other giving the same
/// bytes. The model is <see cref="TestWorkspace.Separable"/>'s tiny linear classifier, so each run takes seconds.
/// </summary>
public sealed class ToolProcessTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    /// <summary>The workspace's spec with enough epochs that training is still going when the signal arrives.</summary>
    private static readonly string LongSpec = TestWorkspace.Spec.Replace("epochs: 2", "epochs: 2000", StringComparison.Ordinal);

    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "dotnet-compress.exe" : "dotnet-compress");

    /// <summary>Whether this process ignores <paramref name="signal"/> (Linux: the SigIgn mask of /proc/self/status; elsewhere false).</summary>
    private static bool Ignored(int signal)
    {
        const string Status = "/proc/self/status";
        var line = File.Exists(Status) ? File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && ((ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) >> (signal - 1)) & 1) == 1;
    }

    /// <summary>Sends a real signal with the shell's <c>kill</c> builtin (present wherever there is a shell).</summary>
    private static int Kill(int pid, int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"kill -{signal} {pid}" }, UseShellExecute = false })!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    public void Run_SignalledDuringTraining_Exits130_WritesNothing_AndTheNextRunSucceeds(int signal)
    {
        // A shell that starts a job in the background without job control (`cmd &` in a script, nohup) makes it ignore
        // SIGINT, and an ignored signal stays ignored through exec: the tool then rightly never sees Ctrl-C.
        Assert.False(Ignored(signal), $"signal {signal} is ignored by this test process (SigIgn in /proc/self/status), so the tool inherits that; run the tests in the foreground or with job control (set -m)");
        using var ws = TestWorkspace.Separable(spec: LongSpec);
        var outputs = Outputs(ws.Folder, "a");

        using var run = Started(ws, outputs);
        Assert.True(run.WaitForLine(l => l.Contains("epoch ", StringComparison.Ordinal), TimeSpan.FromMinutes(2)), run.Text);
        Assert.Equal(0, Kill(run.Process.Id, signal));
        var exit = run.WaitForExit(TimeSpan.FromMinutes(1));

        Assert.True(exit == 130, $"exit {exit}\n{run.Text}");
        Assert.Contains("cancelled; nothing was written", run.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Text, StringComparison.Ordinal);
        AssertNothingWritten(ws.Folder, outputs);

        // What the cancelled run left (feature cache, locks) does not stand in the way of the next run.
        File.WriteAllText(ws.SpecPath, TestWorkspace.Spec);
        using var again = Started(ws, outputs);
        Assert.True(again.WaitForExit(TimeSpan.FromMinutes(3)) == 0, again.Text);
        Assert.True(File.Exists(outputs.Model) && File.Exists(outputs.Manifest) && File.Exists(Path.Combine(outputs.Report, "report.json")));
    }

    [Fact]
    public void TwoRunsStartedTogether_OnTheSameSpecAndOutputs_BothSucceed_WithTheModelOfARunAlone()
    {
        using var ws = TestWorkspace.Separable();
        var shared = Outputs(ws.Folder, "shared");
        var alone = Outputs(ws.Folder, "alone");

        using (var first = Started(ws, shared))
        using (var second = Started(ws, shared))
        {
            var exits = (first.WaitForExit(TimeSpan.FromMinutes(3)), second.WaitForExit(TimeSpan.FromMinutes(3)));
            Assert.True(exits == (0, 0), $"{exits}\n--- first\n{first.Text}\n--- second\n{second.Text}");
        }

        using (var solo = Started(ws, alone))
        {
            Assert.True(solo.WaitForExit(TimeSpan.FromMinutes(3)) == 0, solo.Text);
        }

        Assert.Equal(File.ReadAllBytes(alone.Model), File.ReadAllBytes(shared.Model));
        Assert.Equal(Stable(alone.Report), Stable(shared.Report));
        Assert.Empty(Directory.GetFiles(ws.Folder, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void TwoRunsOneAfterTheOther_GiveByteIdenticalModels_AndReportsEqualButForTimings()
    {
        using var ws = TestWorkspace.Separable();
        var first = Outputs(ws.Folder, "first");
        var second = Outputs(ws.Folder, "second");

        foreach (var outputs in new[] { first, second })
        {
            using var run = Started(ws, outputs);
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)) == 0, run.Text);
        }

        Assert.Equal(File.ReadAllBytes(first.Model), File.ReadAllBytes(second.Model));
        var report = Stable(first.Report);
        Assert.Equal(report, Stable(second.Report));
        Assert.Contains("\"accuracy\"", report, StringComparison.Ordinal); // the comparison is over a real report

        // The tool's process runs one job, so an unset COMPRESS_ONEDNN means `auto` there (the library's default is
        // off); this model has no convolution, so there is nothing to check and oneDNN stays off.
        var oneDnn = JsonNode.Parse(File.ReadAllText(Path.Combine(first.Report, "report.json")))!["onednn"]!;
        Assert.Equal(("auto", false), ((string)oneDnn["setting"]!, (bool)oneDnn["training"]!));
        Assert.Equal("off: the model has no convolution, the only layers oneDNN would compute", (string)oneDnn["reason"]!);
    }

    private sealed record RunOutputs(string Model, string Report, string Manifest);

    private static RunOutputs Outputs(string folder, string name) =>
        new(Path.Combine(folder, $"{name}.onnx"), Path.Combine(folder, $"{name}-report"), Path.Combine(folder, $"{name}.files.json"));

    private static RunningTool Started(TestWorkspace ws, RunOutputs outputs) =>
        new(Tool, ws.Folder, ["run", ws.SpecPath, "--output", outputs.Model, "--report", outputs.Report, "--manifest", outputs.Manifest, "-v", "normal"]);

    private static void AssertNothingWritten(string folder, RunOutputs outputs)
    {
        Assert.False(File.Exists(outputs.Model), "the model was written");
        Assert.False(File.Exists(outputs.Manifest), "the manifest was written");
        Assert.False(Directory.Exists(outputs.Report), "the report was written");
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*", SearchOption.AllDirectories));
    }

    /// <summary>report.json without what differs between two runs of the same work: timings, dates, paths and the host.</summary>
    private static string Stable(string reportFolder)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(reportFolder, "report.json")))!;
        Strip(json);
        return json.ToJsonString();

        static void Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).ToList())
                    {
                        if (Volatile(key))
                        {
                            o.Remove(key);
                        }
                        else
                        {
                            Strip(o[key]);
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Strip(item);
                    }

                    break;
            }
        }

        static bool Volatile(string key)
        {
            var k = key.ToLowerInvariant();
            return k.Contains("second", StringComparison.Ordinal) || k.Contains("time", StringComparison.Ordinal) || k.Contains("date", StringComparison.Ordinal)
                || k.Contains("latency", StringComparison.Ordinal) || k.Contains("_ms", StringComparison.Ordinal) || k.EndsWith("ms", StringComparison.Ordinal)
                || k.Contains("path", StringComparison.Ordinal) || k.Contains("file", StringComparison.Ordinal) || k.Contains("machine", StringComparison.Ordinal)
                || k.Contains("host", StringComparison.Ordinal) || k.Contains("cpu", StringComparison.Ordinal) || k.Contains("eta", StringComparison.Ordinal)
                || k.Contains("elapsed", StringComparison.Ordinal) || k.Contains("duration", StringComparison.Ordinal) || k.Contains("cache", StringComparison.Ordinal);
        }
    }

    /// <summary>A started tool process whose stdout and stderr are collected line by line.</summary>
    private sealed class RunningTool : IDisposable
    {
        private readonly StringBuilder _text = new();
        private readonly object _gate = new();
        private readonly List<string> _lines = [];

        public RunningTool(string tool, string folder, string[] arguments)
        {
            var info = new ProcessStartInfo(tool) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["COMPRESS_CACHE_HOME"] = Path.Combine(folder, ".compress-home");
            Process = Process.Start(info)!;
            Process.OutputDataReceived += (_, e) => Add(e.Data);
            Process.ErrorDataReceived += (_, e) => Add(e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < timeout)
            {
                lock (_gate)
                {
                    if (_lines.Any(match))
                    {
                        return true;
                    }
                }

                if (Process.HasExited)
                {
                    return false;
                }

                Thread.Sleep(20);
            }

            return false;
        }

        public int WaitForExit(TimeSpan timeout)
        {
            if (!Process.WaitForExit(timeout))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the tool did not finish in {timeout}:\n{Text}");
            }

            Process.WaitForExit(); // drains the output
            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Add(line);
                _text.AppendLine(line);
            }
        }
    }
}
