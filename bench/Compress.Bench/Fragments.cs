using System.Globalization;

namespace Compress.Bench;

/// <summary>
/// Each section writes one markdown fragment (<c>NN-name.md</c> in the results folder) stamped with the command
/// and the time it ran; <c>doc</c> concatenates them under the machine description into docs/benchmarks.md.
/// </summary>
public static class Fragments
{
    /// <summary>Writes fragment <paramref name="name"/>; <paramref name="seconds"/> is the section's wall time.</summary>
    public static void Write(BenchArguments args, string name, string markdown, double seconds)
    {
        Directory.CreateDirectory(args.Results);
        var stamp = string.Create(CultureInfo.InvariantCulture, $"<!-- section {name}: `{args.CommandLine}`, started {DateTime.UtcNow.AddSeconds(-seconds):yyyy-MM-dd HH:mm} UTC, {seconds:0} s -->");
        File.WriteAllText(Path.Combine(args.Results, name + ".md"), stamp + "\n" + markdown.TrimEnd() + "\n\n" +
            string.Create(CultureInfo.InvariantCulture, $"*Section wall time: {seconds:0} s.*\n"));
    }

    /// <summary>Every fragment, in name order.</summary>
    public static IReadOnlyList<(string Name, string Text)> ReadAll(BenchArguments args) =>
        Directory.Exists(args.Results)
            ? Directory.GetFiles(args.Results, "*.md").Order(StringComparer.Ordinal).Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f))).ToList()
            : [];

    /// <summary>Formats an invariant-culture string.</summary>
    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
