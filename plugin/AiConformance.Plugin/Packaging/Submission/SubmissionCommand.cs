using System.CommandLine;
using AiConformance.Plugin.Running;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// <c>aiconformance submission</c>: turns a <c>sonobuoy retrieve</c> tarball of a run with both plugins into the
/// cncf/k8s-conformance and cncf/k8s-ai-conformance folders, then checks them offline. Exit code 0: submittable;
/// 1: something blocks submission (each problem printed with its fix); 2: the input cannot be used.
/// </summary>
public static class SubmissionCommand
{
    public const string K8sFolderName = "k8s-conformance";
    public const string AiFolderName = "ai-conformance";

    public static Command Create()
    {
        var tarball = new Option<string>("--sonobuoy-results")
        {
            Description = "The tarball 'sonobuoy retrieve' wrote, of a run with the e2e and ai-conformance plugins",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "Folder to write k8s-conformance/ and ai-conformance/ into",
            Required = true,
        };
        var metadata = new Option<string?>("--metadata")
        {
            Description = "YAML file with the product metadata (metadata: platformName, platformVersion, vendorName, websiteUrl, " +
                          "documentationUrl, productLogoUrl, description, contactEmailAddress, k8sConformanceUrl, repoUrl, productType)",
        };
        var command = new Command("submission",
            "Write the Kubernetes conformance and AI conformance submission folders from a Sonobuoy results tarball and check them " +
            "offline by the CNCF rules (exit 0: submittable, 1: not)")
        {
            tarball, output, metadata,
        };
        command.SetAction((parseResult, _) => Task.FromResult(Run(
            parseResult.GetValue(tarball)!, parseResult.GetValue(output)!, parseResult.GetValue(metadata),
            parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error)));
        return command;
    }

    public static int Run(string tarballPath, string outputFolder, string? metadataPath, TextWriter output, TextWriter error)
    {
        SonobuoyResults results;
        IReadOnlyDictionary<string, string> metadata;
        var aiFolder = Path.Combine(outputFolder, AiFolderName);
        var k8sFolder = Path.Combine(outputFolder, K8sFolderName);
        try
        {
            metadata = SubmissionMetadata.Load(metadataPath);
            results = SonobuoyResults.Read(tarballPath);
            metadata = AiSubmissionWriter.Write(results, metadata, aiFolder);
        }
        catch (SubmissionInputException e)
        {
            error.WriteLine($"aiconformance submission: {e.Message}");
            return ExitCodes.UsageError;
        }
        var problems = new List<(string Folder, SubmissionProblem Problem)>();
        if (K8sConformanceSubmission.Write(results, metadata, k8sFolder))
        {
            output.WriteLine($"wrote {k8sFolder}{Path.DirectorySeparatorChar}  (submit as vX.Y/<product>/ to cncf/k8s-conformance)");
            problems.AddRange(K8sConformanceSubmission.Validate(k8sFolder).Select(p => (K8sFolderName, p)));
        }
        else
        {
            problems.Add((K8sFolderName, new SubmissionProblem("(tarball)", $"has no e2e plugin results (plugins: {string.Join(", ", results.PluginNames)})",
                "run both plugins in one Sonobuoy run: sonobuoy run --plugin e2e --plugin sonobuoy/ai-conformance.yaml --mode certified-conformance")));
        }
        output.WriteLine($"wrote {aiFolder}{Path.DirectorySeparatorChar}  (submit as vX.Y/<product>/ to cncf/k8s-ai-conformance)");
        var aiCheck = AiSubmissionValidator.Validate(aiFolder);
        problems.AddRange(aiCheck.Problems.Select(p => (AiFolderName, p)));

        output.WriteLine();
        if (problems.Count == 0)
        {
            output.WriteLine("Offline checks passed: the folders are submittable.");
        }
        else
        {
            output.WriteLine($"{problems.Count} problem(s) block submission:");
            foreach (var (folder, problem) in problems)
            {
                output.WriteLine($"  {folder}/{problem.File}: {problem.Message}");
                output.WriteLine($"      fix: {problem.Fix}");
            }
        }
        if (aiCheck.LeftToCheck.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Left to check by hand (needs the network):");
            foreach (var item in aiCheck.LeftToCheck.Distinct())
            {
                output.WriteLine($"  - {item}");
            }
        }
        return problems.Count == 0 ? 0 : 1;
    }
}
