using System.Runtime.InteropServices;

namespace AiConformance.Plugin.Cli;

/// <summary>
/// The one stop-signal handler of the commands: SIGTERM (Sonobuoy's timeout, <c>kubectl delete</c>) and SIGINT
/// (Ctrl+C) cancel <see cref="Token"/> and say what stops; a second signal ends the process at once.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;

    public StopSignal(TextWriter output, string what)
    {
        registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];

        void Handle(PosixSignalContext context)
        {
            if (source.IsCancellationRequested) return;
            context.Cancel = true;
            output.WriteLine($"aiconformance: {context.Signal} received; {what}");
            source.Cancel();
        }
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
