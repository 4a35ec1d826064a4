namespace AiConformance.Suite.Framework;

/// <summary>
/// The streams of one wait or read that broke and were read again; written to the evidence once, when it ends
/// (whatever its outcome), so that a reviewer sees that the cluster's streams were unreliable.
/// </summary>
public sealed class ResumedStreams(string activity)
{
    private readonly List<string> causes = [];

    public int Count => causes.Count;

    public void Add(Exception error) => causes.Add(TransientErrors.Describe(error));

    public void Add(string cause) => causes.Add(cause);

    public void WriteEvidence()
    {
        if (causes.Count > 0) Evidence.StreamsResumed(activity, causes);
    }
}
