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
            Location = r.Location,
        };
        r.Finish();
        return path is null ? null : spec;
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
