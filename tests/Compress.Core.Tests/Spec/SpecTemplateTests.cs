using Compress.Core.Tests.Data;
using Compress.Core.Tests.Onnx;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Spec;
using Compress.Spec.Checks;

namespace Compress.Core.Tests.Spec;

/// <summary>
/// <c>init</c> on models as PyTorch exports them (the committed fixture corpus) and on every kind of data: the spec
/// it writes parses, and <c>validate</c> finds nothing to fix in it but the label names it could not know.
/// </summary>
public sealed class SpecTemplateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-init-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Npy_WithSplitFiles_AndASigmoidHead_WritesSplitPaths_OneLabel_AndValidates()
    {
        var model = CopyFixture("wakeword_head_b1");
        var data = Directory.CreateDirectory(Path.Combine(_folder, "emb")).FullName;
        foreach (var split in NpySource.SplitNames)
        {
            NpyWriter.Floats(Path.Combine(data, $"X_{split}.npy"), new float[2 * 16 * 96], 2, 16, 96);
            NpyWriter.Longs(Path.Combine(data, $"y_{split}.npy"), [0, 1]);
        }

        var (spec, notes) = Init(model, Path.Combine(data, "X_train.npy"));

        Assert.Equal(DatasetFormat.Npy, spec.Data.Format);
        Assert.EndsWith(Path.Combine("emb", "X_{split}.npy"), spec.Data.Features, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("emb", "y_{split}.npy"), spec.Data.Labels, StringComparison.Ordinal);
        Assert.Equal(FrontEndKind.None, spec.Features.Kind);
        Assert.Equal(["positive"], spec.Labels);
        Assert.Contains(notes, n => n.Message.Contains("one sigmoid score; name its positive class", StringComparison.Ordinal));
        Assert.Empty(Errors(spec));
    }

    [Fact]
    public void Npy_SingleArray_FindsItsLabels_AndNamesTheSoftmaxClasses()
    {
        var model = CopyFixture("softmax_out_op13");
        NpyWriter.Floats(Path.Combine(_folder, "features.npy"), new float[3 * 49 * 40], 3, 1, 49, 40);
        NpyWriter.Longs(Path.Combine(_folder, "labels.npy"), [0, 5, 11]);

        var (spec, _) = Init(model, Path.Combine(_folder, "features.npy"));
        var text = File.ReadAllText(Path.Combine(_folder, "compress.yaml"));

        Assert.Equal(Path.Combine(_folder, "labels.npy"), spec.Data.Labels);
        Assert.Equal(12, spec.Labels.Count);
        Assert.Equal("class_11", spec.Labels[^1]);
        Assert.Contains("trained on the scores before it", text, StringComparison.Ordinal);
        Assert.Empty(Errors(spec));
    }

    [Fact]
    public void Manifest_TakesLabelsFromItsLabelColumn()
    {
        var model = CopyFixture("dscnn_bn_op13");
        var labels = new[] { "_silence_", "_unknown_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go" };
        var words = labels.Skip(2).ToArray();
        Directory.CreateDirectory(Path.Combine(_folder, "clips"));
        File.WriteAllLines(Path.Combine(_folder, "clips.csv"), ["path,label,split", .. words.Select((w, i) => $"clips/{w}.wav,{w},{(i % 3 == 0 ? "test" : "train")}")]);

        var (spec, _) = Init(model, Path.Combine(_folder, "clips.csv"));

        Assert.Equal(DatasetFormat.Manifest, spec.Data.Format);
        Assert.Equal(["_silence_", "_unknown_", .. words.Order(StringComparer.Ordinal)], spec.Labels);
    }

    [Fact]
    public void TimeLastInput_WritesTheLayout_AndValidateAgrees()
    {
        var model = CopyFixture("tcn_timelast_op17");
        foreach (var word in new[] { "yes", "no" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, "data", word));
        }

        var (spec, _) = Init(model, Path.Combine(_folder, "data"));

        Assert.Equal("[batch, bins, frames]", spec.Features.Layout?.ToString());
        Assert.Equal((40, 20.0), (spec.Features.MelBins, spec.Features.HopMs));
        Assert.DoesNotContain(SpecChecks.Validate(spec).Diagnostics, d => d.Code is "CMP1040" or "CMP1041");
    }

    [Fact]
    public void ExtraStateInput_IsFedZeros()
    {
        var model = CopyFixture("gru_state_io_op15");
        Directory.CreateDirectory(Path.Combine(_folder, "data", "yes"));

        var (spec, notes) = Init(model, Path.Combine(_folder, "data"));

        Assert.Equal("input", spec.Model.Input);
        Assert.Equal(ExtraInputKind.Zeros, spec.Model.Inputs["h0"].Kind);
        Assert.Equal("logits", spec.Model.Output);
        Assert.Contains(notes, n => n.Message.Contains("fed zeros to 'h0'", StringComparison.Ordinal));
        Assert.DoesNotContain(SpecChecks.Validate(spec).Diagnostics, d => d.Code is "CMP1042" or "CMP1043" or "CMP1030");
    }

    private string CopyFixture(string name)
    {
        var source = ExportedFixtures.Get(name).Path;
        var target = Path.Combine(_folder, Path.GetFileName(source));
        File.Copy(source, target);
        return target;
    }

    private (CompressSpec Spec, IReadOnlyList<Diagnostic> Notes) Init(string model, string data)
    {
        var path = Path.Combine(_folder, "compress.yaml");
        var scaffold = SpecTemplate.Create(path, model, data);
        Assert.NotNull(scaffold.Text);
        File.WriteAllText(path, scaffold.Text);
        var parsed = SpecParser.Parse(path);
        Assert.True(parsed.Spec is not null, scaffold.Text + "\n" + string.Join("\n", parsed.Diagnostics));
        return (parsed.Spec, scaffold.Diagnostics);
    }

    private static List<Diagnostic> Errors(CompressSpec spec) => [.. SpecChecks.Validate(spec).Diagnostics.Where(d => d.IsError)];
}
