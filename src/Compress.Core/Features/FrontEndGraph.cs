using System.Globalization;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Features;

/// <summary>How <see cref="FrontEndGraph"/> computes the power spectrum.</summary>
public enum FrontEndForm
{
    /// <summary>The factored DFT when n_fft has a factor pair, else the Conv1d.</summary>
    Auto,

    /// <summary>The Conv1d with the windowed DFT basis (the only form before graph version 2).</summary>
    Conv,
}

/// <summary>
/// The front-end as ONNX nodes, so the executor computes features for training and an app can feed raw PCM to
/// ONNX Runtime: the power spectrum (a factored DFT: Gather frames → window → MatMul → Transpose → batched MatMul →
/// x·x; a prime n_fft: a Conv1d with the windowed DFT basis) → MatMul with the mel filterbank → Max(x, floor) → Log
/// [→ MatMul DCT] → Unsqueeze. Every matrix is a <c>Constant</c> or built from small constant tables by nodes, so the
/// executor folds them and never trains them.
/// </summary>
public static class FrontEndGraph
{
    /// <summary>
    /// How the nodes compute the features, part of the feature cache's key: 2 = the factored DFT and the mel filterbank
    /// built by nodes (features differ from version 1's Conv1d and stored matrix by float32 rounding only).
    /// </summary>
    public const int GraphVersion = 2;

    /// <summary>The oldest default-domain opset the front end's nodes exist in (Range, and Pad/Slice with inputs: 11).</summary>
    public const long MinimumOpset = 11;

    /// <summary>The PCM input's symbolic length axis (dim_param) when the front end takes clips of any length.</summary>
    public const string SamplesAxis = "samples";

    /// <summary>The features' symbolic frame axis (dim_param) when the front end takes clips of any length.</summary>
    public const string FramesAxis = "frames";

