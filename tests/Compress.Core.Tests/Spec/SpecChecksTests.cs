using System.Text;
using Compress.Spec;
using Compress.Spec.Checks;

namespace Compress.Core.Tests.Spec;

public sealed class SpecChecksTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-checks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Npy_HeadersAreReadAndMismatchedCountsAreCmp1015()
    {
        WriteNpy("x.npy", "<f4", "(100, 16, 96)");
        WriteNpy("y.npy", "<i8", "(99,)");
        var spec = Parse("data:\n  format: npy\n  features: x.npy\n  labels: y.npy\n");

        var report = SpecChecks.Validate(spec);

        Assert.Contains("data      npy features <f4 (100, 16, 96), labels <i8 (99)", report.Facts);
        Assert.Equal(
            [$"{Spec}(5,11): error CMP1015: the labels must be [N] with the features' N: features <f4 (100, 16, 96), labels <i8 (99)"],
            report.Diagnostics.Where(d => d.Code == "CMP1015").Select(d => d.ToString()));
    }

    [Fact]
    public void Npy_NotANumpyFile_IsReported()
    {
        File.WriteAllText(Path.Combine(_folder, "x.npy"), "hello");
        WriteNpy("y.npy", "<i8", "(3,)");
        var spec = Parse("data:\n  format: npy\n  features: x.npy\n  labels: y.npy\n");

        var report = SpecChecks.Validate(spec);

        Assert.Contains(report.Diagnostics, d => d.ToString() == $"{Spec}(4,13): error CMP1015: {Path.Combine(_folder, "x.npy")}: cannot use the NumPy array: no \\x93NUMPY magic");
    }

    [Fact]
    public void Manifest_CountsRowsPerLabelAndSplit_AndFlagsLabelsWithoutRows()
    {
        File.WriteAllText(Path.Combine(_folder, "clips.csv"), "path,label,split\na.wav,yes,train\nb.wav,yes,test\nc.wav,maybe,train\n");
        var spec = Parse("data:\n  format: manifest\n  manifest: clips.csv\n", labels: "[yes, no]");

        var report = SpecChecks.Validate(spec);

        Assert.Equal(_folder, spec.Data.Root);
        Assert.Contains("  yes  2 rows (train 1, test 1)", report.Facts);
        Assert.Equal(
            [
                $"{Spec}(5,15): error CMP1015: label 'no' has no rows in {Path.Combine(_folder, "clips.csv")}",
                $"{Spec}(5,1): warning CMP1015: the manifest's label 'maybe' is not in 'labels'; its 1 rows are left out",
            ],
            report.Diagnostics.Where(d => d.Code == "CMP1015").Select(d => d.ToString()));
    }

    [Fact]
    public void CtcManifest_CountsRowsAndTranscripts_AndReportsEveryUnspelledLine()
    {
        File.WriteAllText(Path.Combine(_folder, "phrases.csv"), "path,transcript,split\na.wav,Turn on the lights.,train\nb.wav,turn on the lights,test\nc.wav,set 5 timers,train\nd.wav,play music,validation\n");
        var spec = Parse("data:\n  format: manifest\n  manifest: phrases.csv\ntask: ctc\n", labels: "[_, \"|\", a, c, e, g, h, i, l, m, n, o, p, r, s, t, u, y]");

        var report = SpecChecks.Validate(spec);

        Assert.Equal(
            [$"{Path.Combine(_folder, "phrases.csv")}(4): error CMP3109: transcript 'set 5 timers' (normalised) has '5', which no label spells; add the token to labels, or normalise the transcript"],
            report.Diagnostics.Where(d => d.Code == "CMP3109").Select(d => d.ToString()));

        File.WriteAllText(Path.Combine(_folder, "phrases.csv"), "path,transcript,split\na.wav,Turn on the lights.,train\nb.wav,turn on the lights,test\nd.wav,play music,validation\n");
        report = SpecChecks.Validate(spec);

        Assert.Contains($"data      manifest {Path.Combine(_folder, "phrases.csv")}: 3 rows (train 1, validation 1, test 1), 2 distinct transcripts, the longest 18 tokens", report.Facts);
        Assert.DoesNotContain(report.Diagnostics, d => d.Code == "CMP3109");
    }

    [Fact]
    public void CheckPaths_ReportsEveryMissingFileAtItsKey()
    {
        var spec = Parse("data:\n  format: npy\n  features: x.npy\n  labels: y.npy\n");

        var problems = SpecChecks.CheckPaths(spec).Select(d => d.ToString()).ToList();

        Assert.Equal(
            [
                $"{Spec}(1,8): error CMP1012: 'model.path' does not exist: {Path.Combine(_folder, "m.onnx")}",
                $"{Spec}(4,13): error CMP1012: 'data.features' does not exist: {Path.Combine(_folder, "x.npy")}",
                $"{Spec}(5,11): error CMP1012: 'data.labels' does not exist: {Path.Combine(_folder, "y.npy")}",
            ],
            problems);
    }

    [Fact]
    public void NpySplitPlaceholder_ChecksOneFilePerSplit_AndReadsEachHeader()
    {
        foreach (var split in new[] { "train", "validation", "test" })
        {
            WriteNpy($"x_{split}.npy", "<f4", "(4, 16, 96)");
            WriteNpy($"y_{split}.npy", "<i8", split == "test" ? "(3,)" : "(4,)");
        }

        var spec = Parse("data:\n  format: npy\n  features: x_{split}.npy\n  labels: y_{split}.npy\n");

        var report = SpecChecks.Validate(spec);

        Assert.DoesNotContain(report.Diagnostics, d => d.Code == "CMP1012" && d.Message.Contains("data.", StringComparison.Ordinal));
        Assert.Contains("data      npy validation features <f4 (4, 16, 96), labels <i8 (4)", report.Facts);
        Assert.Equal(
            [$"{Spec}(5,11): error CMP1015: the labels must be [N] with the features' N: features <f4 (4, 16, 96), labels <i8 (3)"],
            report.Diagnostics.Where(d => d.Code == "CMP1015").Select(d => d.ToString()));
    }

    [Fact]
    public void NpySplitPlaceholder_MissingSplitFile_IsCmp1012NamingTheExpandedFile()
    {
        foreach (var split in new[] { "train", "test" })
        {
            WriteNpy($"x_{split}.npy", "<f4", "(4, 8)");
        }

        foreach (var split in new[] { "train", "validation", "test" })
        {
            WriteNpy($"y_{split}.npy", "<i8", "(4,)");
        }

        var spec = Parse("data:\n  format: npy\n  features: x_{split}.npy\n  labels: y_{split}.npy\n");

        var problems = SpecChecks.CheckPaths(spec).Where(d => d.Code == "CMP1012" && !d.Message.Contains("model.path", StringComparison.Ordinal)).Select(d => d.ToString());

        Assert.Equal([$"{Spec}(4,13): error CMP1012: 'data.features' does not exist: {Path.Combine(_folder, "x_validation.npy")}"], problems);
    }

    private string Spec => Path.Combine(_folder, "compress.yaml");

    private CompressSpec Parse(string data, string labels = "[a, b]")
    {
        var text = $"model: m.onnx\n{data}labels: {labels}\n";
        var result = SpecParser.ParseText(text, Spec);
        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        return result.Spec!;
    }

    private void WriteNpy(string name, string descr, string shape)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(118) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        bytes.AddRange([1, 0]);
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));

        // The data itself (zeros): the loader's reader checks the file holds every element the header declares.
        var elements = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Aggregate(1L, (a, d) => a * long.Parse(d, System.Globalization.CultureInfo.InvariantCulture));
        bytes.AddRange(new byte[elements * int.Parse(descr[2..], System.Globalization.CultureInfo.InvariantCulture)]);
        File.WriteAllBytes(Path.Combine(_folder, name), [.. bytes]);
    }
}
