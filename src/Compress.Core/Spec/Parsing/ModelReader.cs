using Compress.Diagnostics;
namespace Compress.Spec.Parsing;

/// <summary>Reads <c>model:</c> — either a mapping (<c>path</c>, <c>input</c>, <c>output</c>) or just the path.</summary>
internal static class ModelReader
{
    public static ModelSpec? Read(SpecContext context, SectionReader root)
    {
        if (!root.Has("model"))
        {
            context.Add(SpecMessages.MissingKey(context.Top, "model"));
            return null;
        }

        if (root.Node("model") is Yaml.YamlScalar)
        {
            // The short form: model: path/to/model.onnx
            var shortPath = RequirePath(context, root, "model");
            return shortPath is null ? null : new ModelSpec { Path = shortPath, Location = root.KeyAt("model") };
        }

        var r = root.Section("model");
        string? path = null;
        if (!r.Has("path"))
        {
            context.Add(SpecMessages.MissingKey(r.Location, "model.path"));
        }
        else
        {
            path = RequirePath(context, r, "path");
        }

        var spec = new ModelSpec
        {
            Path = path ?? "",
            Input = NonEmpty(r, "input"),
            Output = NonEmpty(r, "output"),
            Inputs = Inputs(context, r) is { Count: > 0 } inputs ? inputs : ModelSpec.NoInputs,
            Location = r.Location,
        };
        r.Finish();
        return path is null ? null : spec;
    }

    /// <summary><c>inputs: {h0: zeros, sr: 16000, c0: c0.npy, h1: {value: zeros, batch_axis: 1}}</c>.</summary>
    private static Dictionary<string, ExtraInputSpec> Inputs(SpecContext context, SectionReader r)
    {
        var result = new Dictionary<string, ExtraInputSpec>(StringComparer.Ordinal);
        var node = r.Node("inputs");
        if (node is null)
        {
            return result;
        }

        if (node is not Yaml.YamlMapping mapping)
        {
            context.Add(SpecMessages.WrongType(node.Location, "model.inputs", "a mapping of input names to values", node.Describe()));
            return result;
        }

        var inputs = new SectionReader(context, "model.inputs", mapping, r.KeyAt("inputs"));
        foreach (var entry in mapping.Entries)
        {
            var name = entry.Key;
            if (inputs.Node(name) is not { } value)
            {
                continue;
            }

            int? batchAxis = null;
            var at = inputs.At(name);
            if (value is Yaml.YamlMapping)
            {
                var section = inputs.Section(name);
                batchAxis = section.OptionalInt("batch_axis", NumberRange.AtLeast(0));
                value = section.Node("value");
                at = section.At("value");
                if (value is null)
                {
                    context.Add(SpecMessages.MissingKey(section.Location, $"model.inputs.{name}.value"));
                }

                section.Finish();
            }

            if (value is null)
            {
                continue;
            }

            if (value is not Yaml.YamlScalar { IsNull: false } scalar || scalar.Value.Trim().Length == 0)
            {
                context.Add(SpecMessages.WrongType(value.Location, $"model.inputs.{name}", "zeros, a number or a .npy path", value.Describe()));
                continue;
            }

            var text = scalar.Value.Trim();
            var location = at;
            context.Locations[$"model.inputs.{name}"] = location;
            if (text == "zeros")
            {
                result[name] = new ExtraInputSpec(ExtraInputKind.Zeros, 0, null, batchAxis, location);
            }
            else if (scalar.Plain && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                result[name] = new ExtraInputSpec(ExtraInputKind.Number, number, null, batchAxis, location);
            }
            else if (text.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                result[name] = new ExtraInputSpec(ExtraInputKind.Npy, 0, context.Resolve(text), batchAxis, location);
            }
            else
            {
                context.Add(SpecMessages.WrongType(value.Location, $"model.inputs.{name}", "zeros, a number or a .npy path", value.Describe()));
            }
        }

        return result;
    }

    /// <summary>A non-empty path (resolved), or a diagnostic.</summary>
    internal static string? RequirePath(SpecContext context, SectionReader r, string key)
    {
        var text = r.String(key);
        if (text is null)
        {
            return null;
        }

        if (text.Trim().Length == 0)
        {
            context.Add(SpecMessages.WrongType(r.At(key), r.Child(key), "a path", "an empty string"));
            return null;
        }

        return context.Resolve(text);
    }

    private static string? NonEmpty(SectionReader r, string key)
    {
        var value = r.String(key);
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
