using System.Threading.Channels;

namespace AiConformance.ClusterSim.Behaviours.Programs;

/// <summary>
/// A container main process's standard streams as the runtime holds them: what it writes goes to the log and to
/// every attached client; its stdin is open only when the container asked for it (<c>stdin: true</c>), and with
/// <c>stdinOnce</c> it closes when the first attached client's input ends.
/// </summary>
public sealed class ContainerStdio : Api.IAttachableProcess
{
    private readonly Action<string> log;
    private readonly List<Action<string>> followers = [];
    private readonly Channel<string>? stdin;
    private readonly bool stdinOnce;
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ContainerStdio(Action<string> log, bool openStdin, bool stdinOnce)
    {
        this.log = log;
        stdin = openStdin ? Channel.CreateUnbounded<string>() : null;
        this.stdinOnce = stdinOnce;
    }

    /// <summary>What the process reads; null when its stdin is not open (it reads end of file at once).</summary>
    public ChannelReader<string>? Stdin => stdin?.Reader;

    public Task<int> Exited => exited.Task;

    public void Write(string text)
    {
        log(text);
        lock (followers)
            foreach (var follower in followers) follower(text);
    }

    public IDisposable Follow(Action<string> output)
    {
        lock (followers) followers.Add(output);
        return new Unfollow(() => { lock (followers) followers.Remove(output); });
    }

    public void Input(string text) => stdin?.Writer.TryWrite(text);

    public void InputEnded()
    {
        if (stdinOnce) stdin?.Writer.TryComplete();
    }

    public void Ended(int code)
    {
        stdin?.Writer.TryComplete();
        exited.TrySetResult(code);
    }

    private sealed class Unfollow(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
