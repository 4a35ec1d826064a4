namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>Something that blocks a submission: where it is, what is wrong, and how to fix it.</summary>
public sealed record SubmissionProblem(string File, string Message, string Fix)
{
    public override string ToString() => $"{File}: {Message}\n    fix: {Fix}";
}

/// <summary>The outcome of checking a submission folder offline.</summary>
public sealed record SubmissionCheck(IReadOnlyList<SubmissionProblem> Problems, IReadOnlyList<string> LeftToCheck);
