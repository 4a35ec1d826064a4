namespace AiConformance.ClusterSim.Behaviours;

/// <summary>Random name suffixes in the alphabet the API server's generateName uses (no vowels, no confusables).</summary>
public static class Names
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Suffix(int length = 5) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        });
}
