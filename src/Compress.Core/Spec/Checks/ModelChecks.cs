using System.Globalization;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Graph;
using Compress.Onnx;
using Compress.Onnx.Proto;

namespace Compress.Spec.Checks;

/// <summary>The model half of <c>validate</c>: readable, operators supported, inputs and outputs fit the spec.</summary>
internal static class ModelChecks
{
    /// <summary>Checks the model against the spec; returns its output head when one was found, and the loaded model.</summary>
    public static (OutputHead? Head, ModelProto? Model) Run(CompressSpec spec, OperatorRegistry registry, List<string> facts, List<Diagnostic> diagnostics)
    {
        // The loader run uses: versions, external data (confined to the model's folder), initializer sizes and the
        // graph's structure, every defect a CMP20xx/CMP2103 naming the file and node; validate must not pass a model
        // run would reject.
        ModelProto model;
        try
        {
            model = OnnxModelIO.Load(spec.Model.Path);
        }
        catch (CompressException e)
        {
            diagnostics.AddRange(e.Diagnostics);
            return (null, null);
        }

        var shape = ModelShape.Of(model);
        var unsupported = Unsupported(spec.Model.Path, model, shape, registry);
        diagnostics.AddRange(unsupported);
        facts.Add(F($"model     {spec.Model.Path}: {shape.Nodes} nodes, opset {shape.Opsets.GetValueOrDefault("")}, {shape.Operators.Count} operator types, {(unsupported.Count == 0 ? "all supported" : $"{unsupported.Count} unsupported")}"));
        facts.AddRange(shape.Inputs.Select(i => $"input     {i}"));
        facts.AddRange(shape.Outputs.Select(o => $"output    {o}"));

        var graphInputs = model.Graph.Input.Where(i => shape.Inputs.Any(t => t.Name == i.Name)).ToList();
        var extraProblems = ExtraInputs.Problems(graphInputs, spec.Model.Input, spec.Model.Inputs, spec.Model.Location).ToList();
        diagnostics.AddRange(extraProblems);
        var dataName = ExtraInputs.DataInputName(graphInputs, spec.Model.Input, spec.Model.Inputs);
        var input = spec.Model.Input is null && dataName is not null
            ? shape.Inputs.First(t => t.Name == dataName)
            : Pick(spec, shape.Inputs, "model.input", spec.Model.Input, "inputs", diagnostics);
        if (Pruning.ModelInspector.QuantizedWeights(model) is { Count: > 0 } quantized)
        {
            diagnostics.Add(ModelMessages.AlreadyQuantized(spec.Model.Path, [.. quantized.Select(q => q.Weight)]));
        }

        var head = OutputHead.Detect(model, spec.Model.Output, spec.LocationOf(spec.Model.Output is null ? "model" : "model.output"));
        diagnostics.AddRange(head.Diagnostics);
        if (head.Value is { } detected)
        {
            var found = spec.Ctc is { } ctc ? detected with { Ctc = ctc.Head(spec.Labels) } : detected;
            var ctcFact = found.Ctc is { } c ? $" over {c.Vocabulary} tokens ({(c.TimeMajor ? "[time, batch, vocab]" : "[batch, time, vocab]")}, blank '{spec.Labels[c.Blank]}')" : "";
            facts.Add($"head      {found.Output}: {found.Description}{ctcFact}, trained with {found.LossName}");
            if (found.CheckLabels(spec.Labels, spec.LabelsLocation) is { } mismatch)
            {
                diagnostics.Add(mismatch);
            }
        }

        if (input is not null && !CheckLayout(spec, graphInputs.First(i => i.Name == input.Name), facts, diagnostics))
        {
            CheckInput(spec, input, diagnostics);
        }

        return (head.Value, model);
    }

    private static List<Diagnostic> Unsupported(string file, ModelProto model, ModelShape shape, OperatorRegistry registry)
    {
        var problems = new List<Diagnostic>();
        var seen = new HashSet<(string, string)>();
        foreach (var node in ModelShape.AllNodes(model.Graph))
        {
            var domain = OperatorRegistry.Normalise(node.Domain);
            var opset = shape.Opsets.GetValueOrDefault(domain, 1);
            if (registry.Find(domain, node.OpType, opset) is null && seen.Add((domain, node.OpType)))
            {
                problems.Add(ModelMessages.UnsupportedOperator(file, node.Name, domain, node.OpType, opset, registry.SupportedNames));
            }
        }

        return problems;
    }

    private static ModelTensor? Pick(CompressSpec spec, IReadOnlyList<ModelTensor> tensors, string key, string? name, string what, List<Diagnostic> diagnostics)
    {
        var names = string.Join(", ", tensors.Select(t => t.Name));
        if (name is not null)
        {
            var found = tensors.FirstOrDefault(t => t.Name == name);
            if (found is null)
            {
                diagnostics.Add(SpecMessages.ModelMismatch(spec.LocationOf(key), $"'{key}' is '{name}', but the model's {what} are: {names}"));
            }

            return found;
        }

        if (what == "inputs" && tensors.Count != 1)
        {
            diagnostics.Add(SpecMessages.ModelMismatch(spec.Model.Location, F($"the model has {tensors.Count} inputs ({names}); name the one that receives audio or features with '{key}'")));
            return null;
        }

        return tensors.FirstOrDefault();
    }

    /// <summary>
    /// The feature layout of a rank-3/4 input (or one <c>features.layout</c> names), by the rule <c>run</c> uses: a fact
    /// naming it, or CMP1040/CMP1041. False when no layout applies (raw audio, other ranks): the plain checks run.
    /// </summary>
    private static bool CheckLayout(CompressSpec spec, ValueInfoProto input, List<string> facts, List<Diagnostic> diagnostics)
    {
        var frontEnd = spec.Features.ToFrontEnd();
        var (layout, problem) = InputLayout.Resolve(input, frontEnd, spec.Features.Layout, spec.LocationOf("features.layout"));
        if (problem is not null)
        {
            diagnostics.Add(problem);
            return true;
        }

        if (layout is null)
        {
            return false;
        }

        var transpose = layout.PermutationFromCanonical();
        facts.Add($"layout    {layout}{(transpose is null ? "" : $" (the front end's [batch, ..., frames, bins] is transposed with perm [{string.Join(", ", transpose)}])")}");
        return true;
    }

    private static void CheckInput(CompressSpec spec, ModelTensor input, List<Diagnostic> diagnostics)
    {
        var features = spec.Features;
        if (input.Dimensions is not { Count: > 0 } dims || dims[^1] is not long last)
        {
            return;
        }

        if (features.Kind == FrontEndKind.None && spec.Data.Format != DatasetFormat.Npy && dims.Count == 2)
        {
            var samples = (long)Math.Round(features.SampleRate * features.ClipSeconds);
            if (last != samples)
            {
                diagnostics.Add(SpecMessages.ModelMismatch(spec.LocationOf("features.clip_seconds"), F($"the model's input '{input.Name}' takes {last} samples, but features.sample_rate × features.clip_seconds is {samples}")));
            }
        }
        else if (features.Kind != FrontEndKind.None && dims.Count >= 3)
        {
            var (key, bins) = features.Kind == FrontEndKind.Mfcc ? ("features.coefficients", features.Coefficients) : ("features.mel_bins", features.MelBins);
            if (last != bins)
            {
                diagnostics.Add(SpecMessages.ModelMismatch(spec.LocationOf(key), F($"the model's input '{input.Name}' has {last} features per frame (last dimension), but '{key}' is {bins}")));
            }
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
