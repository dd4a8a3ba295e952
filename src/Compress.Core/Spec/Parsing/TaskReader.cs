using Compress.Data;
using Compress.Diagnostics;
using Compress.Text;

namespace Compress.Spec.Parsing;

/// <summary>
/// Reads <c>task:</c>, <c>ctc:</c> and <c>wake_word:</c>, and checks them against the labels, the data format and the
/// gate metric. Without <c>task:</c>, a <c>ctc:</c> section or a wer/cer gate makes the task ctc; else a
/// <c>wake_word:</c> section or an <c>frr_at_fa_per_hour</c> gate makes it wake_word; anything else is classify.
/// </summary>
internal static class TaskReader
{
    public static (TaskKind Task, CtcSpec? Ctc, WakeWordSpec? WakeWord) Read(SpecContext context, SectionReader root, IReadOnlyList<string>? labels, DataSpec? data, GateSpec? gate)
    {
        var ctcWritten = root.Node("ctc") is Yaml.YamlMapping;
        var wakeWordWritten = root.Node("wake_word") is Yaml.YamlMapping;
        var errorRate = gate?.Metric is GateMetricKind.Wer or GateMetricKind.Cer;
        var falseRejects = gate?.Metric is GateMetricKind.FrrAtFaPerHour;
        var task = root.Has("task") ? root.Enum("task", TaskKind.Classify)
            : ctcWritten || errorRate ? TaskKind.Ctc
            : wakeWordWritten || falseRejects ? TaskKind.WakeWord
            : TaskKind.Classify;
        var r = root.Section("ctc");
        var layout = r.Enum("layout", CtcLayout.BatchTime);
        var normalization = new TextNormalization(r.Bool("lowercase", true), r.Bool("strip_punctuation", true));
        var blankName = r.String("blank");
        var delimiterName = r.String("word_delimiter");
        var grammar = r.FilePath("grammar");
        r.Finish();
        var w = root.Section("wake_word");
        var wakeWordLabel = w.String("label");
        var wakeWordFa = w.OptionalDouble("fa_per_hour", NumberRange.OpenClosed(0, 3600));
        w.Finish();

        var taskName = SpecNames.Of(task);
        if (task != TaskKind.Ctc && ctcWritten)
        {
            context.Add(SpecMessages.NoEffect(root.KeyAt("ctc"), "ctc", $"with 'task: {taskName}'"));
        }

        if (task != TaskKind.WakeWord && wakeWordWritten)
        {
            context.Add(SpecMessages.NoEffect(root.KeyAt("wake_word"), "wake_word", $"with 'task: {taskName}'"));
        }

        if (task != TaskKind.Ctc && errorRate && gate is not null)
        {
            context.Add(SpecMessages.Contradiction(context.Locations.GetValueOrDefault("gate.metric", gate.Location), $"gate.metric {SpecNames.Of(gate.Metric)} measures transcriptions; it needs 'task: ctc'"));
        }

        if (task == TaskKind.Classify)
        {
            return (task, null, null);
        }

        if (task == TaskKind.WakeWord)
        {
            return (task, null, WakeWord(context, root, w, labels, gate, wakeWordLabel, wakeWordFa, wakeWordWritten));
        }

        if (gate?.Metric is GateMetricKind.MacroF1 or GateMetricKind.FrrAtFaPerHour)
        {
            context.Add(SpecMessages.Contradiction(context.Locations.GetValueOrDefault("gate.metric", gate.Location), $"gate.metric {SpecNames.Of(gate.Metric)} measures a classifier; with 'task: ctc' use wer, cer or accuracy (the share of utterances decoded exactly)"));
        }

        if (data is not null && data.Format != DatasetFormat.Manifest)
        {
            context.Add(SpecMessages.Contradiction(context.Locations.GetValueOrDefault("data.format", data.Location), $"'task: ctc' reads transcripts from a manifest (path,transcript[,split]); data.format is {SpecNames.Of(data.Format)}"));
        }

        if (labels is null)
        {
            return (task, null, null);
        }

        var blank = 0;
        if (blankName is not null && (blank = IndexOf(labels, blankName)) < 0)
        {
            context.Add(SpecMessages.Contradiction(r.At("blank"), $"ctc.blank '{blankName}' is not one of the labels"));
            blank = 0;
        }

        int? delimiter = null;
        if (delimiterName is not null)
        {
            delimiter = IndexOf(labels, delimiterName);
            if (delimiter < 0 || delimiter == blank)
            {
                context.Add(SpecMessages.Contradiction(r.At("word_delimiter"), delimiter < 0
                    ? $"ctc.word_delimiter '{delimiterName}' is not one of the labels"
                    : $"ctc.word_delimiter '{delimiterName}' is the blank"));
                delimiter = null;
            }
        }
        else if (IndexOf(labels, CtcSpec.DefaultWordDelimiter) is var d and >= 0 && d != blank)
        {
            delimiter = d;
        }

        if (labels.Count < 2)
        {
            context.Add(SpecMessages.OutOfRange(context.Locations.GetValueOrDefault("labels", root.Location), "labels", "with 'task: ctc', the blank and at least one token", $"{labels.Count} label"));
        }

        return (task, new CtcSpec
        {
            Blank = blank,
            WordDelimiter = delimiter,
            Layout = layout,
            Normalization = normalization,
            Grammar = grammar,
            Location = ctcWritten ? root.KeyAt("ctc") : root.KeyAt("task"),
        }, null);
    }

    private static WakeWordSpec WakeWord(SpecContext context, SectionReader root, SectionReader w, IReadOnlyList<string>? labels, GateSpec? gate, string? label, double? faPerHour, bool written)
    {
        if (label is not null && labels is not null && IndexOf(labels, label) < 0)
        {
            context.Add(SpecMessages.Contradiction(w.At("label"), $"wake_word.label '{label}' is not one of the labels"));
            label = null;
        }

        var gateFaPerHour = gate?.Metric == GateMetricKind.FrrAtFaPerHour ? gate.FaPerHour : null;
        if (faPerHour is double mine && gateFaPerHour is double theirs && mine != theirs)
        {
            context.Add(SpecMessages.Contradiction(w.At("fa_per_hour"), FormattableString.Invariant(
                $"wake_word.fa_per_hour {mine} differs from gate.fa_per_hour {theirs}; the gate judges the operating point the app ships, so write it once")));
        }

        return new WakeWordSpec
        {
            Label = label,
            FaPerHour = faPerHour ?? gateFaPerHour ?? WakeWordSpec.DefaultFaPerHour,
            Location = written ? root.KeyAt("wake_word") : root.KeyAt("task"),
        };
    }

    private static int IndexOf(IReadOnlyList<string> labels, string name)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
