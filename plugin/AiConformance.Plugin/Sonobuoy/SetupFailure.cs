using AiConformance.Plugin.Reports;

namespace AiConformance.Plugin.Sonobuoy;

/// <summary>
/// Hands Sonobuoy a result for a run that could not start (bad options, bad configuration, unreachable cluster): a
/// JUnit file with one failed test saying why, the archive and <c>done</c>, so Sonobuoy reports the reason at once
/// instead of waiting for its timeout.
/// </summary>
public static class SetupFailure
{
    public static void Report(SonobuoyEnvironment sonobuoy, string details, bool simulated)
    {
        Directory.CreateDirectory(sonobuoy.ResultsDirectory);
        JUnitReport.WriteSetupError(Path.Combine(sonobuoy.ResultsDirectory, JUnitReport.FileName), details, simulated);
        ResultsArchive.WriteArchiveAndDone(sonobuoy.ResultsDirectory);
    }
}
