using System.Runtime.InteropServices;

namespace Compress.Tool;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation request, so a run stops cleanly, leaves no
/// partial output and exits with 130. A second Ctrl-C terminates the process at once.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _terminate;

    private ConsoleCancellation()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _source.Cancel();
        });
    }

    /// <summary>Cancelled when the user asks to stop.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Starts listening for Ctrl-C and SIGTERM.</summary>
    public static ConsoleCancellation Install() => new();

    /// <inheritdoc/>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (!_source.IsCancellationRequested)
        {
            e.Cancel = true;
            _source.Cancel();
        }
    }
}
