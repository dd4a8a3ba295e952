using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Compress.Audio;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Pruning;
using Compress.Runtime;
using Compress.Spec;

namespace Compress.Fuzz;

/// <summary>
/// One reader of untrusted input under fuzzing: its seed files and a function that runs the reader on some bytes
/// and returns <c>null</c> on success or the code of the first diagnostic of the <see cref="CompressException"/>
/// (or failed parse result) it produced. Any other exception escapes <see cref="Run"/>: that is the bug the fuzzer looks for.
/// </summary>
/// <param name="Name">Short name (<c>onnx</c>, <c>wav</c>, <c>yaml</c>, <c>npy</c>).</param>
/// <param name="Kind">How its inputs are mutated.</param>
/// <param name="SeedNames">Where each seed came from (file name or a description of the in-memory seed).</param>
/// <param name="Seeds">The valid inputs mutations start from.</param>
/// <param name="Run">Runs the reader on one input.</param>
public sealed record FuzzTarget(string Name, InputKind Kind, IReadOnlyList<string> SeedNames, IReadOnlyList<byte[]> Seeds, Func<byte[], string?> Run);

/// <summary>
/// The four readers of untrusted input (ONNX models, WAV files, compress.yaml, .npy headers) and their seeds, shared
/// by the fuzz tests and the bench's <c>fuzz</c> section. The invariant checked on every input: the reader succeeds or
/// throws <see cref="CompressException"/> whose diagnostics all carry a <c>CMPnnnn</c> code.
/// </summary>
public static partial class FuzzTargets
{
    /// <summary>The small exported fixture models used as ONNX seeds besides the sample's dense model.</summary>
    public static IReadOnlyList<string> FixtureModels { get; } =
        ["cnn_reshape_b1_op13.onnx", "dscnn_bn_op13.onnx", "attention_kws_op17.onnx", "gru_kws_op13_fixed.onnx"];

    /// <summary>
    /// All four targets. <paramref name="repository"/> is the repository root (seed files);
    /// <paramref name="scratch"/> an existing folder for the .npy target's file (the reader takes a path) and as the
    /// folder external ONNX data would resolve against.
    /// </summary>
    public static IReadOnlyList<FuzzTarget> All(string repository, string scratch) =>
        [Onnx(repository, scratch), Wav(repository), Yaml(repository), Npy(scratch)];

    /// <summary>ONNX models: <see cref="OnnxModelIO.Load(ReadOnlySpan{byte}, string?, string?)"/>, then <see cref="PrunableWeights.Prepare"/> as run/validate do.</summary>
    public static FuzzTarget Onnx(string repository, string scratch)
    {
        var files = new List<string> { Path.Combine(repository, "samples/AppWithModel/model/kws-dense.onnx") };
        files.AddRange(FixtureModels.Select(f => Path.Combine(repository, "tests/fixtures/exported", f)));
        var external = Path.Combine(scratch, "onnx-external");
        Directory.CreateDirectory(external);
        // As the tool does before any torch call (constant folding evaluates Constant nodes with torch).
        TorchRuntime.Initialize();
        return new FuzzTarget("onnx", InputKind.OnnxModel, files.Select(Path.GetFileName).ToList()!, files.Select(File.ReadAllBytes).ToList(), bytes => Classify(() =>
        {
            var model = OnnxModelIO.Load(bytes, "fuzz.onnx", external);
            PrunableWeights.Prepare(model);
        }));
    }

