namespace AiConformance.Plugin.Results;

/// <summary>
/// A test message on one line, for console lines, checklist notes and summaries. NUnit's constraint messages start
/// with the asserted expression (<c>Assert.That(seen, ...)</c>); the expected/observed lines after it say more, so
/// the expression line is dropped and the rest joined.
/// </summary>
public static class MessageSummary
{
    public const int DefaultLength = 300;

    public static string Of(string message, int maxLength = DefaultLength)
    {
        var lines = message.Replace("\r\n", "\n").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("Assert.That(", StringComparison.Ordinal)
                                     && !l.StartsWith("Multiple failures or warnings in test", StringComparison.Ordinal))
            .ToList();
        var joined = string.Join(" ", lines);
        if (joined.Length == 0)
        {
            joined = message.Trim().Split('\n')[0].Trim();
        }
        return joined.Length <= maxLength ? joined : joined[..(maxLength - 3)] + "...";
    }
}
