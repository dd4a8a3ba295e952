using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary>
/// The bad-spec corpus: every file in BadSpecs/ is a compress.yaml whose leading comments say what to run
/// (<c># set: key=value</c> adds an override) and which diagnostics must come out, exactly and in order
/// (<c># expect: compress.yaml(L,C): error CMP1xxx: ...</c>).
/// </summary>
public sealed class BadSpecCorpusTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusFolder(), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Corpus_HasAtLeastTwentyFiveCases_EachWithExpectations()
    {
        var files = Directory.GetFiles(CorpusFolder(), "*.yaml");
        Assert.True(files.Length >= 25, $"{files.Length} cases");
        Assert.All(files, f => Assert.Contains("# expect: ", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadSpec_ReportsExactlyTheExpectedDiagnostics(string name)
    {
        var text = File.ReadAllText(Path.Combine(CorpusFolder(), name));
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var overrides = lines.Where(l => l.StartsWith("# set: ", StringComparison.Ordinal)).Select(l => l["# set: ".Length..]).ToList();
        var expected = lines.Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal)).Select(l => l["# expect: ".Length..]).ToList();

        var result = SpecParser.ParseText(text, "compress.yaml", overrides);

        Assert.Null(result.Spec);
        Assert.Equal(expected, result.Diagnostics.Select(d => d.ToString()).ToList());
    }

    private static string CorpusFolder() => Path.Combine(FullSpec.RepositoryRoot(), "tests", "Compress.Core.Tests", "Spec", "BadSpecs");
}
