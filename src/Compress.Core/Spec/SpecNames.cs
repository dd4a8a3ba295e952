using System.Reflection;

namespace Compress.Spec;

/// <summary>Maps the enums the spec holds to and from their YAML spellings (<see cref="SpecNameAttribute"/>, else kebab case).</summary>
public static class SpecNames
{
    /// <summary>The YAML spelling of <paramref name="value"/>.</summary>
    public static string Of<T>(T value)
        where T : struct, Enum => Table<T>.Names.First(n => n.Value.Equals(value)).Name;

    /// <summary>Every YAML spelling of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum => Table<T>.Names.Select(n => n.Name).ToList();

    /// <summary>The value spelled <paramref name="name"/> (case-sensitive), or null.</summary>
    public static T? Parse<T>(string name)
        where T : struct, Enum
    {
        foreach (var entry in Table<T>.Names)
        {
            if (entry.Name == name)
            {
                return entry.Value;
            }
        }

        return null;
    }

    // Enums without SpecName (Export's StorageMode, EmbeddedCompression) are spelled in kebab case: SparseInt64 → sparse-int64.
    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static class Table<T>
        where T : struct, Enum
    {
        public static readonly (string Name, T Value)[] Names = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.GetCustomAttribute<SpecNameAttribute>()?.Name ?? Kebab(f.Name), (T)f.GetValue(null)!))
            .ToArray();
    }
}
