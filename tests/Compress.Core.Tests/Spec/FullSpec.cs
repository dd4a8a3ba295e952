
namespace Compress.Core.Tests.Spec;

/// <summary>A spec that sets every key to a non-default value (where the other settings allow it).</summary>
internal static class FullSpec
{
    public const string Text = """
        model:
          path: model.onnx
          input: audio
          output: logits
        data:
          format: speech_commands
          root: corpus
          validation_percent: 15
          testing_percent: 5
          unknown_fraction: 0.2
          silence_fraction: 0.05
          on_bad_file: skip
          augmentation:
            copies: 2
            time_shift_ms: 100
            noise_probability: 0.8
            snr_db: [5, 15]
            gain_db: 6
            speed_percent: 10
            time_masks: 2
            freq_masks: 1
          cache: obj/cache
        labels: [yes, no, up, down, _unknown_, _silence_]
        features:
          kind: mfcc
          sample_rate: 16000
          clip_seconds: 1
          window_ms: 40
          hop_ms: 20
          n_fft: 1024
          mel_bins: 40
          fmin: 20
          fmax: 7600
          log_floor: 1e-6
          coefficients: 10
          prepend: true
        pruning:
          method: channel
          target_sparsity: 0.5
          scope: global
          min_layer_sparsity: 0.1
          max_layer_sparsity: 0.9
          allocation: sensitivity
          sensitivity_band: 0.2
          include: [conv*]
          exclude: ["*bias", head.*]
          protect_first_last: false
          schedule:
            kind: polynomial
            initial_sparsity: 0.1
            begin_epoch: 2
            end_epoch: 15
            frequency_steps: 50
            power: 2
          channel_criterion: taylor
          round_to: 8
          gradient_batches: 32
          regularization: group-lasso
          lambda: 0.001
        finetune:
          epochs: 20
          batch_size: 128
          optimizer: sgd
          learning_rate: 0.05
          momentum: 0.95
          nesterov: true
          weight_decay: 0.0005
          lr_schedule: step
          warmup_epochs: 1
          step_gamma: 0.5
          step_epochs: 5
          gradient_clip: 5
          label_smoothing: 0.1
          distillation:
            weight: 0.7
            temperature: 2
          early_stop:
            metric: macro_f1
            patience: 4
        gate:
          metric: accuracy
          min: 0.9
          max_drop: 0.02
          max_relative_drop: 0.03
        output:
          path: out/kws.onnx
          storage: sparse-int64
          compress: brotli
          report: out/report
        quantize:
          weights: int8
        device: cpu
        seed: 7
        threads: 2
        """;

    /// <summary>The folder holding Compress.sln (from the test assembly: CI builds map source paths to /_/).</summary>
    public static string RepositoryRoot() => Compress.Tests.Shared.PackagedTool.RepositoryRoot;
}
