namespace AiConformance.Plugin.Tests.Support;

/// <summary>Files of this repository, found from the test's output folder upwards.</summary>
internal static class RepositoryFiles
{
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "AiConformancePlugin.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException($"no AiConformancePlugin.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));
}
