using Compress.Audio;
using Compress.Diagnostics;

namespace Compress.Core.Tests.Audio;

public sealed class WavReaderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("compress-wav-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("-b", "8", "-e", "unsigned-integer", 1.0 / 64)]
    [InlineData("-b", "16", "-e", "signed-integer", 1e-4)]
    [InlineData("-b", "24", "-e", "signed-integer", 1e-6)]
    [InlineData("-b", "32", "-e", "signed-integer", 1e-6)]
    [InlineData("-b", "32", "-e", "floating-point", 1e-6)]
    [InlineData("-b", "64", "-e", "floating-point", 1e-6)]
    public void Read_SoxFormats_MatchTheSine(string bitsFlag, string bits, string encodingFlag, string encoding, double tolerance)
    {
        var path = Path.Combine(_temp, $"{bits}-{encoding}.wav");
        Sox.Run("-n", "-r", "8000", "-c", "1", bitsFlag, bits, encodingFlag, encoding, path, "synth", "0.5", "sine", "440", "vol", "0.5");

        var clip = WavReader.Read(path);

        Assert.Equal(8000, clip.SampleRate);
        Assert.Equal(4000, clip.Samples.Length);
        var reference = WavReader.Read(Reference(8000, 1, "sine", "440")).Samples;
        Assert.All(Enumerable.Range(0, clip.Samples.Length), i => Assert.InRange(clip.Samples[i] - reference[i], -tolerance, tolerance));
        Assert.InRange(clip.Samples.Max(), 0.45f, 0.5001f);
    }

    [Fact]
    public void Read_Stereo24Bit_IsExtensibleAndDownmixesByAveraging()
    {
        var path = Path.Combine(_temp, "stereo.wav");
        Sox.Run("-n", "-r", "8000", "-c", "2", "-b", "24", path, "synth", "0.5", "sine", "440", "sine", "1000", "vol", "0.5");
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0xFFFE, BitConverter.ToUInt16(bytes, 20)); // sox writes WAVE_FORMAT_EXTENSIBLE for 24-bit

        var clip = WavReader.Read(path);

        var left = WavReader.Read(Reference(8000, 1, "sine", "440")).Samples;
        var right = WavReader.Read(Reference(8000, 1, "sine", "1000")).Samples;
        Assert.Equal(4000, clip.Samples.Length);
        Assert.All(Enumerable.Range(0, 4000), i => Assert.InRange(clip.Samples[i] - ((left[i] + right[i]) / 2), -1e-5, 1e-5));
    }

    [Fact]
    public void Read_SixChannels_AveragesAll()
    {
        var path = Path.Combine(_temp, "six.wav");
        Sox.Run("-n", "-r", "16000", "-c", "6", "-b", "16", path, "synth", "0.5", "sine", "300", "vol", "0.5");

        var clip = WavReader.Read(path);
        var mono = WavReader.Read(Reference(16000, 1, "sine", "300")).Samples;

        Assert.Equal(8000, clip.Samples.Length);
        Assert.All(Enumerable.Range(0, 8000), i => Assert.InRange(clip.Samples[i] - mono[i], -1e-4, 1e-4));
    }

    [Fact]
    public void Read_SkipsUnknownChunksAndReadsFromANonSeekableStream()
    {
        var samples = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i * 0.1) * 0.5f).ToArray();
        var plain = WavWriter.Encode(samples, 22050);
        var extra = new byte[] { (byte)'L', (byte)'I', (byte)'S', (byte)'T', 3, 0, 0, 0, 1, 2, 3, 0 };
        var file = plain[..36].Concat(extra).Concat(plain[36..]).ToArray();

        var clip = WavReader.Read(new NonSeekable(file), "mem.wav");

        Assert.Equal(22050, clip.SampleRate);
        Assert.All(Enumerable.Range(0, 100), i => Assert.InRange(clip.Samples[i] - samples[i], -1 / 32768f, 1 / 32768f));
    }

    [Fact]
    public void Writer_RoundTripsThroughSox()
    {
        var samples = Enumerable.Range(0, 1600).Select(i => (float)Math.Sin(i * 0.05) * 0.7f).ToArray();
        var path = Path.Combine(_temp, "written.wav");
        var converted = Path.Combine(_temp, "converted.wav");

        WavWriter.Write(path, samples, 16000);
        Sox.Run(path, "-b", "32", "-e", "floating-point", converted);

        var back = WavReader.Read(converted);
        Assert.Equal(16000, back.SampleRate);
        Assert.All(Enumerable.Range(0, 1600), i => Assert.InRange(back.Samples[i] - samples[i], -1 / 32768f, 1 / 32768f));
    }

    [Fact]
    public void Read_NotRiff_ReportsCmp3001WithTheFile()
    {
        var path = Path.Combine(_temp, "text.wav");
        File.WriteAllText(path, "this is not audio at all");

        AssertDiagnostic(DataMessages.NotWaveCode, path);
    }

    [Fact]
    public void Read_CompressedCodec_ReportsCmp3002()
    {
        var path = Path.Combine(_temp, "adpcm.wav");
        Sox.Run("-n", "-r", "8000", "-c", "1", "-e", "ima-adpcm", path, "synth", "0.1", "sine", "440");

        var d = AssertDiagnostic(DataMessages.UnsupportedEncodingCode, path);
        Assert.Contains("0x0011", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("u-law", 7)]
    [InlineData("a-law", 6)]
    public void Read_G711_DecodesExactlyAsSoxExpandsIt(string encoding, int tag)
    {
        // Stereo, so both channels' codes are expanded before averaging.
        var path = Path.Combine(_temp, $"{encoding}.wav");
        Sox.Run("-n", "-r", "8000", "-c", "2", "-e", encoding, path, "synth", "0.5", "sine", "440", "sine", "1000", "vol", "0.9");
        Assert.Equal(tag, BitConverter.ToUInt16(File.ReadAllBytes(path), 20));
        var expanded = Path.Combine(_temp, $"{encoding}-16.wav");
        Sox.Run(path, "-e", "signed-integer", "-b", "16", expanded);

        var clip = WavReader.Read(path);

        var reference = WavReader.Read(expanded).Samples;
        Assert.Equal(4000, clip.Samples.Length);
        Assert.Equal(reference, clip.Samples);
        Assert.InRange(clip.Samples.Max(), 0.5f, 1f);
    }

    [Fact]
    public void G711_EndpointsAreTheStandardsValues()
    {
        Assert.Equal((0, 0, -32124, 32124), (WavReader.MuLaw(0xFF), WavReader.MuLaw(0x7F), WavReader.MuLaw(0x00), WavReader.MuLaw(0x80)));
        Assert.Equal((8, -8, 32256, -32256), (WavReader.ALaw(0xD5), WavReader.ALaw(0x55), WavReader.ALaw(0xAA), WavReader.ALaw(0x2A)));
        // Both companding laws are odd and monotonic over their codes' magnitudes.
        var mu = Enumerable.Range(0, 128).Select(c => WavReader.MuLaw((byte)(0xFF - c))).ToList();
        Assert.Equal(mu.Order(), mu);
    }

    [Fact]
    public void Read_AClipLongerThanTheLimit_IsCmp3007_BeforeAllocatingIt()
    {
        // The header claims 8 kHz mono 16-bit for 700 s; only 2 s of data follow, on a stream that cannot seek.
        var bytes = WavWriter.Encode(new float[16000], 8000);
        BitConverter.GetBytes((uint)(700 * 8000 * 2)).CopyTo(bytes, 40);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<CompressException>(() => WavReader.Read(new NonSeekable(bytes), "long.wav"));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal((DataMessages.TooLongCode, "long.wav"), (d.Code, d.File));
        Assert.Contains("700 s of audio; clips may be at most 600 s", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AHeaderThatOverstatesTheDataOfANonSeekableStream_AllocatesOnlyWhatArrives()
    {
        // 500 s claimed (within the limit), 1 s delivered: a truncation error, not a 32 MB array.
        var bytes = WavWriter.Encode(new float[8000], 8000);
        BitConverter.GetBytes((uint)(500 * 8000 * 2)).CopyTo(bytes, 40);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<CompressException>(() => WavReader.Read(new NonSeekable(bytes), "liar.wav"));

        Assert.Equal(DataMessages.TruncatedCode, Assert.Single(e.Diagnostics).Code);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8 << 20);
    }

    [Fact]
    public void Read_TruncatedData_ReportsCmp3003()
    {
        var path = Path.Combine(_temp, "cut.wav");
        File.WriteAllBytes(path, WavWriter.Encode(new float[1000], 16000)[..1000]);

        AssertDiagnostic(DataMessages.TruncatedCode, path);
    }

    [Fact]
    public void Read_HeaderOnly_ReportsCmp3003()
    {
        var path = Path.Combine(_temp, "header.wav");
        File.WriteAllBytes(path, WavWriter.Encode(new float[10], 16000)[..36]);

        AssertDiagnostic(DataMessages.TruncatedCode, path);
    }

    [Fact]
    public void Read_ZeroLengthData_ReportsCmp3004()
    {
        var path = Path.Combine(_temp, "empty.wav");
        File.WriteAllBytes(path, WavWriter.Encode([], 16000));

        AssertDiagnostic(DataMessages.EmptyAudioCode, path);
    }

    [Theory]
    [InlineData(22, 0)] // channels
    [InlineData(24, 0)] // sample rate (low half)
    [InlineData(32, 7)] // block align
    public void Read_AbsurdHeader_ReportsCmp3005(int offset, byte value)
    {
        var path = Path.Combine(_temp, $"absurd{offset}.wav");
        var bytes = WavWriter.Encode(new float[10], 16000);
        bytes[offset] = value;
        bytes[offset + 1] = 0;
        File.WriteAllBytes(path, bytes);

        AssertDiagnostic(DataMessages.AbsurdHeaderCode, path);
    }

    [Fact]
    public void Read_HugeFmtChunk_ReportsCmp3005()
    {
        var path = Path.Combine(_temp, "hugefmt.wav");
        var bytes = WavWriter.Encode(new float[10], 16000);
        BitConverter.GetBytes(0x7FFFFFF0u).CopyTo(bytes, 16);
        File.WriteAllBytes(path, bytes);

        AssertDiagnostic(DataMessages.AbsurdHeaderCode, path);
    }

    [Fact]
    public void Read_MissingFile_ReportsCmp3006()
    {
        var path = Path.Combine(_temp, "missing.wav");

        AssertDiagnostic(DataMessages.UnreadableCode, path);
    }

    [Fact]
    public void FitTo_PadsAndTrimsAtTheEnd()
    {
        var clip = new AudioClip([1, 2, 3], 16000);

        Assert.Equal([1f, 2, 3, 0, 0], clip.FitTo(5).Samples);
        Assert.Equal([1f, 2], clip.FitTo(2).Samples);
        Assert.Same(clip, clip.FitTo(3));
    }

    private static Diagnostic AssertDiagnostic(string code, string path)
    {
        var e = Assert.Throws<CompressException>(() => WavReader.Read(path));
        var d = Assert.Single(e.Diagnostics);
        Assert.Equal(code, d.Code);
        Assert.Equal(path, d.File);
        Assert.True(d.IsError);
        return d;
    }

    private string Reference(int rate, int channels, params string[] synth)
    {
        var path = Path.Combine(_temp, $"ref-{rate}-{channels}-{string.Join("-", synth)}.wav");
        if (!File.Exists(path))
        {
            Sox.Run(["-n", "-r", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", channels.ToString(System.Globalization.CultureInfo.InvariantCulture), "-b", "64", "-e", "floating-point", path, "synth", "0.5", .. synth, "vol", "0.5"]);
        }

        return path;
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
