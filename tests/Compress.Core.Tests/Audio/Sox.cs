using System.Diagnostics;

namespace Compress.Core.Tests.Audio;

/// <summary>Runs the sox command-line tool (installed by .ci/run) to make reference files.</summary>
public static class Sox
{
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("sox") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-D"); // no dither: the tests compare exact quantisation
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("sox is not installed; run `sudo .ci/run` once (it installs espeak-ng, flite and sox)", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"sox {string.Join(" ", arguments)} failed: {error}");
        }
    }
}
