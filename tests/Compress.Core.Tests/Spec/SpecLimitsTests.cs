using Compress.Diagnostics;
using Compress.Spec;
using Compress.Spec.Yaml;

namespace Compress.Core.Tests.Spec;

/// <summary>The bounds of <see cref="YamlLimits"/>: hostile specs end in one CMP105x diagnostic at file:line, never a crash.</summary>
public sealed class SpecLimitsTests
{
    public static TheoryData<string> DeepTexts() => new()
    {
        "model: " + new string('[', 100_000),
        "model: " + string.Concat(Enumerable.Repeat("[", 100_000)) + string.Concat(Enumerable.Repeat("]", 100_000)),
        "model: " + string.Concat(Enumerable.Repeat("{a: ", 100_000)),
        string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i) + "a:\n")),
    };

    [Theory]
    [MemberData(nameof(DeepTexts))]
    public void Parse_DeepNesting_ReportsCmp1051(string text)
    {
        var d = Single(text);

        Assert.Equal(SpecMessages.TooDeepCode, d.Code);
        Assert.Contains($"{YamlLimits.MaxDepth} levels", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingAtTheLimit_IsNotALimitError()
    {
        // Depth 64 = the root mapping + 63 nested lists: parsed (a schema error follows, not CMP1051).
        var text = "model: " + new string('[', YamlLimits.MaxDepth - 1) + new string(']', YamlLimits.MaxDepth - 1);

        var result = SpecParser.ParseText(text, "compress.yaml");

        Assert.DoesNotContain(result.Diagnostics, d => d.Code == SpecMessages.TooDeepCode);
        Assert.NotEmpty(result.Diagnostics);
    }

    [Fact]
    public void Parse_BillionLaughs_ReportsCmp1052AtTheAlias()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        var d = Single(string.Join('\n', lines));

        Assert.Equal(SpecMessages.TooManyAliasesCode, d.Code);
        Assert.Contains("expanded", d.Message, StringComparison.Ordinal);
        Assert.Equal(5, d.Line); // a4 would expand to 10^5 values
    }

    [Fact]
    public void Parse_ManyAliases_ReportsCmp1052()
    {
        var text = "a: &x 1\nb: [" + string.Join(", ", Enumerable.Repeat("*x", YamlLimits.MaxAliases + 5)) + "]";

        var d = Single(text);

        Assert.Equal(SpecMessages.TooManyAliasesCode, d.Code);
        Assert.Equal(2, d.Line);
    }

    [Fact]
    public void Parse_LongScalar_ReportsCmp1053WithTheLength()
    {
        var d = Single("seed: 1\nmodel: " + new string('m', YamlLimits.MaxScalarLength + 1));

        Assert.Equal(SpecMessages.ScalarTooLongCode, d.Code);
        Assert.Equal((2, 8), (d.Line, d.Column));
        Assert.Contains($"{YamlLimits.MaxScalarLength + 1} characters", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseText_TooLarge_ReportsCmp1050()
    {
        var d = Single("# " + new string('x', YamlLimits.MaxBytes));

        Assert.Equal(SpecMessages.TooLargeCode, d.Code);
        Assert.Equal(1, d.Line);
    }

    [Fact]
    public void Parse_LargeFile_ReportsCmp1050WithoutReadingIt()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("compress-limits-").FullName, "compress.yaml");
        try
        {
            using (var f = File.Create(path))
            {
                f.SetLength(YamlLimits.MaxBytes + 1L);
            }

            var d = Assert.Single(SpecParser.Parse(path).Diagnostics);

            Assert.Equal(SpecMessages.TooLargeCode, d.Code);
            Assert.Equal(path, d.File);
            Assert.Equal(1, d.Line);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static Diagnostic Single(string text)
    {
        var result = SpecParser.ParseText(text, "compress.yaml");
        Assert.Null(result.Spec);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("compress.yaml", d.File);
        Assert.NotNull(d.Line);
        return d;
    }
}
