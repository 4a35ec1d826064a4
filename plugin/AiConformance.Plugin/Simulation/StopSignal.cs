using System.Runtime.InteropServices;

namespace AiConformance.Plugin.Simulation;

/// <summary>Cancels on SIGINT or SIGTERM (the first one; a second one ends the process as usual).</summary>
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