    /// <summary>WAV files: <see cref="WavReader.Read(Stream, string)"/> over a memory stream.</summary>
    public static FuzzTarget Wav(string repository)
    {
        var names = new List<string>();
        var seeds = new List<byte[]>();
        var tone = Enumerable.Range(0, 1600).Select(i => 0.5f * MathF.Sin(i * 0.07f)).ToArray();
        names.Add("WavWriter mono 16-bit 16 kHz");
        seeds.Add(WavWriter.Encode(tone, 16000));
        names.Add("stereo 24-bit PCM 8 kHz, LIST chunk");
        seeds.Add(Wave(format: 1, channels: 2, rate: 8000, bits: 24, extensible: false, frames: 200, extraChunk: true));
        names.Add("WAVE_FORMAT_EXTENSIBLE float32 mono 22.05 kHz");
        seeds.Add(Wave(format: 3, channels: 1, rate: 22050, bits: 32, extensible: true, frames: 300, extraChunk: false));
        names.Add("8-bit unsigned PCM 3 channels 11.025 kHz");
        seeds.Add(Wave(format: 1, channels: 3, rate: 11025, bits: 8, extensible: false, frames: 100, extraChunk: false));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(repository, "tests"), "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(4))
        {
            names.Add(Path.GetRelativePath(repository, file));
            seeds.Add(File.ReadAllBytes(file));
        }

        return new FuzzTarget("wav", InputKind.Binary, names, seeds, bytes => Classify(() =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            WavReader.Read(stream, "fuzz.wav");
        }));
    }

    /// <summary>
    /// WAV files as a pipe delivers them: <see cref="WavReader.Read(Stream, string)"/> over a non-seekable stream with
    /// short reads, where a lying chunk size is only found at the end of the data (the codes may differ from
    /// <see cref="Wav"/>: CMP3005 instead of CMP3003). Same seeds as <see cref="Wav"/>, so case seeds replay alike.
    /// Not in <see cref="All"/> yet: it allocates the declared data size up front (see FuzzTests).
    /// </summary>
    public static FuzzTarget WavPipe(string repository)
    {
        var wav = Wav(repository);
        return wav with
        {
            Name = "wav-pipe",
            Run = bytes => Classify(() =>
            {
                using var pipe = new TrickleStream(bytes);
                WavReader.Read(pipe, "fuzz.wav");
            }),
        };
    }

    /// <summary>compress.yaml: <see cref="SpecParser.ParseText"/> with the text named as a seed file (relative paths resolve next to it).</summary>
    public static FuzzTarget Yaml(string repository)
    {
        var folder = Path.Combine(repository, "tests/Compress.Core.Tests/Spec/GoodSpecs");
        var files = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        var sample = Path.Combine(repository, "samples/AppWithModel/compress.yaml");
        if (File.Exists(sample))
        {
            files.Add(sample);
        }

        var specFile = Path.Combine(folder, "fuzz.yaml");
        return new FuzzTarget("yaml", InputKind.Text, files.Select(f => Path.GetRelativePath(repository, f)).ToList(), files.Select(File.ReadAllBytes).ToList(), bytes =>
        {
            var text = Encoding.UTF8.GetString(bytes);
            var result = Classify(() =>
            {
                var parsed = SpecParser.ParseText(text, specFile);
                CheckCodes(parsed.Diagnostics);
                if (!parsed.Succeeded)
                {
                    throw new CompressException(parsed.Diagnostics);
                }
            });
            return result;
        });
    }

    /// <summary>.npy headers: <see cref="NpyHeader.Read"/> (it reads a path, so each input is written to one scratch file).</summary>
    public static FuzzTarget Npy(string scratch)
    {
        var file = Path.Combine(scratch, "fuzz.npy");
        List<(string Name, byte[] Bytes)> seeds =
        [
            ("v1.0 <f4 (3, 4)", NpyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 12 * 4)),
            ("v1.0 <f4 (5,)", NpyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 5 * 4)),
            ("v2.0 <i8 (2, 2, 2)", NpyFile(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2, 2), }", 8 * 8)),
            ("v3.0 |u1 ()", NpyFile(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", 1)),
        ];
        return new FuzzTarget("npy", InputKind.Binary, seeds.Select(s => s.Name).ToList(), seeds.Select(s => s.Bytes).ToList(), bytes => Classify(() =>
        {
            File.WriteAllBytes(file, bytes);
            var header = NpyHeader.Read(file);
            _ = header.ElementCount;
            _ = header.ElementSize;
        }));
    }

    /// <summary>
    /// Runs <paramref name="read"/>: <c>null</c> when it returns, the first diagnostic's code when it throws
    /// <see cref="CompressException"/> (every code checked), any other exception propagates.
    /// </summary>
    public static string? Classify(Action read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            read();
            return null;
        }
        catch (CompressException e)
        {
            CheckCodes(e.Diagnostics);
            if (e.Diagnostics.Count == 0)
            {
                throw new InvalidOperationException("CompressException without diagnostics", e);
            }

            return e.Diagnostics[0].Code;
        }
    }

    /// <summary>A hand-built .npy file: magic, version, padded header (v1 has a 16-bit length, v2/v3 32-bit), zeroed data.</summary>
    public static byte[] NpyFile(int major, string header, int dataBytes)
    {
        var prefix = major == 1 ? 10 : 12;
        var text = header;
        while ((prefix + text.Length + 1) % 64 != 0)
        {
            text += " ";
        }

        text += "\n";
        var bytes = new byte[prefix + text.Length + dataBytes];
        ((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']).CopyTo(bytes);
        bytes[6] = (byte)major;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)text.Length);
        }

        Encoding.Latin1.GetBytes(text).CopyTo(bytes, prefix);
        for (var i = prefix + text.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }

        return bytes;
    }

    /// <summary>A hand-built WAVE file (PCM or IEEE float, optionally WAVE_FORMAT_EXTENSIBLE, optionally with a LIST chunk before data).</summary>
    public static byte[] Wave(ushort format, int channels, int rate, int bits, bool extensible, int frames, bool extraChunk)
    {
        var blockAlign = channels * bits / 8;
        var data = new byte[frames * blockAlign];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((i * 37) ^ (i >> 3));
        }

        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write("RIFF"u8);
        w.Write(0u);
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(extensible ? 40u : 16u);
        w.Write(extensible ? (ushort)0xFFFE : format);
        w.Write((ushort)channels);
        w.Write(rate);
        w.Write(rate * blockAlign);
        w.Write((ushort)blockAlign);
        w.Write((ushort)bits);
        if (extensible)
        {
            w.Write((ushort)22);
            w.Write((ushort)bits);
            w.Write(channels == 1 ? 4u : 3u);
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: the format code, then 00000000-0010-8000-00AA00389B71.
            w.Write((uint)format);
            w.Write([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]);
        }

        if (extraChunk)
        {
            w.Write("LIST"u8);
            w.Write(5u);
            w.Write("INFOx"u8);
            w.Write((byte)0);
        }

        w.Write("data"u8);
        w.Write((uint)data.Length);
        w.Write(data);
        w.Flush();
        var bytes = stream.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static void CheckCodes(IReadOnlyList<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (d.Code is null || !CodePattern().IsMatch(d.Code))
            {
                throw new InvalidOperationException($"diagnostic without a CMPnnnn code: '{d.Code}' {d.Message}");
            }
        }
    }

    [GeneratedRegex("^CMP[0-9]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    /// <summary>A read-only, non-seekable stream that returns at most 7 bytes per read, like a pipe.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, 7), bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
