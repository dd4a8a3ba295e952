using Compress.Features;
using Compress.Pruning;
using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary>Specs that exercise each format, method and schedule must parse without a single diagnostic.</summary>
public sealed class GoodSpecCorpusTests
{
    public static TheoryData<string> Cases() => new(Directory.GetFiles(Folder(), "*.yaml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void GoodSpec_ParsesWithoutDiagnostics(string name)
    {
        var result = SpecParser.Parse(Path.Combine(Folder(), name));

        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        Assert.NotNull(result.Spec);
    }

    [Fact]
    public void GoodSpecs_CarryWhatTheyWrite()
    {
        CompressSpec Load(string name) => SpecParser.Parse(Path.Combine(Folder(), name)).Spec!;

        Assert.Equal((PruningMethod.NM, 1, 4, FrontEndKind.None, 2), (Load("npy-nm.yaml").Pruning.Method, Load("npy-nm.yaml").Pruning.N, Load("npy-nm.yaml").Pruning.M, Load("npy-nm.yaml").Features.Kind, Load("npy-nm.yaml").Data.Augmentation!.FreqMasks));
        Assert.Equal((GateMetricKind.FrrAtFaPerHour, 0.5, 0.05), (Load("wakeword-frr.yaml").Gate!.Metric, Load("wakeword-frr.yaml").Gate!.FaPerHour, Load("wakeword-frr.yaml").Gate!.Max));
        Assert.Equal((ScheduleKind.Iterative, 4, 4), (Load("iterative-channel.yaml").Pruning.Schedule.Kind, Load("iterative-channel.yaml").Pruning.Schedule.Rounds, Load("iterative-channel.yaml").Pruning.RoundTo));
        Assert.Equal(["0", "1", "2"], Load("raw-audio-none.yaml").Labels);
        Assert.Equal((5, 32, Path.Combine(Folder(), "speech")), (Load("one-shot-anchors.yaml").Finetune.Epochs, Load("one-shot-anchors.yaml").Finetune.BatchSize, Load("one-shot-anchors.yaml").Data.Cache));
        Assert.Equal("probs", Load("manifest-l1.yaml").Model.Output);
        Assert.Equal(Compress.Export.WeightQuantization.Int8, Load("npy-nm.yaml").Quantize.Weights);
        var ctc = Load("ctc-wer.yaml");
        Assert.Equal((TaskKind.Ctc, 0, 1, CtcLayout.TimeBatch, true, false), (ctc.Task, ctc.Ctc!.Blank, ctc.Ctc.WordDelimiter, ctc.Ctc.Layout, ctc.Ctc.Normalization.Lowercase, ctc.Ctc.Normalization.StripPunctuation));
        Assert.Equal((GateMetricKind.Wer, 0.15, 0.02), (ctc.Gate!.Metric, ctc.Gate.Max, ctc.Gate.MaxDrop));
        Assert.Equal(Path.Combine(Folder(), "phrases", "commands.txt"), ctc.Ctc.Grammar);
        Assert.Equal((TaskKind.Classify, null, null), (Load("manifest-l1.yaml").Task, Load("manifest-l1.yaml").Ctc, Load("manifest-l1.yaml").WakeWord));
        var inferred = Load("wakeword-frr.yaml");
        Assert.Equal((TaskKind.WakeWord, null, 0.5), (inferred.Task, inferred.WakeWord!.Label, inferred.WakeWord.FaPerHour));
        var wake = Load("wake-word.yaml");
        Assert.Equal((TaskKind.WakeWord, "hey_device", 0.25, GateMetricKind.Accuracy), (wake.Task, wake.WakeWord!.Label, wake.WakeWord.FaPerHour, wake.Gate!.Metric));
    }

    private static string Folder() => Path.Combine(FullSpec.RepositoryRoot(), "tests", "Compress.Core.Tests", "Spec", "GoodSpecs");
}
