namespace AiConformance.Workloads.Serving;

/// <summary>
/// The simulator's "model": a deterministic word sequence seeded by the prompt, so the same request always gets the
/// same answer and different prompts get different ones. One word is one token.
/// </summary>
public static class TextGenerator
{
    private static readonly string[] Vocabulary =
    [
        "the", "cluster", "schedules", "accelerated", "workloads", "across", "nodes", "with", "devices", "and",
        "gateways", "route", "inference", "traffic", "to", "model", "servers", "that", "scale", "on", "demand",
        "while", "operators", "observe", "metrics", "from", "every", "pod", "in", "a", "conformant", "platform",
    ];

    public static IReadOnlyList<string> Generate(string prompt, int tokens)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var state = 2166136261u;
        foreach (var c in prompt)
        {
            state = (state ^ c) * 16777619u;
        }
        var words = new string[tokens];
        for (var i = 0; i < tokens; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if (state == 0) state = 1;
            words[i] = Vocabulary[state % (uint)Vocabulary.Length];
        }
        return words;
    }

    /// <summary>Whitespace-separated words; an empty prompt still costs one token, as a real tokenizer's start token does.</summary>
    public static int CountTokens(string text) =>
        Math.Max(1, text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
}