    /// <summary>
    /// Feature frames for a clip of <paramref name="samples"/> PCM samples: 1 + ⌊(samples − window) / hop⌋ (no centre
    /// padding; a frame starts every hop and ends inside the clip), 0 when the clip is shorter than one window. The
    /// rule of <see cref="FrontEndOptions.Frames"/> at any length.
    /// </summary>
    public static int FramesFor(FrontEndOptions o, long samples)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o.Kind == FrontEndKind.None ? 1 : samples < o.WindowSamples || o.HopSamples < 1 ? 0 : (int)(1 + ((samples - o.WindowSamples) / o.HopSamples));
    }

    /// <summary>Metadata key that <see cref="Prepend(ModelProto, FrontEndOptions, string)"/> writes, describing the front-end it added.</summary>
    public const string MetadataKey = "compress.front_end";

    /// <summary>
    /// A model with input <paramref name="inputName"/> float [N, Samples] and output <paramref name="outputName"/>
    /// float [N, 1, Frames, Bins] (or [N, 1, Samples] for <see cref="FrontEndKind.None"/>); node and constant names
    /// start with <c>frontend/</c>. Throws <see cref="CompressException"/> (CMP3201) for invalid options.
    /// </summary>
    public static ModelProto Build(FrontEndOptions o, string inputName = "pcm", string outputName = "features", long opset = 17) =>
        Build(o, FrontEndForm.Auto, inputName, outputName, opset);

    /// <summary><see cref="Build(FrontEndOptions, string, string, long)"/> with the spectrum's form chosen (tests and benchmarks compare the two).</summary>
    public static ModelProto Build(FrontEndOptions o, FrontEndForm form, string inputName = "pcm", string outputName = "features", long opset = 17) =>
        Build(o, form, dynamicLength: false, inputName, outputName, opset);

    /// <summary>
    /// <see cref="Build(FrontEndOptions, FrontEndForm, string, string, long)"/>, with <paramref name="dynamicLength"/>:
    /// the PCM input is [N, <see cref="SamplesAxis"/>] of any length L ≥ the window and the output
    /// [N, 1, <see cref="FramesAxis"/>, Bins] with <see cref="FramesFor"/>(L) frames — the features the fixed graph
    /// computes for options whose <see cref="FrontEndOptions.Samples"/> is L (equal to today's at L = Samples).
    /// </summary>
    public static ModelProto Build(FrontEndOptions o, FrontEndForm form, bool dynamicLength, string inputName = "pcm", string outputName = "features", long opset = 17)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.EnsureValid();
        if (opset < MinimumOpset)
        {
            throw new CompressException(DataMessages.InvalidFrontEnd($"opset {opset} is too old; the front-end needs opset {MinimumOpset} or newer"));
        }

        var graph = new GraphProto { Name = "front_end" };
        var dynamic = dynamicLength && o.Kind != FrontEndKind.None;
        graph.Input.Add(ModelBuilder.ValueInfo(inputName, DataType.Float, "N", dynamic ? SamplesAxis : (object)(long)o.Samples));
        graph.Output.Add(ModelBuilder.ValueInfo(outputName, DataType.Float, dynamic ? ["N", 1L, FramesAxis, (long)o.Bins] : [(object)"N", .. o.OutputShape.Cast<object>()]));
        AddNodes(graph, o, inputName, outputName, "frontend/", opset, form, dynamic);
        var model = new ModelProto { IrVersion = 8, ProducerName = "Compress.FrontEndGraph", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose single input is PCM float [N, Samples] named
    /// <paramref name="pcmInputName"/>, computing the features the model's single (non-initializer) input took.
    /// The model's input must have the front-end's item shape after the batch dimension, or the same number of
    /// fixed elements (a Reshape is then added). Front-end names get a prefix no model name uses; opsets, metadata,
    /// value_info and the model's own names are kept, and <see cref="MetadataKey"/> is added.
    /// Throws <see cref="CompressException"/> (CMP3201/CMP3202) when it does not fit.
    /// </summary>
    public static ModelProto Prepend(ModelProto model, FrontEndOptions o, string pcmInputName = "pcm") => Prepend(model, o, FrontEndForm.Auto, pcmInputName);

    /// <summary><see cref="Prepend(ModelProto, FrontEndOptions, string)"/> with the spectrum's form chosen (benchmarks compare the two).</summary>
    public static ModelProto Prepend(ModelProto model, FrontEndOptions o, FrontEndForm form, string pcmInputName = "pcm")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(o);
        o.EnsureValid();
        if (model.Graph is null)
        {
            throw new CompressException(DataMessages.PrependMismatch("the model has no graph"));
        }

        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new CompressException(DataMessages.PrependMismatch($"the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); it needs exactly one feature input"));
        }

        var feature = inputs[0];
        var names = AllNames(model.Graph);
        if (names.Contains(pcmInputName))
        {
            throw new CompressException(DataMessages.PrependMismatch($"the PCM input name '{pcmInputName}' is already used in the model"));
        }

        var opset = model.OpsetImport.Where(s => s.Domain.Length == 0 || s.Domain == "ai.onnx").Select(s => s.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
        {
            throw new CompressException(DataMessages.PrependMismatch($"the model imports the default ONNX domain at opset {opset}; the front-end needs {MinimumOpset} or newer"));
        }

        var (batch, reshapeTo, dynamic) = MatchShape(feature, o);
        var prefix = UniquePrefix(names);
        var copy = model.Clone();
        var front = new GraphProto();
        var features = reshapeTo is null ? feature.Name : prefix + "features";
        AddNodes(front, o, pcmInputName, features, prefix, opset, form, dynamic);
        if (reshapeTo is not null)
        {
            // A dynamic frame axis is the one -1; the batch is then copied (0).
            var shape = Constant(front, prefix + "reshape_shape", ModelBuilder.Tensor(prefix + "reshape_shape", [dynamic ? 0L : -1L, .. reshapeTo], reshapeTo.Length + 1));
            AddNode(front, "Reshape", prefix + "Reshape", [features, shape], feature.Name);
        }

        var index = copy.Graph.Input.ToList().FindIndex(i => i.Name == feature.Name);
        copy.Graph.Input[index] = ModelBuilder.ValueInfo(pcmInputName, DataType.Float, batch, dynamic ? SamplesAxis : (object)(long)o.Samples);
        var nodes = front.Node.Concat(copy.Graph.Node).ToList();
        copy.Graph.Node.Clear();
        copy.Graph.Node.AddRange(nodes);
        // A model Compress exported before (a baseline it trained) already names its front end: one entry, not two.
        foreach (var stale in copy.MetadataProps.Where(p => p.Key == MetadataKey).ToList())
        {
            copy.MetadataProps.Remove(stale);
        }

        copy.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = dynamic ? Describe(o) + ";length=dynamic" : Describe(o) });
        return copy;
    }

    /// <summary>A compact, stable description of the options (stored in <see cref="MetadataKey"/>, part of cache keys).</summary>
    public static string Describe(FrontEndOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return string.Create(CultureInfo.InvariantCulture,
            $"kind={o.Kind.ToString().ToLowerInvariant()};sample_rate={o.SampleRate};samples={o.Samples};window={o.WindowSamples};hop={o.HopSamples};n_fft={o.NFft};mel_bins={o.MelBins};fmin={o.FMin:R};fmax={o.UpperHz:R};log_floor={o.LogFloor:R};coefficients={o.Coefficients}");
    }

    private static void AddNodes(GraphProto g, FrontEndOptions o, string input, string output, string prefix, long opset, FrontEndForm form, bool dynamic)
    {
        if (o.Kind == FrontEndKind.None)
        {
            Unsqueeze(g, prefix + "Unsqueeze_out", input, output, opset);
            return;
        }

        var factors = SpectrumForm(o, form);
        var (power, bank) = factors is { } f
            ? (FactoredPower(g, o, input, prefix, opset, f.Q, f.P, dynamic), FactoredFilterbank(g, o, prefix, opset, f.P, MelFilterbank(g, o, prefix, opset)))
            : (ConvPower(g, o, input, prefix, opset), Stacked(g, prefix, MelFilterbank(g, o, prefix, opset)));
        var energies = AddNode(g, "MatMul", prefix + "Mel", [power, bank], prefix + "mel");
        var floor = Constant(g, prefix + "log_floor", ModelBuilder.Tensor(prefix + "log_floor", [(float)o.LogFloor]));
        var floored = AddNode(g, "Max", prefix + "Floor", [energies, floor], prefix + "mel_floored");
        var features = AddNode(g, "Log", prefix + "Log", [floored], prefix + "log_mel");
        if (o.Kind == FrontEndKind.Mfcc)
        {
            var dct = Constant(g, prefix + "dct", ModelBuilder.Tensor(prefix + "dct", FrontEndMatrices.Dct(o.MelBins, o.Coefficients), o.MelBins, o.Coefficients));
            features = AddNode(g, "MatMul", prefix + "Dct", [features, dct], prefix + "mfcc");
        }

        Unsqueeze(g, prefix + "Unsqueeze_out", features, output, opset);
    }

    /// <summary>
    /// The factors Q · P = n_fft (Q ≤ P, as close to √n_fft as the divisors allow, Q ≥ 2) of the factored DFT, or null
    /// for the Conv1d form: a prime n_fft, or <paramref name="form"/> asks for it.
    /// </summary>
    internal static (int Q, int P)? SpectrumForm(FrontEndOptions o, FrontEndForm form = FrontEndForm.Auto)
    {
        if (form == FrontEndForm.Conv)
        {
            return null;
        }

        for (var q = (int)Math.Sqrt(o.NFft); q >= 2; q--)
        {
            if (o.NFft % q == 0)
            {
                return (q, o.NFft / q);
            }
        }

        return null;
    }

    /// <summary>
    /// The power spectrum by a factored DFT (Cooley–Tukey, two MatMul stages), [N, frames, P · 2·K1] in the order
    /// <see cref="FactoredFilterbank"/> reads (K1 = ⌈K / P⌉). With n_fft = P·Q, n = p·Q + q and k = k2 + P·k1:
    /// X[k] = Σ_q e^(−2πi·q·k1/Q) · e^(−2πi·q·k2/n_fft) · Σ_p x[p·Q + q]·e^(−2πi·p·k2/P). Frames are cut from hop-long
    /// chunks of the PCM (Slice + Concat, no per-sample gather) and viewed as [P, Q]; a transpose puts q first, so stage
    /// 1 is one MatMul with the [P, 2P] real/imaginary DFT matrix, the twiddle factors are element-wise, and stage 2 is
    /// one MatMul with the [2Q, 2·K1] complex DFT matrix for the one-sided bins. At n_fft 512 (P 32, Q 16) that is
    /// 51 k multiply-adds a frame against the Conv1d form's 247 k. Every matrix is gathered from the cos / −sin tables by
    /// the exact phase index, like <see cref="DftBasis"/>, so both runtimes fold bit-identical constants.
    /// </summary>
    /// <para>
    /// With <paramref name="dynamic"/> the frame count F follows the clip's length L (<see cref="FramesFor"/>): the
    /// clip is padded with pieces · hop zeros and cut to C · hop = (⌊(L − window) / hop⌋ + pieces) · hop samples
    /// (Shape → Slice → Sub → Div → Add → Mul, integer arithmetic on the runtime's shape, so constant folding never
    /// sees it), the Reshapes copy the batch and frame axes (0) instead of naming them, and frame piece j ends
    /// pieces − 1 − j chunks before the end — the same samples, in the same order, as the fixed graph for L samples.
    /// </para>
    private static string FactoredPower(GraphProto g, FrontEndOptions o, string input, string prefix, long opset, int q, int p, bool dynamic)
    {
        string Op(string op, string name, params string[] inputs) => AddNode(g, op, prefix + name, inputs, prefix + name + "_out");
        string Longs(string name, params long[] values) => Constant(g, prefix + name, ModelBuilder.Tensor(prefix + name, values, values.Length));
        string Reshape(string name, string x, params long[] dims) => Op("Reshape", name, x, Longs(name + "_shape", dims));
        string Slice(string name, string x, long[] starts, long[] ends, long[] axes) => Op("Slice", name, x, Longs(name + "_starts", starts), Longs(name + "_ends", ends), Longs(name + "_axes", axes));
        string Transpose(string name, string x) => AddNode(g, "Transpose", prefix + name, [x], prefix + name + "_out", ("perm", new long[] { 0, 1, 3, 2 }));
        string Grid(string name, long count, long n, long[] dims) => Reshape(name, Op("Mul", name + "_scaled", RangeF(g, prefix, name + "_range", count), ScalarF(g, prefix, name + "_scale", n)), dims);
        string Phase(string name, string x, string y) => PhaseIndex(g, o, prefix, name, Op("Mul", name + "_product", x, y));

        int frames = o.Frames, hop = o.HopSamples, length = o.NFft, k1Count = (o.FrequencyBins + p - 1) / p;
        var (cos, negSin) = PhaseTables(g, o, prefix);

        // Frames [N, F, n_fft]: the clip padded (or cut) to C whole hops, viewed as [N, C, hop]; frame f is chunks f, f+1, ...
        var pieces = (length + hop - 1) / hop;
        var chunks = frames + pieces - 1;
        var signal = input;
        if (dynamic)
        {
            signal = Op("Pad", "FramePad", signal, Longs("frame_pads", 0, 0, 0, (long)pieces * hop));
            var pcmLength = Slice("pcm_length", Op("Shape", "pcm_shape", input), [1], [2], [0]);
            var whole = Op("Div", "frame_steps", Op("Sub", "frame_span", pcmLength, Longs("window_samples", o.WindowSamples)), Longs("hop_samples", hop));
            var end = Op("Mul", "frame_end", Op("Add", "frame_chunks_count", whole, Longs("frame_pieces", pieces)), Longs("chunk_samples", hop));
            signal = Op("Slice", "FrameCut", signal, Longs("frame_cut_starts", 0), end, Longs("frame_cut_axes", 1));
        }
        else if ((long)chunks * hop > o.Samples)
        {
            signal = Op("Pad", "FramePad", signal, Longs("frame_pads", 0, 0, 0, ((long)chunks * hop) - o.Samples));
        }
        else if ((long)chunks * hop < o.Samples)
        {
            signal = Slice("FrameCut", signal, [0], [(long)chunks * hop], [1]);
        }

        var hops = dynamic ? Reshape("frame_chunks", signal, 0, -1, hop) : Reshape("frame_chunks", signal, -1, chunks, hop);
        var parts = Enumerable.Range(0, pieces)
            .Select(j => Slice($"frame_piece{j}", hops, [j, 0], [!dynamic ? j + frames : j < pieces - 1 ? j - (pieces - 1) : long.MaxValue, Math.Min(hop, length - ((long)j * hop))], [1, 2]))
            .ToArray();
        var framed = parts.Length == 1 ? parts[0] : AddNode(g, "Concat", prefix + "Frames", parts, prefix + "frames", ("axis", 2L));

        // [N, F, Q, P] (sample p·Q + q at [q, p]) times the window, zero past its length.
        var window = new float[length];
        var hann = FrontEndMatrices.HannWindow(o.WindowSamples);
        for (var qi = 0; qi < q; qi++)
        {
            for (var pi = 0; pi < p; pi++)
            {
                var n = (pi * q) + qi;
                window[(qi * p) + pi] = n < hann.Length ? (float)hann[n] : 0;
            }
        }

        var columns = Transpose("frame_columns", dynamic ? Reshape("frame_grid", framed, 0, 0, p, q) : Reshape("frame_grid", framed, -1, frames, p, q));
        var windowed = Op("Mul", "Window", columns, Constant(g, prefix + "window", ModelBuilder.Tensor(prefix + "window", window, q, p)));

        // Stage 1 over p: [N, F, Q, 2P] = (re | im) of Σ_p x·e^(−2πi·p·k2/P), phase index p·k2·Q.
        var stage1Index = Phase("stage1", Grid("stage1_p", p, q, [p, 1]), Grid("stage1_k2", p, 1, [1, p]));
        var stage1 = AddNode(g, "Concat", prefix + "stage1_matrix", [Gather(g, prefix, "stage1_cos", cos, stage1Index), Gather(g, prefix, "stage1_sin", negSin, stage1Index)], prefix + "stage1_matrix_out", ("axis", 1L));
        var y = AddNode(g, "MatMul", prefix + "Stage1", [windowed, stage1], prefix + "stage1");

        // Twiddles e^(−2πi·q·k2/n_fft), element-wise on [Q, P].
        var twiddleIndex = Phase("twiddle", Grid("twiddle_q", q, 1, [q, 1]), Grid("twiddle_k2", p, 1, [1, p]));
        var tc = Gather(g, prefix, "twiddle_cos", cos, twiddleIndex);
        var ts = Gather(g, prefix, "twiddle_sin", negSin, twiddleIndex);
        var yr = Slice("stage1_re", y, [0], [p], [3]);
        var yi = Slice("stage1_im", y, [p], [2L * p], [3]);
        var zr = Op("Sub", "twiddled_re", Op("Mul", "yr_tc", yr, tc), Op("Mul", "yi_ts", yi, ts));
        var zi = Op("Add", "twiddled_im", Op("Mul", "yr_ts", yr, ts), Op("Mul", "yi_tc", yi, tc));

        // Stage 2 over q: [N, F, P, 2·K1] = (re | im) of Σ_q z·e^(−2πi·q·k1/Q), phase index q·k1·P.
        var z = Transpose("stage2_rows", AddNode(g, "Concat", prefix + "twiddled", [zr, zi], prefix + "twiddled_out", ("axis", 2L)));
        var stage2Index = Phase("stage2", Grid("stage2_q", q, p, [q, 1]), Grid("stage2_k1", k1Count, 1, [1, k1Count]));
        var vc = Gather(g, prefix, "stage2_cos", cos, stage2Index);
        var vs = Gather(g, prefix, "stage2_sin", negSin, stage2Index);
        var top = AddNode(g, "Concat", prefix + "stage2_top", [vc, vs], prefix + "stage2_top_out", ("axis", 1L));
        var bottom = AddNode(g, "Concat", prefix + "stage2_bottom", [Op("Neg", "stage2_neg_sin", vs), vc], prefix + "stage2_bottom_out", ("axis", 1L));
        var stage2 = AddNode(g, "Concat", prefix + "stage2_matrix", [top, bottom], prefix + "stage2_matrix_out", ("axis", 0L));
        var spectrum = AddNode(g, "MatMul", prefix + "Stage2", [z, stage2], prefix + "spectrum");
        var power = AddNode(g, "Mul", prefix + "Power", [spectrum, spectrum], prefix + "power");
        return dynamic ? Reshape("power_frames", power, 0, 0, (long)p * 2 * k1Count) : Reshape("power_frames", power, -1, frames, (long)p * 2 * k1Count);
    }

    /// <summary>
    /// The mel filterbank's rows in <see cref="FactoredPower"/>'s order: row (k2, c) is bin k2 + P·(c mod K1) — the
    /// real and the imaginary square of that bin each get the bin's filter weights, bins past n_fft/2 get zeros.
    /// </summary>
    private static string FactoredFilterbank(GraphProto g, FrontEndOptions o, string prefix, long opset, int n2, string bank)
    {
        string Op(string op, string name, params string[] inputs) => AddNode(g, op, prefix + name, inputs, prefix + name + "_out");
        var bins = o.FrequencyBins;
        var k1Count = (bins + n2 - 1) / n2;
        var k1 = RangeF(g, prefix, "mel_rows_k1", k1Count);
        var c = AddNode(g, "Concat", prefix + "mel_rows_c", [k1, k1], prefix + "mel_rows_c_out", ("axis", 0L));
        var k2 = Unsqueeze(g, prefix + "mel_rows_k2", RangeF(g, prefix, "mel_rows_k2_range", n2), prefix + "mel_rows_k2", opset, 1);
        var rows = Op("Min", "mel_rows_clamp", Op("Add", "mel_rows_bin", Op("Mul", "mel_rows_k1_bins", c, ScalarF(g, prefix, "mel_rows_n2", n2)), k2), ScalarF(g, prefix, "mel_rows_zero_row", bins));
        var flat = AddNode(g, "Reshape", prefix + "mel_rows_flat", [rows, Constant(g, prefix + "mel_rows_flat_shape", ModelBuilder.Tensor(prefix + "mel_rows_flat_shape", [-1L], 1))], prefix + "mel_rows_flat_out");
        var index = AddNode(g, "Cast", prefix + "mel_rows_index", [flat], prefix + "mel_rows_index_out", ("to", (long)DataType.Int64));
        var zeros = Constant(g, prefix + "mel_zero_row", ModelBuilder.Tensor(prefix + "mel_zero_row", new float[o.MelBins], 1, o.MelBins));
        var extended = AddNode(g, "Concat", prefix + "mel_extended", [bank, zeros], prefix + "mel_extended_out", ("axis", 0L));
        return AddNode(g, "Gather", prefix + "mel_rows", [extended, index], prefix + "mel_filterbank_rows", ("axis", 0L));
    }

    private static string Stacked(GraphProto g, string prefix, string bank) =>
        AddNode(g, "Concat", prefix + "mel_stack", [bank, bank], prefix + "mel_filterbank_stacked", ("axis", 0L));

    /// <summary>cos(2πr/n_fft) and −sin(2πr/n_fft) for r in [0, n_fft), computed in double and stored as float.</summary>
    private static (string Cos, string NegativeSin) PhaseTables(GraphProto g, FrontEndOptions o, string prefix)
    {
        var cosines = new float[o.NFft];
        var negativeSines = new float[o.NFft];
        for (var r = 0; r < o.NFft; r++)
        {
            cosines[r] = (float)Math.Cos(2 * Math.PI * r / o.NFft);
            negativeSines[r] = (float)-Math.Sin(2 * Math.PI * r / o.NFft);
        }

        return (Constant(g, prefix + "cos_table", ModelBuilder.Tensor(prefix + "cos_table", cosines, o.NFft)),
            Constant(g, prefix + "neg_sin_table", ModelBuilder.Tensor(prefix + "neg_sin_table", negativeSines, o.NFft)));
    }

    /// <summary>
    /// The int64 index product mod n_fft of a float tensor of exact integers (below 2^24): product − n_fft·⌊product /
    /// n_fft⌋, exact in float32, so every runtime gathers the same table entries.
    /// </summary>
    private static string PhaseIndex(GraphProto g, FrontEndOptions o, string prefix, string name, string product)
    {
        string Op(string op, string suffix, params string[] inputs) => AddNode(g, op, prefix + name + suffix, inputs, prefix + name + suffix + "_out");
        var nfft = ScalarF(g, prefix, name + "_nfft", o.NFft);
        var wraps = Op("Floor", "_wraps", Op("Div", "_turns", product, nfft));
        var phase = Op("Sub", "_phase", product, Op("Mul", "_whole", wraps, nfft));
        return AddNode(g, "Cast", prefix + name + "_index", [phase], prefix + name + "_index_out", ("to", (long)DataType.Int64));
    }

    private static string Gather(GraphProto g, string prefix, string name, string table, string index) =>
        AddNode(g, "Gather", prefix + name, [table, index], prefix + name + "_out");

    private static string ScalarF(GraphProto g, string prefix, string name, float value) =>
        Constant(g, prefix + name, ModelBuilder.Tensor(prefix + name, [value]));

    /// <summary>0, 1, ..., count − 1 as float (exact), by a Range node.</summary>
    private static string RangeF(GraphProto g, string prefix, string name, long count) =>
        AddNode(g, "Range", prefix + name, [ScalarF(g, prefix, name + "_start", 0), ScalarF(g, prefix, name + "_limit", count), ScalarF(g, prefix, name + "_delta", 1)], prefix + name);

    /// <summary>
    /// A prime n_fft: [N, frames, 2K] = the real and imaginary parts squared, by a Conv1d with the windowed DFT basis
    /// (stride = hop); the mel matrix is stacked twice so the MatMul adds real² and imaginary².
    /// </summary>
    private static string ConvPower(GraphProto g, FrontEndOptions o, string input, string prefix, long opset)
    {
        var framed = Unsqueeze(g, prefix + "Unsqueeze_in", input, prefix + "pcm_channel", opset);
        var basis = DftBasis(g, o, prefix, opset);
        var spectrum = AddNode(g, "Conv", prefix + "Stft", [framed, basis], prefix + "spectrum",
            ("kernel_shape", new long[] { o.WindowSamples }), ("strides", new long[] { o.HopSamples }));
        var power = AddNode(g, "Mul", prefix + "Power", [spectrum, spectrum], prefix + "power");
        return AddNode(g, "Transpose", prefix + "Transpose", [power], prefix + "power_frames", ("perm", new long[] { 0, 2, 1 }));
    }

    /// <summary>
    /// The HTK mel filterbank [K, M] (<see cref="FrontEndMatrices.MelFilterbank"/>) built by nodes from the filters'
    /// lower, centre and upper edges (3 × M floats) instead of stored (K × M floats, 41 KB at n_fft 512 and 40 bins,
    /// most of it zeros): bank[k, m] = max(0, min((f_k − lower_m) / (centre_m − lower_m), (upper_m − f_k) / (upper_m −
    /// centre_m))) with f_k = k · sample_rate / n_fft. Element-wise float32 arithmetic, so ONNX Runtime and the executor
    /// fold the same matrix.
    /// </summary>
    private static string MelFilterbank(GraphProto g, FrontEndOptions o, string prefix, long opset)
    {
        string Table(string name, IEnumerable<double> values)
        {
            float[] data = [.. values.Select(v => (float)v)];
            return Constant(g, prefix + name, ModelBuilder.Tensor(prefix + name, data, data.Length));
        }

        string Op(string op, string name, params string[] inputs) => AddNode(g, op, prefix + name, inputs, prefix + name + "_out");

        var edges = FrontEndMatrices.MelEdges(o);
        var m = o.MelBins;
        var lower = Table("mel_lower", edges.Take(m));
        var centre = Table("mel_centre", edges.Skip(1).Take(m));
        var upper = Table("mel_upper", edges.Skip(2).Take(m));
        var hz = Op("Mul", "mel_bin_hz", RangeF(g, prefix, "mel_bins", o.FrequencyBins), ScalarF(g, prefix, "mel_hz_per_bin", (float)((double)o.SampleRate / o.NFft)));
        var f = Unsqueeze(g, prefix + "mel_f", hz, prefix + "mel_f", opset, 1);
        var rise = Op("Div", "mel_rise", Op("Sub", "mel_above_lower", f, lower), Op("Sub", "mel_rise_width", centre, lower));
        var fall = Op("Div", "mel_fall", Op("Sub", "mel_below_upper", upper, f), Op("Sub", "mel_fall_width", upper, centre));
        return Op("Max", "mel_filterbank", Op("Min", "mel_triangle", rise, fall), ScalarF(g, prefix, "mel_zero", 0));
    }

    /// <summary>
    /// The Conv1d weights [2K, 1, window] of <see cref="FrontEndMatrices.DftBasis"/>, built by nodes from three small
    /// tables (cos and −sin of 2πr/n_fft for r in [0, n_fft), and the Hann window) instead of stored: a 30 ms window at
    /// n_fft 512 would otherwise add ~1 MB to every exported model. The phase index k·n mod n_fft is computed exactly
    /// (float32 integers below 2^24) and gathers from the tables, so every runtime builds bit-identical weights and
    /// folds them once.
    /// </summary>
    private static string DftBasis(GraphProto g, FrontEndOptions o, string prefix, long opset)
    {
        string Op(string op, string name, params string[] inputs) => AddNode(g, op, prefix + name, inputs, prefix + name + "_out");

        var (cos, negSin) = PhaseTables(g, o, prefix);
        var n = RangeF(g, prefix, "dft_n", o.WindowSamples);
        var k = RangeF(g, prefix, "dft_k", o.FrequencyBins);
        var kn = Op("Mul", "dft_kn", Unsqueeze(g, prefix + "dft_k_col", k, prefix + "dft_k_col", opset, 1), Unsqueeze(g, prefix + "dft_n_row", n, prefix + "dft_n_row", opset, 0));
        var index = PhaseIndex(g, o, prefix, "dft", kn);
        var hann = FrontEndMatrices.HannWindow(o.WindowSamples).Select(v => (float)v).ToArray();
        var window = Constant(g, prefix + "hann", ModelBuilder.Tensor(prefix + "hann", hann, hann.Length));
        var real = Op("Mul", "dft_real", Gather(g, prefix, "dft_cos", cos, index), window);
        var imaginary = Op("Mul", "dft_imaginary", Gather(g, prefix, "dft_sin", negSin, index), window);
        var stacked = AddNode(g, "Concat", prefix + "dft_stack", [real, imaginary], prefix + "dft_stack_out", ("axis", 0L));
        return Unsqueeze(g, prefix + "dft_basis", stacked, prefix + "dft_basis", opset, 1);
    }

    private static string Unsqueeze(GraphProto g, string name, string input, string output, long opset, long axis)
    {
        if (opset >= 13)
        {
            var axes = Constant(g, name + "_axes", ModelBuilder.Tensor(name + "_axes", [axis], 1));
            return AddNode(g, "Unsqueeze", name, [input, axes], output);
        }

        return AddNode(g, "Unsqueeze", name, [input], output, ("axes", new long[] { axis }));
    }

    private static string Unsqueeze(GraphProto g, string name, string input, string output, long opset) => Unsqueeze(g, name, input, output, opset, 1);

    private static string Constant(GraphProto g, string name, TensorProto value)
    {
        value.Name = "";
        return AddNode(g, "Constant", name + "_const", [], name, ("value", value));
    }

    private static string AddNode(GraphProto g, string op, string name, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (attribute, value) in attributes)
        {
            node.Attribute.Add(ModelBuilder.Attribute(attribute, value));
        }

        g.Node.Add(node);
        return output;
    }

    /// <summary>
    /// The batch dimension to use for the PCM input, the shape (after the batch) to reshape features to, if any (−1 for
    /// a dynamic frame axis), and whether the front end takes clips of any length: the model's frame axis is symbolic
    /// (a dim_param) — [1, T, bins] as the front end produces it, or [T, bins] / [1, …, T, bins] (unit axes before T,
    /// then the bins), reshaped. A model whose frame axis is fixed keeps the fixed front end.
    /// </summary>
    private static (object Batch, long[]? ReshapeTo, bool Dynamic) MatchShape(ValueInfoProto input, FrontEndOptions o)
    {
        var type = input.Type?.TensorType;
        if (type is null)
        {
            throw new CompressException(DataMessages.PrependMismatch($"input '{input.Name}' is not a tensor"));
        }

        if (type.ElemType != (int)DataType.Float)
        {
            throw new CompressException(DataMessages.PrependMismatch($"input '{input.Name}' has element type {(DataType)type.ElemType}; the front-end produces float"));
        }

        var want = o.OutputShape.ToArray();
        if (type.Shape is null)
        {
            return ("N", null, false);
        }

        var dims = type.Shape.Dim;
        object batch = dims.Count > 0 && dims[0].HasDimParam ? dims[0].DimParam : dims.Count > 0 && dims[0].HasDimValue ? dims[0].DimValue : "N";
        var rest = dims.Skip(1).ToList();
        var described = $"[{string.Join(", ", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?"))}]";
        var time = rest.FindIndex(d => d.HasDimParam);
        if (o.Kind != FrontEndKind.None && time >= 0 && time == rest.Count - 2 && rest[^1].HasDimValue && rest[^1].DimValue == o.Bins
            && rest.Take(time).All(d => d.HasDimValue && d.DimValue == 1))
        {
            return (batch, rest.Count == want.Length ? null : [.. rest.Select(d => d.HasDimValue ? d.DimValue : -1L)], true);
        }

        if (rest.Count == want.Length && rest.Zip(want).All(p => !p.First.HasDimValue || p.First.DimValue == p.Second))
        {
            return (batch, null, false);
        }

        if (rest.All(d => d.HasDimValue) && rest.Aggregate(1L, (a, d) => a * d.DimValue) == want.Aggregate(1L, (a, d) => a * d))
        {
            return (batch, rest.Select(d => d.DimValue).ToArray(), false);
        }

        throw new CompressException(DataMessages.PrependMismatch(
            $"input '{input.Name}' has shape {described}, but the front-end produces [N, {string.Join(", ", want)}]"));
    }

    private static HashSet<string> AllNames(GraphProto g)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(g.Input.Select(i => i.Name));
        names.UnionWith(g.Output.Select(i => i.Name));
        names.UnionWith(g.ValueInfo.Select(i => i.Name));
        names.UnionWith(g.Initializer.Select(i => i.Name));
        foreach (var node in g.Node)
        {
            names.Add(node.Name);
            names.UnionWith(node.Input);
            names.UnionWith(node.Output);
        }

        return names;
    }

    private static string UniquePrefix(HashSet<string> names)
    {
        for (var i = 0; ; i++)
        {
            var prefix = i == 0 ? "frontend/" : $"frontend{i}/";
            if (!names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return prefix;
            }
        }
    }
}
