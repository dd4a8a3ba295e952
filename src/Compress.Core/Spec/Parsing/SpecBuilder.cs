using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Runtime;
using Compress.Spec.Yaml;

namespace Compress.Spec.Parsing;

/// <summary>Reads the whole tree into a <see cref="CompressSpec"/>, section by section, then checks across sections.</summary>
internal static class SpecBuilder
{
    public static CompressSpec? Build(SpecContext context, YamlNode? rootNode, string hash)
    {
        if (rootNode is not (null or YamlMapping))
        {
            context.Add(SpecMessages.WrongType(rootNode.Location, "compress.yaml", "a mapping of sections (model:, data:, labels: ...)", rootNode.Describe()));
            return null;
        }

        var root = new SectionReader(context, "", rootNode as YamlMapping, context.Top);
        var model = ModelReader.Read(context, root);
        var labels = ReadLabels(context, root);
        var data = DataReader.Read(context, root, labels ?? []);
        var features = FeaturesReader.Read(context, root, data?.Format ?? DatasetFormat.SpeechCommands);
        var finetune = FinetuneReader.Read(context, root);
        var gate = GateReader.Read(context, root);
        var pruning = PruningReader.Read(context, root, gate is not null, finetune.Epochs);
        var output = OutputReader.Read(context, root, model);
        var quantize = QuantizeReader.Read(context, root);
        var (task, ctc, wakeWord) = TaskReader.Read(context, root, labels, data, gate);
        var device = root.Enum("device", ComputeDevice.Auto);
        var seed = root.Int("seed", 0, NumberRange.Closed(0, int.MaxValue));
        var threads = root.OptionalInt("threads", NumberRange.Closed(1, 1024));
        root.Finish();

        if (data?.Augmentation is { } augmentation && features.Kind == FrontEndKind.None && data.Format != DatasetFormat.Npy)
        {
            foreach (var (key, count) in new[] { ("time_masks", augmentation.TimeMasks), ("freq_masks", augmentation.FreqMasks) })
            {
                if (count > 0)
                {
                    var at = context.Locations.GetValueOrDefault($"data.augmentation.{key}", augmentation.Location);
                    context.Add(SpecMessages.Contradiction(at, $"'data.augmentation.{key}' masks a spectrogram, but features.kind is none"));
                }
            }
        }

        if (context.Diagnostics.Any(d => d.IsError) || model is null || labels is null || data is null)
        {
            return null;
        }

        return new CompressSpec
        {
            File = context.File,
            Folder = context.Folder,
            Hash = hash,
            Model = model,
            Data = data,
            Labels = labels,
            LabelsLocation = root.KeyAt("labels"),
            Features = features,
            Pruning = pruning,
            Finetune = finetune,
            Gate = gate,
            Output = output,
            Quantize = quantize,
            Task = task,
            Ctc = ctc,
            WakeWord = wakeWord,
            Device = device,
            Seed = seed,
            Threads = threads,
            Locations = new Dictionary<string, SpecLocation>(context.Locations, StringComparer.Ordinal),
        };
    }

    private static ValueList<string>? ReadLabels(SpecContext context, SectionReader root)
    {
        if (!root.Has("labels"))
        {
            context.Add(SpecMessages.MissingKey(context.Top, "labels"));
            return null;
        }

        var labels = root.Strings("labels");
        if (labels is null)
        {
            return null;
        }

        if (labels.Count == 0)
        {
            context.Add(SpecMessages.OutOfRange(root.At("labels"), "labels", "a list of at least one label", "an empty list"));
            return null;
        }

        var ok = true;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
        {
            var at = context.Locations[$"labels[{i}]"];
            if (labels[i].Trim().Length == 0)
            {
                context.Add(SpecMessages.EmptyLabel(at, i));
                ok = false;
            }
            else if (!seen.TryAdd(labels[i], i))
            {
                context.Add(SpecMessages.DuplicateLabel(at, labels[i], seen[labels[i]], i));
                ok = false;
            }
        }

        return ok ? labels : null;
    }
}
